/* The check-in: the short one after a session (under a minute) or the periodic one, beside the
   day's load. Keyboard first: a digit answers the item in focus and moves to the next one.
   Scores and the gentle suggestions come back from copilot.reflection; nothing here scores. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const $ = SC.$;
  const el = SC.el;

  const checkin = (SC.checkin = { kind: 'post', sessionId: null, label: null, path: null, form: null });
  let pending = null; // what checkin.open asked for, taken by the next enter()

  checkin.init = function () {
    for (const radio of SC.$$('input[name="ci-kind"]')) {
      radio.addEventListener('change', () => {
        checkin.kind = radio.value;
        checkin.path = null;
        checkin.load();
      });
    }
    $('#ci-form').addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    $('#ci-form').addEventListener('keydown', keys);
    $('#ci-items').addEventListener('change', progress);
    $('#ci-trends').addEventListener('click', () => SC.app.show('trends'));
    $('#ci-trends-top').addEventListener('click', () => SC.app.show('trends'));
    $('#ci-back').addEventListener('click', () => SC.review.open(checkin.sessionId).catch((err) => SC.notify(err.message, 'error')));
    $('#ci-use-file').addEventListener('click', () => {
      checkin.path = $('#ci-file').value.trim() || null;
      checkin.load();
    });
    $('#ci-remind').addEventListener('change', async (event) => {
      try {
        await SC.api('preferences.set_reminders', event.target.checked);
      } catch (err) {
        event.target.checked = !event.target.checked;
        SC.notify(err.message, 'error');
      }
    });
  };

  /* From a review or a reminder: a check-in about one session. */
  checkin.open = function (opts) {
    pending = opts || {};
    SC.app.show('checkin');
  };

  checkin.enter = async function () {
    const opts = pending || {};
    pending = null;
    checkin.kind = opts.kind || checkin.kind;
    checkin.sessionId = opts.sessionId || null;
    checkin.label = opts.label || null;
    for (const radio of SC.$$('input[name="ci-kind"]')) radio.checked = radio.value === checkin.kind;
    const label = checkin.label || '';
    $('#ci-for').textContent = label ? `About your session with ${label}${label.endsWith('.') ? '' : '.'}` : '';
    $('#ci-back').hidden = !checkin.sessionId;
    await checkin.load();
    const first = $('#ci-items input');
    if (first) first.focus();
    try {
      $('#ci-remind').checked = (await SC.api('reflection.reminders')).enabled;
    } catch (err) {
      $('#ci-remind').disabled = true;
    }
  };

  checkin.load = async function () {
    $('#ci-result').hidden = true;
    $('#ci-file-error').textContent = '';
    const args = checkin.path ? { kind: null, instrument_path: checkin.path } : { kind: checkin.kind };
    let form;
    try {
      form = await SC.reflect('checkin_form', args);
    } catch (err) {
      if (checkin.path) $('#ci-file-error').textContent = err.message;
      else SC.notify(err.message, 'error');
      return null;
    }
    checkin.form = form;
    render(form);
    return form;
  };

  function render(form) {
    $('#ci-load').textContent = form.load_text;
    $('#ci-form-title').textContent = form.title;
    $('#ci-instructions').textContent = form.instructions;
    $('#ci-note').textContent = form.note || '';
    $('#ci-credit').textContent = form.credit || '';
    const { min, max } = form.response;
    $('#ci-keys').textContent = max <= 9
      ? `Keys ${min}–${max} answer an item and move to the next; Ctrl+Enter saves.`
      : 'Arrow keys choose an answer; Ctrl+Enter saves.';
    $('#ci-scale').textContent = Object.entries(form.response.labels).map(([v, word]) => `${v} ${word}`).join(' · ');
    $('#ci-items').replaceChildren(...form.items.map((it, i) => item(it, i, form.response)));
    progress();
  }

  function item(it, i, scale) {
    const name = `ci-${it.id}`;
    const options = [];
    for (let v = scale.min; v <= scale.max; v += 1) {
      const word = scale.labels[String(v)] || '';
      options.push(el('label', { class: 'opt' },
        el('input', { type: 'radio', name, value: v, 'data-item': it.id, 'aria-label': `${v}${word ? ` ${word}` : ''}` }),
        el('span', { class: 'n', text: String(v), 'aria-hidden': 'true' }),
        el('span', { class: 'word', text: word, 'aria-hidden': 'true' })));
    }
    return el('fieldset', { class: 'item', 'data-item': it.id },
      el('legend', { text: `${i + 1}. ${it.text}` }),
      el('div', { class: 'scale' }, options));
  }

  function answers() {
    const found = {};
    for (const input of SC.$$('#ci-items input:checked')) found[input.dataset.item] = Number(input.value);
    return found;
  }

  function progress() {
    const total = checkin.form ? checkin.form.items.length : 0;
    const done = Object.keys(answers()).length;
    $('#ci-missing').textContent = total ? `${done} of ${total} answered.` : '';
  }

  function keys(event) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
      return;
    }
    const set = event.target.closest && event.target.closest('fieldset.item');
    if (!set || event.ctrlKey || event.altKey || event.metaKey || !/^[0-9]$/.test(event.key)) return;
    const input = set.querySelector(`input[value="${event.key}"]`);
    if (!input) return;
    event.preventDefault();
    input.checked = true;
    progress();
    const next = set.nextElementSibling;
    if (next) (next.querySelector('input:checked') || next.querySelector('input')).focus();
    else $('#ci-save').focus();
  }

  async function submit() {
    const form = checkin.form;
    if (!form) return;
    const given = answers();
    const missing = form.items.findIndex((it) => !(it.id in given));
    if (missing >= 0) {
      $('#ci-missing').textContent = `Item ${missing + 1} is not answered yet.`;
      SC.$$('#ci-items fieldset.item')[missing].querySelector('input').focus();
      return;
    }
    const args = { answers: given, kind: checkin.path ? null : checkin.kind, instrument_path: checkin.path, session_id: checkin.sessionId };
    const button = $('#ci-save');
    button.disabled = true;
    try {
      showResult(await SC.reflect('submit_checkin', args));
      if (SC.reminders) SC.reminders.refresh();
    } catch (err) {
      $('#ci-missing').textContent = err.message;
    } finally {
      button.disabled = false;
    }
  }

  const fmt = (x) => String(Math.round(x * 100) / 100);

  /* Where a score sits on its scale, its band, and, when a band is marked for attention,
     the gentle suggestions: information for the therapist, never an alarm. */
  function showResult(result) {
    const box = $('#ci-result .body');
    box.replaceChildren(...result.scores.map((s) => {
      const marker = el('span', { class: 'marker' });
      marker.style.left = `${(100 * (s.score - s.low)) / ((s.high - s.low) || 1)}%`;
      return el('div', { class: `score${s.attention ? ' attention' : ''}`, 'data-scale': s.scale },
        el('div', { class: 'row spread' }, el('strong', { text: s.name }),
          el('span', {}, el('span', { class: 'value', text: fmt(s.score) }), s.band ? el('span', { class: 'tag band', text: s.band }) : null)),
        el('div', { class: 'range', role: 'img', 'aria-label': `${fmt(s.score)} on a scale from ${fmt(s.low)} to ${fmt(s.high)}` }, marker),
        el('div', { class: 'range-ends hint', 'aria-hidden': 'true' }, el('span', { text: fmt(s.low) }), el('span', { text: fmt(s.high) })));
    }));
    if (result.suggestions.length) {
      box.append(el('div', { class: 'gentle' }, el('h3', { text: 'For you' }),
        ...result.suggestions.map((line) => el('p', { text: line }))));
    } else {
      box.append(el('p', { class: 'hint', text: 'Thank you for checking in.' }));
    }
    if (result.instrument.note) box.append(el('p', { class: 'hint', text: result.instrument.note }));
    $('#ci-result').hidden = false;
    $('#ci-result').focus();
  }
})();
