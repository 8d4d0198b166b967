/* Reflection after a session, the check-in and the trend: the therapist's own side. The data
   comes from copilot.reflection through the bridge's `reflection` call; when that part is not
   installed the view says so instead of failing. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const $ = SC.$;
  const el = SC.el;

  const reflection = (SC.reflection = {});
  const call = (action, args) => SC.api('reflection', action, args || {});
  const text = (item) => item.question || item.text || item.prompt || item.label || '';

  reflection.init = function () {};

  /* 3–5 prompts grounded in moments of this session, each with a private answer field. */
  reflection.prompts = async function (sessionId, box) {
    box.replaceChildren(el('p', { class: 'hint', text: 'Preparing the prompts…' }));
    let answer;
    try {
      answer = await call('prompts_for', { session_id: sessionId });
    } catch (err) {
      box.replaceChildren(el('p', { class: 'hint', text: err.message }));
      return;
    }
    const prompts = answer.prompts || [];
    if (!prompts.length) {
      box.replaceChildren(el('p', { class: 'hint', text: 'No prompts for this session.' }));
      return;
    }
    const fields = prompts.map((p, i) => {
      const area = el('textarea', { rows: 3, id: `rf-${i}`, 'data-id': p.id === undefined ? i : p.id });
      const when = p.at === undefined ? p.start : p.at;
      return el('div', { class: 'prompt' },
        el('label', { for: `rf-${i}`, text: text(p) }),
        p.quote ? el('blockquote', { text: `“${p.quote}”${when === undefined ? '' : ` (${SC.clock(when)})`}` }) : null,
        area);
    });
    const status = el('p', { class: 'hint', role: 'status' });
    const save = el('button', { type: 'button', class: 'primary', text: 'Save to my journal' });
    save.addEventListener('click', async () => {
      const answers = {};
      for (const area of box.querySelectorAll('textarea')) if (area.value.trim()) answers[area.dataset.id] = area.value.trim();
      try {
        await call('save_answers', { session_id: sessionId, answers });
        status.textContent = 'Saved to your private journal.';
      } catch (err) {
        status.textContent = err.message;
      }
    });
    box.replaceChildren(el('p', { class: 'hint', text: answer.private || 'Private: your answers stay in your own journal.' }), ...fields,
      el('div', { class: 'row' }, save, status));
  };
})();
