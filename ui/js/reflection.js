/* Reflection after a session: 3–5 questions, each on a moment of this session (its time and
   the words said then, verbatim), answered into the therapist's private journal. The data and
   its shape come from copilot.reflection.api through the bridge's `reflection` call. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const el = SC.el;

  const reflection = (SC.reflection = { sessionId: null, prompts: [] });
  const call = (action, args) => SC.api(`reflection.${action}`, args || {});
  SC.reflect = call;

  const ASPECTS = {
    felt: 'What you felt',
    pull: 'Fixing or staying',
    alliance: 'The alliance',
    needs: 'Tools or connection',
    care: 'Your own care',
  };

  reflection.init = function () {};

  /* Fill `box` with the prompts of one session and a way to save the answers. */
  reflection.show = async function (sessionId, box) {
    box.replaceChildren(el('p', { class: 'hint', text: 'Preparing the questions…' }));
    let answer;
    try {
      answer = await call('prompts_for', { session_id: sessionId });
    } catch (err) {
      box.replaceChildren(el('p', { class: 'hint', role: 'status', text: err.message }));
      return null;
    }
    reflection.sessionId = answer.session_id;
    reflection.prompts = answer.prompts;
    const status = el('p', { class: 'hint', role: 'status' });
    const save = el('button', { type: 'button', class: 'primary', text: 'Save to my journal' });
    const checkin = SC.checkin && el('button', {
      type: 'button', text: 'Check in (under a minute)',
      onclick: () => SC.checkin.open({ kind: 'post', sessionId: answer.session_id, label: answer.client_label }),
    });
    save.addEventListener('click', () => saveAnswers(box, status));
    box.replaceChildren(...[
      el('p', { class: 'private', text: answer.private }),
      answer.notice ? el('p', { class: 'hint', text: answer.notice }) : null,
      ...answer.prompts.map(field),
      el('div', { class: 'row' }, save, checkin),
      status,
    ].filter(Boolean));
    box.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && event.target.tagName === 'TEXTAREA') {
        event.preventDefault();
        save.click();
      }
    });
    return answer;
  };

  function field(p) {
    const id = `rf-${p.id}`;
    const area = el('textarea', { rows: 3, id, 'data-prompt': p.id, 'aria-describedby': `${id}-at` });
    area.value = p.answer || '';
    const jump = el('button', {
      type: 'button', class: 'link', text: p.time, title: 'Read the transcript here',
      'aria-label': `Read the transcript at ${p.time}`, onclick: () => SC.review.jumpTo(p.start),
    });
    return el('div', { class: 'prompt', 'data-id': p.id, 'data-aspect': p.aspect },
      el('p', { class: 'prompt-head', id: `${id}-at` }, el('span', { class: 'tag', text: ASPECTS[p.aspect] || p.aspect }),
        ' ', jump, ` · ${SC.roleName(p.speaker)}`),
      el('blockquote', { text: `“${p.quote}${p.truncated ? '…' : ''}”` }),
      el('label', { for: id, text: p.question }),
      area);
  }

  /* Only what changed goes to the journal; Claude's wording is kept with the answer to it. */
  async function saveAnswers(box, status) {
    const rows = [];
    for (const p of reflection.prompts) {
      const area = box.querySelector(`textarea[data-prompt="${p.id}"]`);
      const text = area ? area.value.trim() : '';
      if (!text || text === (p.answer || '').trim()) continue;
      const row = { prompt_id: p.id, answer: text };
      if (p.wording !== 'local') row.question = p.question;
      rows.push(row);
    }
    if (!rows.length) {
      status.textContent = 'Nothing new to save.';
      return;
    }
    try {
      const saved = await call('save_answers', { session_id: reflection.sessionId, answers: rows });
      for (const entry of saved.entries) {
        const p = reflection.prompts.find((x) => x.id === entry.prompt_id);
        if (p) p.answer = entry.answer;
      }
      status.textContent = saved.saved === 1
        ? 'One answer saved to your private journal.'
        : `${saved.saved} answers saved to your private journal.`;
      if (SC.reminders) SC.reminders.refresh();
    } catch (err) {
      status.textContent = err.message;
    }
  }
})();
