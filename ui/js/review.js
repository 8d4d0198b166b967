/* The review of one stored session: observations with their evidence, never verdicts. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const $ = SC.$;
  const el = SC.el;

  const review = (SC.review = { id: null, data: null });

  review.init = function () {
    $('#rv-swap').addEventListener('click', swap);
    $('#rv-rename').addEventListener('click', rename);
    $('#rv-reanalyse').addEventListener('click', reanalyse);
    $('#rv-practise').addEventListener('click', () => SC.practice.open(review.id).catch((err) => SC.notify(err.message, 'error')));
    $('#rv-delete').addEventListener('click', remove);
    $('#rv-reflect').addEventListener('click', () => SC.reflection.show(review.id, $('#rv-reflection .body')));
    $('#rv-checkin').addEventListener('click', () => SC.checkin.open({
      kind: 'post', sessionId: review.id, label: review.data.export.session.client_label,
    }));
    const audio = $('#rv-audio');
    audio.addEventListener('timeupdate', () => markPlaying(audio.currentTime));
    $('#rv-access').addEventListener('toggle', accessLog);
  };

  async function accessLog() {
    if (!$('#rv-access').open) return;
    const answer = await SC.api('review.access_log', review.id);
    const list = $('#rv-access .body');
    list.replaceChildren(...answer.entries.map((a) => el('li', {
      text: `${SC.date(a.at)} · ${a.account} · ${a.action} · ${a.origin === 'cli' ? 'command line' : 'window'}${a.detail ? ' · ' + a.detail : ''}`,
    })));
    if (!answer.entries.length) list.append(el('li', { class: 'hint', text: 'Nothing yet.' }));
  }

  /* opts.ended: the session has just been stopped here, so reflection is offered. */
  review.open = async function (sessionId, opts) {
    const answer = await SC.api('review.session', sessionId);
    review.id = answer.export.session.id;
    review.render(answer);
    $('#rv-ended').hidden = !(opts && opts.ended);
    SC.app.show('review');
    $('#rv-title').focus();
    return answer;
  };

  review.enter = function () {};

  review.render = function (answer) {
    review.data = answer;
    const x = answer.export;
    const s = x.session;
    $('#rv-title').textContent = `${s.client_label} · ${SC.date(s.created_at)}`;
    const consent = s.consent ? `consent: ${s.consent.method}, by ${s.consent.given_by}, ${SC.date(s.consent.recorded_at)}` : 'no consent recorded';
    const source = s.imported_from ? `from transcript (${s.imported_from})` : s.source;
    $('#rv-meta').textContent = [SC.clock(x.metrics.duration_s), source, s.model, s.status.replace('_', ' '), consent]
      .filter(Boolean).join(' · ');
    $('#rv-notice').textContent = answer.live ? 'This session is still recording; what you see is what has arrived.' : '';
    $('#rv-reflection .body').replaceChildren();
    summary(x);
    SC.arcChart($('#arc-chart'), (x.summary && x.summary.arc) || [], x.metrics.duration_s, review.jumpTo);
    moments(x);
    risks(x);
    needs(x);
    metrics(x);
    behaviour(x);
    notes(x);
    audio(answer.audio_url);
    transcript(x);
    SC.supervision.reviewShown(review.id);
    $('#rv-access').open = false;
  };

  function body(id) {
    const node = $(`${id} .body`);
    node.replaceChildren();
    return node;
  }

  const empty = (text) => el('p', { class: 'hint', text });
  const at = (t) => el('button', { type: 'button', class: 'link', text: SC.clock(t), title: 'Read the transcript here', onclick: () => review.jumpTo(t) });
  const quote = (e) => el('div', { class: 'evidence' }, el('blockquote', { text: `“${e.quote}”` }),
    el('span', { class: 'hint' }, at(e.start), e.note ? ` · ${e.note}` : ''));

  function summary(x) {
    const box = body('#rv-summary');
    const s = x.summary;
    if (!s) {
      box.append(empty('No summary yet. “Analyse again” makes one from the transcript.'));
      return;
    }
    if (s.narrative) box.append(el('p', { text: s.narrative }));
    if (s.observations.length) box.append(el('ul', {}, s.observations.map((o) => el('li', { text: o }))));
    if (s.dominant_states.length) {
      box.append(el('h3', { text: "States that led in the client's talk" }));
      box.append(el('div', { class: 'share' }, s.dominant_states.flatMap((d) => {
        const bar = el('span');
        bar.style.transform = `scaleX(${Math.max(0, Math.min(1, d.share))})`;
        bar.style.background = SC.colour(d.label);
        return [el('span', {}, SC.swatch(d.label), d.label), el('div', { class: 'bar' }, bar), el('span', { class: 'pct', text: SC.pct(d.share) })];
      })));
      for (const d of s.dominant_states) {
        if (d.quotes && d.quotes.length) box.append(el('h4', { text: `Strongest words for ${d.label}` }), ...d.quotes.map(quote));
      }
    } else if (s.states_unclear) {
      box.append(el('h3', { text: "States in the client's talk" }), el('p', { class: 'unclear', text: 'mixed / unclear' }));
    }
    if (s.change && s.change.observations.length) {
      box.append(el('h3', { text: 'First third to last third' }), el('ul', {}, s.change.observations.map((o) => el('li', { text: o }))));
    }
    for (const t of s.themes) box.append(el('h3', { text: t.name }), ...t.evidence.map(quote));
    if (s.expressed_needs.length) box.append(el('h3', { text: 'Needs the client put into words' }), ...s.expressed_needs.map(quote));
    if (s.alliance.length) {
      box.append(el('h3', { text: 'Working alliance cues' }),
        ...s.alliance.map((a) => el('div', {}, el('strong', { text: `${a.aspect}: ` }), a.observation, quote(a.evidence))));
    }
    if (s.possibly_unsaid.length) box.append(el('h3', { text: 'Possibly left unsaid' }), ...s.possibly_unsaid.map(quote));
    const p = s.provenance;
    box.append(el('p', { class: 'hint', text: `From ${p.engine}${p.model ? ` (${p.model})` : ''}, ${SC.date(p.created_at)}. Observations for your judgement, not a diagnosis.` }));
  }

  function moments(x) {
    const box = body('#rv-moments');
    const list = (x.summary && x.summary.key_moments) || [];
    if (!list.length) return box.append(empty('No key moments found.'));
    for (const m of list) {
      box.append(el('div', { class: 'moment' },
        el('div', {}, at(m.start), ` · ${m.kind} · ${m.state} `, el('span', { class: 'hint', text: SC.pct(m.confidence) })),
        el('blockquote', { text: `“${m.quote}”` }),
        el('p', { class: 'hint', text: m.observation })));
    }
  }

  function risks(x) {
    const box = body('#rv-risk');
    if (!x.risk_flags.length) box.append(empty('No risk language was flagged. That is not evidence of its absence.'));
    for (const f of x.risk_flags) {
      const marks = [f.severity, f.negated && 'negated', f.reported_speech && 'reported speech',
        f.past && 'past', f.child_involved && 'child involved'].filter(Boolean);
      const row = el('div', { class: `flag${f.acknowledged_at ? '' : ' unacknowledged'}`, 'data-seq': f.utterance_seq, 'data-kind': f.kind || '' },
        el('div', {}, at(f.start), ` · ${SC.flagName(f)} `, ...marks.map((m) => el('span', { class: 'tag', text: m }))),
        el('blockquote', { text: `“${f.quote}”` }), why(f));
      const actions = el('div', { class: 'row' });
      if (f.acknowledged_at) actions.append(el('span', { class: 'acked', text: `Acknowledged ${SC.date(f.acknowledged_at)}` }));
      else {
        actions.append(el('button', { type: 'button', text: 'Acknowledge', onclick: async (event) => {
          event.target.disabled = true;
          try {
            await SC.api('live.acknowledge_risk', f.utterance_seq, f.category, review.id);
            await review.reload();
          } catch (err) {
            event.target.disabled = false;
            SC.notify(err.message, 'error');
          }
        } }));
      }
      actions.append(feedbackButton('Not risk', 'not_risk', f.utterance_seq, f.kind));
      row.append(actions);
      box.append(row);
    }
    box.append(el('div', { class: 'row' },
      el('button', { type: 'button', class: 'link', text: 'Export my risk marks…', onclick: exportMarks }),
      el('span', { class: 'hint', text: 'Marks stay on this computer unless you share the exported file.' })));
  }

  /* Which layer fired and why: the rule's name, or the nearest curated sentences by meaning. */
  function why(f) {
    const box = el('details', { class: 'why' }, el('summary', { text: f.layer === 'learned' ? 'Why: close in meaning' : `Why: rule ${f.rule}` }));
    if (f.layer === 'both') box.append(el('p', { class: 'hint', text: 'Both the rule and the meaning layer fired.' }));
    for (const e of f.exemplars || []) {
      box.append(el('p', { class: 'hint', text: `${SC.pct(e.similarity)} like “${e.text}”` }));
    }
    return box;
  }

  function feedbackButton(label, verdict, seq, kind, look = '') {
    const button = el('button', { type: 'button', class: `feedback ${look}`.trim(), text: label, 'data-verdict': verdict,
      title: verdict === 'missed' ? 'Mark this sentence as risk language the detector missed (kept on this computer)' : 'Mark this flag as not risk (kept on this computer)' });
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await SC.api('risk_feedback.mark', { session_id: review.id, utterance_seq: seq, verdict, kind: kind || null });
        button.replaceWith(el('span', { class: 'acked', text: `Marked ${verdict === 'missed' ? 'missed' : 'not risk'} · kept on this computer` }));
      } catch (err) {
        button.disabled = false;
        SC.notify(err.message, 'error');
      }
    });
    return button;
  }

  async function exportMarks() {
    try {
      const r = await SC.api('risk_feedback.export');
      SC.notify(`${r.marks} marks written to ${r.path}. Nothing was sent.`);
    } catch (err) {
      SC.notify(err.message, 'error');
    }
  }

  function needs(x) {
    const box = body('#rv-needs');
    const n = x.summary && x.summary.needs_map;
    if (!n || n.position === null) return box.append(empty('Not enough evidence to place this session.'));
    const marker = el('span', { class: 'marker', role: 'img', 'aria-label': `position ${n.position.toFixed(2)} from -1 (tools) to +1 (connection)` });
    marker.style.left = `${((n.position + 1) / 2) * 100}%`;
    box.append(el('div', { class: 'needs-axis' }, marker),
      el('div', { class: 'needs-ends' }, el('span', { text: 'Practical tools' }), el('span', { text: 'Human connection' })),
      el('div', { class: 'needs-cols' },
        el('div', {}, el('h3', { text: 'Toward tools' }), ...(n.tools.length ? n.tools.map(quote) : [empty('–')])),
        el('div', {}, el('h3', { text: 'Toward connection' }), ...(n.connection.length ? n.connection.map(quote) : [empty('–')]))),
      el('p', { class: 'hint', text: 'Where the client’s talk sat in this session: a prompt for your judgement.' }));
  }

  function metrics(x) {
    const box = body('#rv-metrics');
    const m = x.metrics;
    const roles = Object.entries(m.roles).filter(([role]) => role !== 'unknown' || m.roles.unknown.words);
    const na = (name) => (m.unavailable || []).includes(name);
    const row = (label, f, name) => el('tr', {}, el('th', { scope: 'row', text: label }),
      ...roles.map(([, r]) => el('td', { class: 'n', text: name && na(`roles.${name}`) ? 'not available' : f(r) })));
    box.append(el('table', { class: 'metrics' },
      el('thead', {}, el('tr', {}, el('th', { text: '' }), ...roles.map(([role]) => el('th', { class: 'n', scope: 'col', text: speakerName(role) })))),
      el('tbody', {},
        row('Talk time', (r) => `${SC.clock(r.talk_time_s)} (${SC.pct(r.talk_ratio)})`, 'talk_time_s'),
        row('Words per minute', (r) => SC.num(r.words_per_minute), 'words_per_minute'),
        row('Turns', (r) => String(r.turns)),
        row('Mean turn', (r) => (r.mean_turn_s === null ? '–' : `${SC.num(r.mean_turn_s, 1)} s`), 'mean_turn_s'),
        row('Median response', (r) => (r.median_response_latency_s === null ? '–' : `${SC.num(r.median_response_latency_s, 1)} s`), 'median_response_latency_s'))));
    const facts = [
      na('silence_ratio') ? 'Silence: not available' : `Silence ${SC.pct(m.silence_ratio)} (${m.silences.length} long silences)`,
      na('overlap_s') ? null : `overlap ${SC.num(m.overlap_s, 1)} s`,
      na('pauses') ? 'pauses within turns and voice: not available without audio' : null,
      m.therapist_question_share === null ? null : `therapist turns that asked: ${SC.pct(m.therapist_question_share)}`,
      m.longest_monologue ? `longest monologue: ${speakerName(m.longest_monologue.role)}, ${SC.clock(m.longest_monologue.duration_s)} at ${SC.clock(m.longest_monologue.start)}` : null,
    ];
    box.append(el('p', { class: 'hint', text: facts.filter(Boolean).join(' · ') }));
  }

  const BEHAVIOUR_NAMES = {
    open_question: 'open question', closed_question: 'closed question',
    simple_reflection: 'simple reflection', complex_reflection: 'complex reflection', other: 'other',
  };

  /* The therapist's own figures, with MITI's fair and good bands beside them. */
  function behaviour(x) {
    const box = body('#rv-behaviour');
    const f = x.behaviour_figures;
    if (!f) return box.append(empty('No behaviour codes: analyse the session again to code them.'));
    const figure = (label, value, key, unit) => el('tr', { 'data-figure': key },
      el('th', { scope: 'row', text: label }),
      el('td', { class: 'n', text: value === null ? '–' : `${value}${unit}` }),
      el('td', { text: f.bands[key] || '–' }),
      el('td', { class: 'hint', text: `fair ${f.thresholds[key].fair}${unit}, good ${f.thresholds[key].good}${unit}` }));
    box.append(el('table', { class: 'metrics' },
      el('thead', {}, el('tr', {}, el('th', { text: '' }), el('th', { class: 'n', scope: 'col', text: 'This session' }),
        el('th', { scope: 'col', text: 'Band' }), el('th', { scope: 'col', text: 'MITI benchmark' }))),
      el('tbody', {},
        figure('Reflections per question', f.reflection_to_question, 'reflection_to_question', ':1'),
        figure('Complex reflections', f.percent_complex_reflections, 'percent_complex_reflections', '%'),
        figure('Open questions', f.percent_open_questions, 'percent_open_questions', '%'))),
      el('p', { class: 'hint', text: Object.entries(f.counts).map(([k, n]) => `${BEHAVIOUR_NAMES[k]}: ${n}`).join(' · ') }));
  }

  function notes(x) {
    const box = body('#rv-notes');
    if (!x.notes.length) return box.append(empty('No notes in this session.'));
    box.append(el('ol', { class: 'notes' }, x.notes.map((n) => el('li', {}, at(n.at), ' ', n.text))));
  }

  function speakerName(role) {
    const named = review.data && review.data.export.utterances.find((u) => u.role === role && u.speaker);
    return named ? named.speaker : SC.roleName(role);
  }

  function audio(url) {
    const player = $('#rv-audio');
    player.hidden = !url;
    if (url) {
      if (player.getAttribute('src') !== url) player.src = url;
    } else {
      player.removeAttribute('src');
    }
  }

  function transcript(x) {
    const readings = new Map(x.emotions.map((r) => [r.utterance_seq, r]));
    const flagged = new Map(x.risk_flags.map((f) => [f.utterance_seq, f]));
    const coded = new Map((x.therapist_behaviour || []).map((c) => [c.utterance_seq, c]));
    const lines = x.utterances.map((u) => line(u, readings.get(u.seq), flagged.get(u.seq), coded.get(u.seq)));
    $('#rv-lines').replaceChildren(...lines);
    if (!lines.length) $('#rv-lines').append(el('li', { class: 'hint', text: 'No speech was transcribed.' }));
  }

  function line(u, reading, flag, code) {
    const li = el('li', { class: `role-${u.role}`, 'data-seq': u.seq, 'data-start': u.start, tabindex: -1 });
    const time = el('button', { type: 'button', class: 'link t', text: SC.clock(u.start), title: 'Play from here', onclick: () => seek(u.start) });
    const extra = el('div', { class: 'extra' });
    if (reading && reading.states[0] && reading.states[0].label !== 'neutral') {
      extra.append(el('span', { class: 'chip', text: `${reading.states[0].label} ${SC.pct(reading.states[0].score)}` }));
    }
    if (flag) extra.append(el('span', { class: 'chip risk', text: SC.riskName(flag.kind || flag.category) }));
    else if (u.role !== 'therapist') extra.append(feedbackButton('Missed risk', 'missed', u.seq, null, 'link'));
    if (code) extra.append(el('span', { class: 'chip behaviour', 'data-code': code.code, text: `${BEHAVIOUR_NAMES[code.code]} ${SC.pct(code.confidence)}` }));
    if (u.original_text !== null && u.original_text !== undefined) {
      extra.append(el('span', { class: 'orig', text: `edited · recognised as: “${u.original_text}”` }));
    }
    extra.append(el('button', { type: 'button', class: 'edit', text: 'Edit', 'aria-label': `Correct the text at ${SC.clock(u.start)}`, onclick: () => edit(li, u) }));
    li.append(time, el('span', { class: 'who', text: u.speaker || SC.roleName(u.role) }), el('span', { class: 'text', text: u.text }), extra);
    return li;
  }

  function edit(li, u) {
    if (li.querySelector('.editor')) return;
    const area = el('textarea', { rows: 3, 'aria-label': 'Corrected text' });
    area.value = u.text;
    const save = el('button', { type: 'button', class: 'primary', text: 'Save' });
    const cancel = el('button', { type: 'button', text: 'Cancel' });
    const editor = el('div', { class: 'editor' }, area,
      el('div', { class: 'row' }, save, cancel, el('span', { class: 'hint', text: 'The recognised text is kept as the original.' })));
    li.append(editor);
    area.focus();
    cancel.addEventListener('click', () => editor.remove());
    area.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') editor.remove();
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) save.click();
    });
    save.addEventListener('click', async () => {
      try {
        const r = await SC.api('review.correct_text', review.id, u.seq, area.value);
        const readings = new Map(review.data.export.emotions.map((x) => [x.utterance_seq, x]));
        const flags = new Map(review.data.export.risk_flags.map((f) => [f.utterance_seq, f]));
        const i = review.data.export.utterances.findIndex((x) => x.seq === u.seq);
        review.data.export.utterances[i] = r.utterance;
        const fresh = line(r.utterance, readings.get(u.seq), flags.get(u.seq));
        li.replaceWith(fresh);
        fresh.focus();
      } catch (err) {
        SC.notify(err.message, 'error');
      }
    });
  }

  /* A click on the arc, a moment or a flag: show the transcript at that time. */
  review.jumpTo = function (t) {
    const lines = SC.$$('#rv-lines li[data-start]');
    if (!lines.length) return null;
    let target = lines[0];
    for (const li of lines) {
      if (Number(li.dataset.start) <= t + 0.05) target = li;
      else break;
    }
    target.scrollIntoView({ block: 'center' });
    target.classList.remove('flash');
    void target.offsetWidth; // restart the highlight
    target.classList.add('flash');
    target.focus({ preventScroll: true });
    const player = $('#rv-audio');
    if (!player.hidden) player.currentTime = Number(target.dataset.start);
    return Number(target.dataset.seq);
  };

  function seek(t) {
    const player = $('#rv-audio');
    if (player.hidden) return review.jumpTo(t);
    player.currentTime = t;
    player.play().catch(() => {});
    return null;
  }

  function markPlaying(t) {
    let current = null;
    for (const li of SC.$$('#rv-lines li[data-start]')) {
      const u = review.data.export.utterances.find((x) => x.seq === Number(li.dataset.seq));
      const on = u && t >= u.start && t < u.end + 0.3;
      li.classList.toggle('playing', Boolean(on));
      if (on) current = li;
    }
    if (current && !$('#rv-audio').paused) current.scrollIntoView({ block: 'nearest' });
  }

  review.reload = async function () {
    const answer = await SC.api('review.session', review.id, false);  // not a new opening
    review.render(answer);
  };

  async function swap() {
    try {
      review.render(await SC.api('review.swap_roles', review.id));
      SC.notify('Speakers swapped. “Analyse again” reads the client’s states from the new roles.');
    } catch (err) {
      SC.notify(err.message, 'error');
    }
  }

  async function rename() {
    const dialog = $('#rename');
    const names = (role) => (review.data.export.utterances.find((u) => u.role === role && u.speaker) || {}).speaker || '';
    $('#rn-therapist').value = names('therapist');
    $('#rn-client').value = names('client');
    dialog.returnValue = 'cancel';
    dialog.showModal();
    $('#rn-therapist').focus();
    await new Promise((resolve) => dialog.addEventListener('close', resolve, { once: true }));
    if (dialog.returnValue !== 'ok') return;
    try {
      review.render(await SC.api('review.rename_speakers', review.id, { therapist: $('#rn-therapist').value, client: $('#rn-client').value }));
    } catch (err) {
      SC.notify(err.message, 'error');
    }
  }

  async function reanalyse() {
    const button = $('#rv-reanalyse');
    button.disabled = true;
    $('#rv-notice').textContent = 'Analysing the corrected transcript…';
    try {
      const answer = await SC.api('review.reanalyse', review.id);
      review.render(answer);
      for (const n of answer.notices || []) SC.notify(n);
      $('#rv-notice').textContent = 'Analysed again.';
    } catch (err) {
      $('#rv-notice').textContent = err.message;
    } finally {
      button.disabled = false;
    }
  }

  async function remove() {
    const label = review.data.export.session.client_label;
    const ok = await SC.confirm(`Delete this session of ${label} for good? Its transcript, analyses, notes and audio are erased.`, 'Delete');
    if (!ok) return;
    try {
      await SC.api('review.delete_session', review.id);
      review.id = null;
      SC.notify('The session was deleted.');
      SC.app.show('sessions');
    } catch (err) {
      SC.notify(err.message, 'error');
    }
  }
})();
