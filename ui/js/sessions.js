/* The session list: search the words, filter by pseudonym, open, delete for good. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const $ = SC.$;
  const el = SC.el;

  const sessions = (SC.sessions = {});

  sessions.init = function () {
    $('#s-query').addEventListener('input', SC.debounce(() => sessions.load(), 250));
    $('#s-client').addEventListener('change', () => sessions.load());
  };

  sessions.enter = function () {
    sessions.load();
    $('#s-query').focus();
  };

  sessions.load = async function () {
    let answer;
    try {
      answer = await SC.api('review.sessions', $('#s-query').value.trim() || null, $('#s-client').value || null);
    } catch (err) {
      $('#s-count').textContent = err.message;
      return;
    }
    const select = $('#s-client');
    const chosen = select.value;
    select.replaceChildren(el('option', { value: '', text: 'All clients' }),
      ...answer.clients.map((c) => el('option', { value: c, text: c })));
    select.value = answer.clients.includes(chosen) ? chosen : '';
    const n = answer.sessions.length;
    $('#s-count').textContent = n === 1 ? '1 session' : `${n} sessions`;
    $('#s-list').replaceChildren(...answer.sessions.map(item));
    return answer;
  };

  function item(s) {
    const open = el('button', { type: 'button', class: 'open', 'data-id': s.id, onclick: () => SC.review.open(s.id).catch((err) => SC.notify(err.message, 'error')) },
      el('strong', { text: s.client_label }),
      el('span', { class: 'hint', text: [SC.date(s.created_at), SC.clock(s.duration_s), s.imported_from ? 'from transcript' : s.source, s.status.replace('_', ' ')].join(' · ') }));
    const del = el('button', { type: 'button', class: 'danger', text: 'Delete', 'aria-label': `Delete the session of ${s.client_label}, ${SC.date(s.created_at)}` });
    del.addEventListener('click', async () => {
      const ok = await SC.confirm(`Delete this session of ${s.client_label} for good? Its transcript, analyses, notes and audio are erased.`, 'Delete');
      if (!ok) return;
      try {
        await SC.api('review.delete_session', s.id);
        await sessions.load();
      } catch (err) {
        SC.notify(err.message, 'error');
      }
    });
    return el('li', {}, open, del);
  }
})();
