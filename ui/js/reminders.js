/* An optional reminder, after a session, to reflect and check in. It waits quietly at the top
   of the window, never during a live session, and never blocks: later or no with one key. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const $ = SC.$;
  const el = SC.el;

  const reminders = (SC.reminders = { due: [] });

  /* view: the view about to show (app.show asks before it switches). */
  reminders.refresh = async function (view) {
    const box = $('#reminders');
    if ((view || SC.app.view) === 'live') {
      box.hidden = true;
      return;
    }
    let answer;
    try {
      answer = await SC.api('reflection.reminders');
    } catch (err) {
      box.hidden = true; // a reminder is a courtesy: its failure is not the therapist's problem
      return;
    }
    reminders.due = answer.reminders;
    render();
  };

  function render() {
    const box = $('#reminders');
    const r = reminders.due[0];
    if (!r || SC.app.view === 'live') {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    const more = reminders.due.length - 1;
    box.replaceChildren(
      el('p', {}, `Your session with ${r.client_label} (${SC.date(r.created_at)}) is waiting for your reflection.`,
        more > 0 ? el('span', { class: 'hint', text: ` (${more} more)` }) : null),
      el('div', { class: 'row' },
        el('button', { type: 'button', class: 'primary', text: 'Reflect now', onclick: () => reflect(r) }),
        el('button', { type: 'button', text: 'Later', title: 'Remind me in 20 minutes', onclick: () => act('snooze_reminder', { session_id: r.session_id, minutes: 20 }) }),
        el('button', { type: 'button', text: 'Dismiss', onclick: () => act('dismiss_reminder', { session_id: r.session_id }) })));
    box.hidden = false;
  }

  async function act(action, args) {
    try {
      await SC.reflect(action, args);
    } catch (err) {
      SC.notify(err.message, 'error');
    }
    await reminders.refresh();
  }

  async function reflect(r) {
    try {
      await SC.review.open(r.session_id);
      await SC.reflection.show(r.session_id, $('#rv-reflection .body'));
      $('#rv-reflection').scrollIntoView({ block: 'start' });
    } catch (err) {
      SC.notify(err.message, 'error');
    }
  }
})();
