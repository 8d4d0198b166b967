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
    SC.on('emotion', (e) => onEmotion(e.reading));
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

  /* The client's current state, with the words that carry it (their own, verbatim). */
  function onEmotion(reading) {
    const top = reading.states[0];
    if (!top) return;
    const second = reading.states[1];
    const state = $('#now-state');
    state.replaceChildren(SC.swatch(top.label), top.label, ' ',
      SC.el('span', { class: 'score', text: SC.pct(top.score) }));
    if (second && second.score >= 0.25) {
      state.append(SC.el('span', { class: 'score', text: ` · ${second.label} ${SC.pct(second.score)}` }));
    }
    const u = live.utterances.get(reading.utterance_seq);
    const words = $('#now-words');
    words.textContent = u ? `“${u.text}”` : '';
    words.hidden = !u;
    $('#now-meta').textContent = `at ${SC.clock(reading.start)}${reading.in_context ? ' · read with the turns around it' : ''}`;
    live.arc.push({ t: reading.start, valence: reading.valence, label: top.label });
    SC.sparkline($('#sparkline'), live.arc);
  }

  function addAlert(flag) {
    const id = `alert-${flag.utterance_seq}-${flag.category}`;
    if (document.getElementById(id)) return;
    const marks = [flag.severity, flag.negated ? 'negated' : null, flag.reported_speech ? 'reported speech' : null];
    const button = SC.el('button', { type: 'button', text: 'Acknowledge' });
    const box = SC.el('section', { class: 'alert', id, role: 'alert', 'data-seq': flag.utterance_seq, 'data-category': flag.category },
      SC.el('h2', {}, `Risk language: ${SC.riskName(flag.category)}`,
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
