/* Practice on a stored session: the transcript scrolls to each pause (the key moments and the
   client turns the trainee ticks); there the trainee names what the client feels, how sure they
   are, and what they would say next, and gets feedback at once. Everything comes from
   copilot.practice.view through the bridge's `practice` call; answers stay private. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const $ = SC.$;
  const el = SC.el;

  const practice = (SC.practice = { plan: null, run: null, index: 0, shown: 0, lineDelay: 120, feedback: null, played: false });
  const call = (action, args) => SC.api(`practice.${action}`, args || {});

  practice.init = function () {
    $('#pr-plan').addEventListener('click', () => practice.open($('#pr-session').value));
    $('#pr-make').addEventListener('click', makeSessions);
    $('#pr-start').addEventListener('click', start);
    $('#pr-form').addEventListener('submit', (event) => { event.preventDefault(); submit(); });
    $('#pr-reply').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); submit(); }
    });
    $('#pr-next').addEventListener('click', next);
    $('#pr-confidence').addEventListener('input', () => { $('#pr-confidence-out').textContent = `${$('#pr-confidence').value}%`; });
  };

  practice.enter = async function () {
    show('choose');
    await loadSessions();
    progress();
    $('#pr-title').focus();
  };

  async function loadSessions(answer) {
    try {
      answer = answer || await call('sessions');
    } catch (err) {
      $('#pr-status').textContent = err.message;
      return;
    }
    $('#pr-private').textContent = answer.private;
    const select = $('#pr-session');
    select.replaceChildren(...answer.sessions.map((s) => el('option', { value: s.id, text: `${s.client_label} · ${SC.date(s.created_at)} · ${s.source}` })));
    $('#pr-plan').disabled = !answer.sessions.length;
    $('#pr-status').textContent = answer.sessions.length ? '' : 'No finished sessions yet: add the practice sessions, or analyse a recording.';
  }

  async function makeSessions() {
    $('#pr-status').textContent = 'Preparing the practice sessions…';
    try {
      await loadSessions(await call('make_sessions'));
    } catch (err) {
      $('#pr-status').textContent = err.message;
    }
  }

  function show(part) {
    for (const name of ['choose', 'setup', 'run', 'summary']) $(`#pr-${name}`).hidden = name !== part && !(part === 'summary' && name === 'run');
  }

  /* Open a session for practice: choose the pauses (the key moments come ticked). */
  practice.open = async function (sessionId) {
    if (SC.app.view !== 'practice') SC.app.show('practice');
    const plan = await call('plan', { session_id: sessionId });
    practice.plan = plan;
    $('#pr-for').textContent = plan.client_label;
    const suggested = new Set(plan.suggested);
    $('#pr-turns').replaceChildren(...plan.utterances.filter((u) => u.role === 'client').map((u) => el('li', {},
      el('label', { class: 'check' }, el('input', { type: 'checkbox', value: String(u.seq), checked: suggested.has(u.seq), 'data-seq': u.seq }),
        ` #${u.seq} `, el('span', { text: u.text }), suggested.has(u.seq) ? el('span', { class: 'tag', text: 'key moment' }) : null))));
    show('setup');
    return plan;
  };

  async function start() {
    const chosen = SC.$$('#pr-turns input:checked').map((b) => Number(b.value));
    const suggested = new Set(practice.plan.suggested);
    const run = await call('start', { session_id: practice.plan.session_id, chosen: chosen.filter((s) => !suggested.has(s)) });
    if (!run.pauses.length) return;
    practice.run = run;
    practice.index = 0;
    practice.shown = 0;
    $('#pr-lines').replaceChildren();
    $('#pr-states').replaceChildren(...practice.plan.states.map((s) => el('label', { class: 'check' },
      el('input', { type: 'checkbox', name: 'pr-state', value: s }), ' ', SC.swatch ? SC.swatch(s) : null, ` ${s}`)));
    show('run');
    await scrollTo(run.pauses[0]);
  }

  function reveal(u, seq) {
    const li = el('li', { 'data-seq': u.seq, class: u.seq === seq ? 'pause' : null },
      el('span', { class: 'who', text: SC.roleName(u.role) }), ' ', el('span', { class: 'text', text: u.text }));
    $('#pr-lines').append(li);
    li.scrollIntoView({ block: 'nearest' });
  }

  /* With kept audio: play from the first line not yet shown to the end of the pause's turn,
     showing each line as it is spoken. Resolves false when the audio cannot play. */
  function play(lines, upto, seq) {
    const audio = $('#pr-audio');
    if (!practice.plan.audio_url || !audio) return Promise.resolve(false);
    if (audio.getAttribute('src') !== practice.plan.audio_url) audio.src = practice.plan.audio_url;
    audio.hidden = false;
    const end = lines[upto].end;
    return new Promise((resolve) => {
      let last = -1;
      const watch = setInterval(() => {  // no progress for 3 s (no audio output): scroll instead
        if (audio.currentTime === last) finish(false);
        last = audio.currentTime;
      }, 3000);
      const tick = () => {
        while (practice.shown <= upto && lines[practice.shown].start <= audio.currentTime) {
          reveal(lines[practice.shown], seq);
          practice.shown += 1;
        }
        if (audio.currentTime >= end) finish(true);
      };
      const finish = (ok) => {
        clearInterval(watch);
        audio.removeEventListener('timeupdate', tick);
        audio.removeEventListener('error', failed);
        audio.pause();
        practice.played = practice.played || ok;
        resolve(ok);
      };
      const failed = () => finish(false);
      audio.addEventListener('timeupdate', tick);
      audio.addEventListener('error', failed);
      audio.currentTime = lines[practice.shown] ? lines[practice.shown].start : 0;
      audio.play().catch((err) => { practice.playError = String(err); failed(); });
    });
  }

  /* Reveal the transcript up to (and including) the pause's client turn: played from the kept
     recording when there is one, else scrolled line by line. */
  async function scrollTo(seq) {
    $('#pr-form').hidden = true;
    $('#pr-feedback').hidden = true;
    const lines = practice.plan.utterances;
    const upto = lines.findIndex((u) => u.seq === seq);
    await play(lines, upto, seq);
    for (; practice.shown <= upto; practice.shown += 1) {
      reveal(lines[practice.shown], seq);
      if (practice.lineDelay) await new Promise((resolve) => setTimeout(resolve, practice.lineDelay));
    }
    $('#pr-at').textContent = `Pause ${practice.index + 1} of ${practice.run.pauses.length}: what does the client feel, and what would you say next?`;
    for (const box of SC.$$('input[name="pr-state"]')) box.checked = false;
    $('#pr-reply').value = '';
    $('#pr-error').textContent = '';
    $('#pr-form').hidden = false;
    $('#pr-form').dataset.seq = String(seq);
    $('#pr-at').focus();
  }

  async function submit() {
    const states = SC.$$('input[name="pr-state"]:checked').map((b) => b.value);
    if (!states.length) {
      $('#pr-error').textContent = 'Name at least one state.';
      return;
    }
    try {
      const answer = await call('answer', {
        run_id: practice.run.run_id, utterance_seq: Number($('#pr-form').dataset.seq), states,
        confidence: Number($('#pr-confidence').value) / 100, reply: $('#pr-reply').value,
      });
      practice.feedback = answer.feedback;
      renderFeedback(answer.feedback);
    } catch (err) {
      $('#pr-error').textContent = err.message;
    }
  }

  function renderFeedback(f) {
    const box = $('#pr-feedback .body');
    const read = f.states.model_states.map((s) => el('span', { class: 'tag', 'data-state': s.label, text: `${s.label} ${SC.pct(s.score)}` }));
    box.replaceChildren(
      el('h3', { text: 'What the client feels' }),
      el('p', {}, 'The model read: ', ...(read.length ? read : ['nothing definite'])),
      el('blockquote', { text: `“${f.states.quote}”` }),
      el('ul', { class: 'states-feedback' }, f.states.lines.map((line) => el('li', { text: line }))),
      ...(f.reply ? [
        el('h3', { text: 'Your reply' }),
        el('p', {}, el('span', { class: 'tag code', 'data-code': f.reply.code, text: f.reply.label }),
          ` ${SC.pct(f.reply.confidence)} sure · `, f.reply.names_feeling ? 'names a feeling' : 'names no feeling'),
        el('ul', { class: 'reply-feedback' }, f.reply.lines.map((line) => el('li', { text: line }))),
        el('div', { class: 'example' }, el('p', { class: 'tag', text: 'Example, not a script' }),
          el('p', { class: 'example-text', text: f.reply.example }), el('p', { class: 'hint', text: f.reply.example_note })),
      ] : [el('p', { class: 'hint', text: 'No reply written this time.' })]));
    $('#pr-form').hidden = true;
    $('#pr-feedback').hidden = false;
    $('#pr-next').textContent = practice.index + 1 < practice.run.pauses.length ? 'Next' : 'Finish';
    $('#pr-next').focus();
  }

  async function next() {
    practice.index += 1;
    if (practice.index < practice.run.pauses.length) return scrollTo(practice.run.pauses[practice.index]);
    const done = await call('finish', { run_id: practice.run.run_id });
    $('#pr-feedback').hidden = true;
    $('#pr-summary .body').replaceChildren(...done.summary.lines.map((line) => el('p', { text: line })));
    show('summary');
    $('#pr-summary').hidden = false;
    await progress();
    $('#pr-summary h2').focus();
  }

  async function progress() {
    let answer;
    try {
      answer = await call('progress');
    } catch (err) {
      $('#pr-progress .body').replaceChildren(el('p', { class: 'hint', text: err.message }));
      return;
    }
    const box = $('#pr-progress .body');
    if (!answer.points.length) return box.replaceChildren(el('p', { class: 'hint', text: 'Your progress appears here after your first practice.' }));
    box.replaceChildren(
      el('img', { src: answer.png, alt: `Progress over ${answer.points.length} practice runs`, class: 'progress-img' }),
      el('details', {}, el('summary', { text: 'The numbers' }),
        el('table', { class: 'metrics' },
          el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Day' }),
            ...Object.values(answer.measures).map((m) => el('th', { scope: 'col', class: 'n', text: m })))),
          el('tbody', {}, answer.points.map((p) => el('tr', {}, el('td', { text: p.day }),
            ...Object.keys(answer.measures).map((k) => el('td', { class: 'n', text: SC.pct(p.values[k]) }))))))));
  }
})();
