/* The live view: narrow enough to sit beside the call. What matters to the therapist in the
   moment is on top (recording, risk, the client's state); the transcript stays folded. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const $ = SC.$;

  const live = (SC.live = {
    sessionId: null,
    state: 'idle',
    utterances: new Map(), // seq -> utterance
    arc: [], // {t, valence, label}
    seen: {}, // seq -> Date.now() when the line was on screen (for the benchmark)
  });
  let clockBase = 0; // elapsed seconds at clockAt
  let clockAt = 0;
  let ticker = null;

  live.init = function () {
    SC.on('state', onState);
    SC.on('utterance', (e) => addLine(e.utterance));
    SC.on('revision', (e) => reviseLine(e.utterance));
    SC.on('partial', onPartial);
    SC.on('emotion', (e) => onEmotion(e.reading, e.now));
    SC.on('risk', (e) => addAlert(e.flag));
    SC.on('note', (e) => addNote(e.note));
    SC.on('status', onStatus);
    $('#btn-pause').addEventListener('click', pauseOrResume);
    $('#btn-stop').addEventListener('click', stop);
    $('#btn-pin').addEventListener('click', () => SC.app.setOnTop($('#btn-pin').getAttribute('aria-pressed') !== 'true'));
    $('#btn-note').addEventListener('click', note);
    $('#note-text').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        note();
      }
    });
  };

  /* A session has started (from the start view, or found running when the page loaded). */
  live.begin = function (sessionId, clientLabel, elapsed) {
    live.sessionId = sessionId;
    live.utterances.clear();
    live.arc = [];
    $('#live-lines').replaceChildren();
    $('#note-list').replaceChildren();
    $('#alerts').replaceChildren();
    $('#utt-count').textContent = '0';
    $('#partial').textContent = '';
    $('#live-status').textContent = '';
    $('#now-state').textContent = "Waiting for the client's words.";
    $('#now-words').hidden = true;
    $('#now-meta').textContent = clientLabel ? `Client: ${clientLabel}` : '';
    $('#live-transcript').open = false;
    SC.sparkline($('#sparkline'), live.arc);
    setClock(elapsed || 0);
    setState('recording');
    SC.app.navShow('live', true);
    SC.app.show('live');
  };

  /* A page reloaded while the session records (the app lock, say): its lines stored so far. */
  live.catchUp = async function () {
    let r;
    try {
      r = await SC.api('live.transcript');
    } catch (err) {
      SC.notify(err.message, 'error');
      return;
    }
    if (r.session_id !== live.sessionId) return;
    for (const u of r.utterances) if (!live.utterances.has(u.seq)) addLine(u);
    const lines = $('#live-lines');
    lines.append(...SC.$$('li', lines).sort((a, b) => Number(a.dataset.seq) - Number(b.dataset.seq)));
  };

  live.enter = function () {
    $('#btn-stop').focus();
  };

  function setClock(elapsed) {
    clockBase = elapsed;
    clockAt = performance.now();
    drawClock();
  }

  function drawClock() {
    const running = live.state === 'recording';
    const t = clockBase + (running ? (performance.now() - clockAt) / 1000 : 0);
    $('#timer').textContent = SC.clock(Math.floor(t));
  }

  function setState(state) {
    if (live.state === 'recording' && state !== 'recording') setClock(clockBase + (performance.now() - clockAt) / 1000);
    if (live.state !== 'recording' && state === 'recording') clockAt = performance.now();
    live.state = state;
    const rec = $('#rec');
    rec.dataset.state = state;
    $('#rec-label').textContent = {
      recording: 'Recording', paused: 'Paused', stopping: 'Stopping…', stopped: 'Stopped', idle: 'Not recording',
    }[state] || state;
    const pause = $('#btn-pause');
    pause.textContent = state === 'paused' ? 'Resume' : 'Pause';
    pause.disabled = !(state === 'recording' || state === 'paused');
    $('#btn-stop').disabled = !(state === 'recording' || state === 'paused');
    clearInterval(ticker);
    if (state === 'recording') ticker = setInterval(drawClock, 500);
    drawClock();
  }

  function onState(e) {
    if (!live.sessionId || (e.session_id && e.session_id !== live.sessionId)) return;
    if (e.state === 'recording' || e.state === 'paused') setClock(e.elapsed_s);
    setState(e.state);
  }

  async function pauseOrResume() {
    try {
      const r = await SC.api(live.state === 'paused' ? 'live.resume' : 'live.pause');
      setState(r.state);
    } catch (err) {
      SC.notify(err.message, 'error');
    }
  }

  async function stop() {
    const ok = await SC.confirm('Stop recording? The session is then analysed and opened for review.', 'Stop');
    if (!ok) return;
    setState('stopping');
    $('#live-status').textContent = 'Stopping and analysing the session…';
    try {
      const r = await SC.api('live.stop');
      setState('stopped');
      SC.app.navShow('live', false);
      for (const notice of r.notices || []) SC.notify(notice);
      await SC.review.open(r.session_id, { ended: true });
    } catch (err) {
      $('#live-status').textContent = err.message;
      SC.notify(err.message, 'error');
    }
  }

  function addLine(u) {
    live.utterances.set(u.seq, u);
    const li = SC.el('li', { class: `role-${u.role}`, 'data-seq': u.seq },
      SC.el('span', { class: 't', text: SC.clock(u.start) }),
      SC.el('span', { class: 'who', text: SC.roleName(u.role) }),
      SC.el('span', { class: 'text', text: u.text }));
    $('#live-lines').append(li);
    $('#utt-count').textContent = String(live.utterances.size);
    if ($('#partial').dataset.role === u.role) $('#partial').textContent = '';
    if ($('#live-transcript').open) li.scrollIntoView({ block: 'nearest' });
    requestAnimationFrame(() => { live.seen[u.seq] = Date.now(); });
  }

  /* The second pass read the line again with more of the speaker's voice: the text in place. */
  function reviseLine(u) {
    if (!live.utterances.has(u.seq)) return;
    live.utterances.set(u.seq, u);
    const li = $(`#live-lines li[data-seq="${u.seq}"]`);
    if (!li) return;
    li.querySelector('.text').textContent = u.text;
    li.classList.add('revised');
    li.title = 'read again with more of the speaker\'s voice';
  }

  function onPartial(e) {
    const p = $('#partial');
    p.dataset.role = e.role;
    p.replaceChildren(`${SC.roleName(e.role)}: ${e.stable} `, SC.el('span', { class: 'unstable', text: e.unstable }));
  }

  /* The client's current state, with the words that carry it (their own, verbatim). `now` reads
     the last few client turns together (copilot/analysis/states.py): a leading state with its
     strongest words, "mixed / unclear" when no state holds a clear share, or nothing named. */
  function onEmotion(reading, now) {
    const top = reading.states[0];
    if (!top) return;
    const state = $('#now-state');
    let quoted = live.utterances.get(reading.utterance_seq);
    let meta = `at ${SC.clock(reading.start)}${reading.in_context ? ' · read with the turns around it' : ''}`;
    if (now && now.leading.length) {
      state.replaceChildren(...now.leading.flatMap((s, i) => [i ? ' · ' : '', SC.swatch(s.label), s.label, ' ',
        SC.el('span', { class: 'score', text: SC.pct(s.share) })]));
      const best = now.leading[0].quotes[0];
      if (best) {
        quoted = { text: best.quote };
        meta = `at ${SC.clock(best.start)} · the strongest words for ${now.leading[0].label} in the last ${now.turns} turns`;
      }
    } else if (now && now.unclear) {
      state.replaceChildren(SC.el('span', { class: 'unclear', text: now.headline }));
      meta += ' · no state holds a clear share of the last turns';
    } else if (now) {
      state.replaceChildren(SC.el('span', { class: 'hint', text: 'No state stands out in the last few turns.' }));
    } else {
      state.replaceChildren(SC.swatch(top.label), top.label, ' ', SC.el('span', { class: 'score', text: SC.pct(top.score) }));
    }
    const words = $('#now-words');
    words.textContent = quoted ? `“${quoted.text}”` : '';
    words.hidden = !quoted;
    $('#now-meta').textContent = meta;
    live.arc.push({ t: reading.start, valence: reading.valence, label: top.label });
    SC.sparkline($('#sparkline'), live.arc);
  }

  function addAlert(flag) {
    const id = `alert-${flag.utterance_seq}-${flag.category}-${flag.kind || ""}`;
    if (document.getElementById(id)) return;
    const marks = [flag.severity, flag.negated ? 'negated' : null, flag.reported_speech ? 'reported speech' : null,
      flag.past ? 'past' : null, flag.child_involved ? 'child involved' : null,
      flag.layer === 'learned' ? 'by meaning' : null];
    const button = SC.el('button', { type: 'button', text: 'Acknowledge' });
    const box = SC.el('section', { class: 'alert', id, role: 'alert', 'data-seq': flag.utterance_seq, 'data-category': flag.category },
      SC.el('h2', {}, `Risk language: ${SC.flagName(flag)}`,
        ...marks.filter(Boolean).map((m) => SC.el('span', { class: 'tag', text: m }))),
      SC.el('blockquote', { text: `“${flag.quote}”` }),
      SC.el('div', { class: 'row' }, SC.el('span', { class: 'hint', text: `at ${SC.clock(flag.start)}` }), button));
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await SC.api('live.acknowledge_risk', flag.utterance_seq, flag.category, live.sessionId);
        box.classList.add('done');
        box.querySelector('.row').replaceChildren(SC.el('span', { class: 'acked', text: `Acknowledged · ${SC.clock(flag.start)} · kept in the session` }));
        setTimeout(() => box.remove(), 4000);
      } catch (err) {
        button.disabled = false;
        SC.notify(err.message, 'error');
      }
    });
    $('#alerts').append(box);
  }

  async function note() {
    const field = $('#note-text');
    const text = field.value.trim();
    if (!text) return;
    try {
      await SC.api('live.add_note', text);
      field.value = '';
    } catch (err) {
      SC.notify(err.message, 'error');
    }
  }

  function addNote(n) {
    $('#note-list').prepend(SC.el('li', {}, SC.el('time', { text: SC.clock(n.at) }), ' ', n.text));
  }

  function onStatus(e) {
    const box = $('#live-status');
    box.className = `status ${e.level}`;
    box.textContent = e.message;
  }
})();
