/* Supervision: the therapist shares a session and merges replies (in the review); the supervisor
   opens a bundle read-only, comments at times or on lines, rates the rubric and signs off. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const $ = SC.$;
  const el = SC.el;

  const sv = (SC.supervision = { bundle: null, comments: [], line: null, sessionId: null });
  const call = (action, args) => SC.api(`supervision.${action}`, args || {});
  const VERDICTS = { reviewed: 'Reviewed', needs_revision: 'Needs revision' };

  sv.init = function () {
    $('#rv-share').addEventListener('click', openShare);
    $('#sh-preview').addEventListener('click', preview);
    $('#sh-write').addEventListener('click', writeBundle);
    for (const id of ['#sh-for', '#sh-names', '#sh-audio']) $(id).addEventListener('change', () => { $('#sh-write').disabled = true; });
    $('#mr-merge').addEventListener('click', merge);
    $('#ex-write').addEventListener('click', exportRecord);
    $('#sv-open').addEventListener('submit', (event) => { event.preventDefault(); openBundle(); });
    $('#svc-add').addEventListener('click', addComment);
    $('#svc-at').addEventListener('input', () => { sv.line = null; $('#svc-line').textContent = ''; });
    $('#sv-sign').addEventListener('click', signOff);
    $('#si-import').addEventListener('click', importTranscript);
    $('#sv-close').addEventListener('click', closeBundle);
  };

  async function importTranscript() {
    $('#si-error').textContent = '';
    const button = $('#si-import');
    button.disabled = true;
    try {
      const answer = await call('import_transcript', {
        path: $('#si-path').value, client_label: $('#si-client').value, therapist: $('#si-therapist').value,
      });
      $('#si-path').value = '';
      $('#s-import').open = false;
      await SC.review.open(answer.session_id);
      for (const n of answer.notices || []) SC.notify(n);
    } catch (err) {
      $('#si-error').textContent = err.message;
    } finally {
      button.disabled = false;
    }
  }

  sv.enter = function () {
    if (!sv.bundle) $('#sv-path').focus();
  };

  /* The therapist's side ------------------------------------------------------------------ */

  sv.reviewShown = function (sessionId) {
    sv.sessionId = sessionId;
    history(sessionId).catch((err) => SC.notify(err.message, 'error'));
  };

  async function history(sessionId) {
    const answer = await call('history', { session_id: sessionId });
    renderHistory(answer);
    return answer;
  }

  function renderHistory(answer) {
    const box = $('#rv-reviews');
    box.replaceChildren();
    for (const s of answer.shares) {
      box.append(el('p', { class: 'hint', text: `Shared with ${s.recipient}, ${SC.date(s.made_at)}${s.with_audio ? ', with audio' : ''}.` }));
    }
    for (const r of answer.reviews) box.append(reviewCard(r));
    markLines(answer.reviews);
    if (!answer.shares.length && !answer.reviews.length) box.append(el('p', { class: 'hint', text: 'Not shared; no reviews yet.' }));
  }

  /* Each supervisor comment also sits on its line of the transcript. */
  function markLines(reviews) {
    for (const chip of SC.$$('#rv-lines .sv-said')) chip.remove();
    const lines = SC.$$('#rv-lines li[data-start]');
    for (const record of reviews) {
      for (const c of record.reply.comments) {
        let li = c.utterance_seq === null ? null : $(`#rv-lines li[data-seq="${c.utterance_seq}"]`);
        if (!li && c.at !== null) for (const line of lines) if (Number(line.dataset.start) <= c.at + 0.05) li = line;
        const extra = li && li.querySelector('.extra');
        if (extra) extra.prepend(el('span', { class: 'chip sv-said', text: `${record.reply.reviewer}: ${c.text}` }));
      }
    }
  }

  function reviewCard(record) {
    const r = record.reply;
    const ratings = Object.entries(r.ratings).map(([k, v]) => `${k} ${v === null ? 'not observed' : v}`).join(', ');
    return el('div', { class: 'review-record', 'data-verdict': r.verdict },
      el('h3', { text: `${VERDICTS[r.verdict]} · ${r.reviewer} · ${SC.date(r.signed_at)}` }),
      r.note ? el('p', { text: r.note }) : null,
      ratings ? el('p', { class: 'hint', text: `Ratings: ${ratings}` }) : null,
      el('ol', { class: 'notes' }, r.comments.map((c) => el('li', { class: 'comment' },
        c.at === null ? el('span', { class: 'hint', text: 'general' }) : el('button', { type: 'button', class: 'link', text: SC.clock(c.at), onclick: () => SC.review.jumpTo(c.at) }),
        c.tag ? el('span', { class: 'tag', text: c.tag }) : null, ' ', c.text))));
  }

  function openShare() {
    const dialog = $('#share');
    $('#sh-shown').hidden = true;
    $('#sh-readable').textContent = '';
    $('#sh-exact').textContent = '';
    $('#sh-redacted').textContent = '';
    $('#sh-error').textContent = '';
    $('#sh-write').disabled = true;
    $('#sh-pass').value = '';
    $('#sh-pass2').value = '';
    if (sv.shareFor !== SC.review.id) {
      $('#sh-names').value = '';
      $('#sh-out').value = '';
      $('#sh-audio').checked = false;
      sv.shareFor = SC.review.id;
    }
    dialog.showModal();
    $('#sh-for').focus();
  }

  const shareArgs = () => ({
    session_id: SC.review.id, recipient: $('#sh-for').value, names: $('#sh-names').value, with_audio: $('#sh-audio').checked,
  });

  async function preview() {
    $('#sh-error').textContent = '';
    try {
      const answer = await call('share_preview', shareArgs());
      $('#sh-readable').textContent = answer.readable;
      $('#sh-exact').textContent = answer.preview;
      $('#sh-shown').hidden = false;
      const counts = Object.entries(answer.redacted).map(([k, n]) => `${n} ${k.toLowerCase()}`).join(', ');
      $('#sh-redacted').textContent = `Replaced: ${counts || 'nothing'}. This is exactly what the bundle holds; read it before writing.`;
      if (!$('#sh-out').value) $('#sh-out').value = answer.default_out;
      $('#sh-write').disabled = false;
    } catch (err) {
      $('#sh-error').textContent = err.message;
    }
  }

  async function writeBundle() {
    if ($('#sh-pass').value !== $('#sh-pass2').value) {
      $('#sh-error').textContent = 'The two passphrases differ.';
      return;
    }
    try {
      const answer = await call('share_write', { ...shareArgs(), passphrase: $('#sh-pass').value, out: $('#sh-out').value });
      $('#share').close('ok');
      renderHistory(answer);
      SC.notify(`Bundle for ${answer.recipient} written to ${answer.path}. Tell them the passphrase by another channel.`);
    } catch (err) {
      $('#sh-error').textContent = err.message;
    }
  }

  async function exportRecord() {
    try {
      const answer = await call('export_record', {
        session_id: SC.review.id, out: $('#ex-out').value, analysis: $('#ex-analysis').value,
        redact: $('#ex-redact').checked, names: $('#ex-names').value,
      });
      SC.notify(`Written: ${answer.written.join(', ')}`);
    } catch (err) {
      SC.notify(err.message, 'error');
    }
  }

  async function merge() {
    try {
      const answer = await call('merge_reply', { path: $('#mr-path').value, passphrase: $('#mr-pass').value });
      $('#mr-pass').value = '';
      if (answer.session_id !== SC.review.id) await SC.review.open(answer.session_id);
      else await history(answer.session_id);
      SC.notify(`Review by ${answer.review.reply.reviewer} merged.`);
    } catch (err) {
      SC.notify(err.message, 'error');
    }
  }

  /* The supervisor's side ----------------------------------------------------------------- */

  async function openBundle() {
    $('#sv-open-error').textContent = '';
    try {
      const answer = await call('open_bundle', { path: $('#sv-path').value, passphrase: $('#sv-pass').value });
      $('#sv-pass').value = '';
      sv.bundle = answer.bundle;
      sv.comments = answer.comments;
      if (sv.comments.length) SC.notify(`${sv.comments.length} comment(s) brought back from your unfinished review.`);
      $('#sv-reply').value = answer.default_reply;
      $('#sv-reviewer').value = answer.bundle.recipient;
      renderBundle(answer.bundle);
      const player = $('#sv-audio');
      player.hidden = !answer.audio_url;
      if (answer.audio_url) player.src = answer.audio_url;
      else player.removeAttribute('src');
    } catch (err) {
      $('#sv-open-error').textContent = err.message;
    }
  }

  function renderBundle(b) {
    const s = b.session;
    $('#sv-title').textContent = `${s.client_label} · ${s.date} · shared with ${b.recipient}`;
    const counts = Object.entries(b.redacted).map(([k, n]) => `${n} ${k.toLowerCase()}`).join(', ');
    $('#sv-meta').textContent = [SC.clock(s.duration_s), s.imported_from ? `from transcript (${s.imported_from})` : 'transcribed',
      s.consent ? `consent: ${s.consent.method}` : 'no consent recorded', `redacted: ${counts || 'nothing'}`, 'read-only'].join(' · ');
    $('#sv-review').hidden = false;
    $('#sv-open').hidden = true;
    $('#sv-close').hidden = false;
    $('#sv-done').textContent = '';
    const summary = $('#sv-summary .body');
    summary.replaceChildren(...((b.summary && b.summary.observations) || []).map((o) => el('p', { text: o })));
    SC.arcChart($('#sv-arc'), (b.summary && b.summary.arc) || [], b.metrics.duration_s, jumpTo);
    $('#sv-moments .body').replaceChildren(...((b.summary && b.summary.key_moments) || []).map((m) => el('div', { class: 'moment' },
      el('div', {}, at(m.start), ` · ${m.kind} · ${m.state}`), el('blockquote', { text: `“${m.quote}”` }))));
    const flags = b.risk_flags.map((f) => el('div', { class: 'flag' }, el('div', {}, at(f.start), ` · ${SC.riskName(f.category)} · ${f.severity}`), el('blockquote', { text: `“${f.quote}”` })));
    $('#sv-flags .body').replaceChildren(...(flags.length ? flags : [el('p', { class: 'hint', text: 'No risk language was flagged. That is not evidence of its absence.' })]));
    $('#sv-lines').replaceChildren(...b.utterances.map((u, i) => el('li', { class: `role-${u.role}`, 'data-line': i + 1, 'data-start': u.start, tabindex: -1 },
      el('button', { type: 'button', class: 'link t', text: `#${i + 1} ${SC.clock(u.start)}`, title: 'Listen from here (when the audio was shared)', onclick: () => listen(u.start) }),
      el('span', { class: 'who', text: u.speaker || SC.roleName(u.role) }), el('span', { class: 'text', text: u.text }),
      el('button', { type: 'button', class: 'edit comment-line', text: 'Comment', 'aria-label': `Comment on line ${i + 1}`, onclick: () => onLine(i + 1, u) }))));
    const tags = $('#svc-tag');
    tags.replaceChildren(el('option', { value: '', text: 'None' }), ...b.rubric.items.map((item) => el('option', { value: item.id, text: item.name })));
    rubric(b.rubric);
    renderComments();
    $('#sv-title').focus();
  }

  async function closeBundle() {
    if (sv.comments.length && !(await SC.confirm('Close this bundle? Your comments stay in a sealed draft until you sign off.', 'Close'))) return;
    try {
      await call('close_bundle');
    } catch (err) {
      SC.notify(err.message, 'error');
    }
    sv.bundle = null;
    sv.comments = [];
    $('#sv-audio').removeAttribute('src');
    $('#sv-audio').hidden = true;
    $('#sv-review').hidden = true;
    $('#sv-open').hidden = false;
    $('#sv-close').hidden = true;
    $('#sv-title').textContent = 'Supervise';
    $('#sv-meta').textContent = '';
    $('#sv-path').focus();
  }

  const at = (t) => el('button', { type: 'button', class: 'link', text: SC.clock(t), onclick: () => { jumpTo(t); $('#svc-at').value = SC.clock(t); } });

  function jumpTo(t) {
    const lines = SC.$$('#sv-lines li[data-start]');
    let target = lines[0];
    for (const li of lines) if (Number(li.dataset.start) <= t + 0.05) target = li;
    if (target) { target.scrollIntoView({ block: 'center' }); target.focus({ preventScroll: true }); }
  }

  function listen(t) {
    const player = $('#sv-audio');
    if (player.hidden) return;
    player.currentTime = t;
    player.play().catch(() => {});
  }

  function onLine(line, u) {
    sv.line = line;
    $('#svc-at').value = '';
    $('#svc-line').textContent = `line ${line} (${SC.clock(u.start)})`;
    $('#svc-text').focus();
  }

  function rubric(r) {
    const scale = Object.entries(r.scale).map(([k, v]) => `${k} = ${v}`).join('; ');
    const rows = r.items.map((item) => {
      const select = el('select', { 'data-item': item.id, 'aria-label': `Rating: ${item.name}` },
        el('option', { value: '', text: '–' }), el('option', { value: '-', text: 'not observed' }),
        ...Object.keys(r.scale).map((k) => el('option', { value: k, text: k })));
      return el('tr', {}, el('th', { scope: 'row' }, item.name, el('div', { class: 'hint', text: item.description })), el('td', {}, select));
    });
    $('#sv-rubric .body').replaceChildren(el('p', { class: 'hint', text: `${r.title}. ${scale}.` }), el('table', { class: 'metrics' }, el('tbody', {}, rows)));
  }

  async function addComment() {
    const args = { text: $('#svc-text').value, tag: $('#svc-tag').value || null };
    if (sv.line !== null) args.line = sv.line;
    else args.at = $('#svc-at').value || null;
    try {
      const answer = await call('add_comment', args);
      sv.comments = answer.comments;
      $('#svc-text').value = '';
      renderComments();
    } catch (err) {
      SC.notify(err.message, 'error');
    }
  }

  function renderComments() {
    $('#svc-list').replaceChildren(...sv.comments.map((c, i) => el('li', { class: 'comment' },
      c.at === null ? 'general' : SC.clock(c.at), c.tag ? el('span', { class: 'tag', text: c.tag }) : null, ' ', c.text, ' ',
      el('button', { type: 'button', class: 'link', text: 'Remove', onclick: async () => {
        try { sv.comments = (await call('remove_comment', { index: i })).comments; renderComments(); } catch (err) { SC.notify(err.message, 'error'); }
      } }))));
  }

  async function signOff() {
    const chosen = SC.$('input[name="sv-verdict"]:checked');
    const ratings = {};
    for (const select of SC.$$('#sv-rubric select[data-item]')) if (select.value) ratings[select.dataset.item] = select.value;
    try {
      const answer = await call('sign_off', {
        verdict: chosen ? chosen.value : '', ratings, note: $('#sv-note').value, reviewer: $('#sv-reviewer').value, out: $('#sv-reply').value,
      });
      $('#sv-done').textContent = `Signed off (${VERDICTS[answer.reply.verdict]}). Reply written to ${answer.path}: send it back to the therapist.`;
    } catch (err) {
      $('#sv-done').textContent = err.message;
    }
  }
})();
