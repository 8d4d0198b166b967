/* The start view: devices with live level meters, the client's pseudonym, consent, model.
   Nothing records until start_session succeeds, and Python refuses it without consent. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const $ = SC.$;

  const start = (SC.start = {});

  start.init = function (info) {
    const models = $('#f-model');
    models.replaceChildren(...info.models.map((m) => SC.el('option', { value: m.name, text: m.label })));
    models.value = info.defaults.model;
    $('#f-keep').checked = Boolean(info.defaults.keep_audio);
    $('#f-keep').addEventListener('change', keepChanged);
    keepChanged();
    $('#f-when').value = SC.localInputTime();
    start.defaults = info.defaults;

    for (const radio of SC.$$('input[name="source"]')) radio.addEventListener('change', sourceChanged);
    $('#f-mic').addEventListener('change', meters);
    $('#f-call').addEventListener('change', meters);
    $('#btn-devices').addEventListener('click', () => start.loadDevices());
    $('#btn-choose').addEventListener('click', choose);
    $('#btn-now').addEventListener('click', () => { $('#f-when').value = SC.localInputTime(); });
    $('#start-form').addEventListener('submit', submit);
    $('#start-form').addEventListener('input', () => showMissing(false));
    SC.on('level', (e) => SC.setMeters(e.role, e.rms_db));
    SC.on('model_speed', showSpeeds);
    $('#btn-measure').addEventListener('click', () => speeds('models.measure'));
    speeds('models.speeds');
  };

  function speeds(call) {
    SC.api(call).then(showSpeeds).catch((err) => { $('#model-speed').textContent = err.message; });
  }

  /* Which model runs live here, as measured on this computer (at first start, or again). */
  function showSpeeds(info) {
    const out = $('#model-speed');
    const lines = info.models.filter((m) => m.verdict).map((m) => `${m.name}: ${m.verdict}.`);
    if (info.best_live) lines.unshift(`Measured here: ${info.best_live} runs live comfortably.`);
    else if (lines.length) lines.unshift('Measured here: no installed model keeps up live.');
    if (info.measuring) lines.push('Measuring how fast each model runs on this computer…');
    out.textContent = lines.join(' ');
    $('#btn-measure').disabled = Boolean(info.measuring);
  }

  function keepChanged() {
    $('#f-keep-as').disabled = !$('#f-keep').checked;
  }

  /* Called each time the view shows: devices may have come and gone. */
  start.enter = function () {
    if (!start.loaded) start.loadDevices();
    else meters();
    $('#f-client').focus();
  };

  start.leave = function () {
    SC.api('start.stop_meters').catch(() => {});
  };

  start.loadDevices = async function () {
    const msg = $('#devices-msg');
    msg.textContent = 'Looking for audio devices…';
    let found = [];
    try {
      found = (await SC.api('start.devices')).devices;
      msg.textContent = found.length ? '' : 'No audio inputs found. You can still replay a recording.';
    } catch (err) {
      msg.textContent = err.message;
    }
    start.loaded = true;
    fill($('#f-mic'), found, start.defaults.mic);
    fill($('#f-call'), found, start.defaults.call);
    meters();
  };

  function fill(select, devices, preferred) {
    const keep = select.value || preferred || '';
    const options = [SC.el('option', { value: '', text: 'None' })];
    for (const d of devices) options.push(SC.el('option', { value: d.name, text: `${d.name} (${d.hostapi})` }));
    if (keep && !devices.some((d) => d.name === keep)) {
      options.push(SC.el('option', { value: keep, text: `${keep} (not found now)` }));
    }
    select.replaceChildren(...options);
    select.value = keep;
  }

  function meters() {
    if (replaying()) return;
    const mic = $('#f-mic').value || null;
    const call = $('#f-call').value || null;
    SC.setMeters('therapist', -90);
    SC.setMeters('client', -90);
    SC.api('start.start_meters', mic, call).catch((err) => { $('#devices-msg').textContent = err.message; });
  }

  const replaying = () => $('input[name="source"]:checked').value === 'replay';

  function sourceChanged() {
    $('#devices-block').hidden = replaying();
    $('#replay-block').hidden = !replaying();
    if (replaying()) SC.api('start.stop_meters').catch(() => {});
    else meters();
  }

  async function choose() {
    try {
      const { path } = await SC.api('start.choose_recording');
      if (path) $('#f-replay').value = path;
    } catch (err) {
      SC.notify(err.message, 'error');
    }
  }

  start.form = function () {
    const method = $('input[name="consent_method"]:checked');
    return {
      client_label: $('#f-client').value.trim(),
      mic: replaying() ? null : $('#f-mic').value || null,
      call: replaying() ? null : $('#f-call').value || null,
      replay: replaying() ? $('#f-replay').value.trim() || null : null,
      model: $('#f-model').value,
      keep_audio: $('#f-keep').checked,
      keep_audio_as: $('#f-keep-as').value,
      consent_given_by: $('#f-by').value.trim(),
      consent_method: method ? method.value : null,
      consent_at: $('#f-when').value || null,
      consent_note: $('#f-cnote').value.trim(),
      consent_confirmed: $('#f-consent').checked,
    };
  };

  /* What is still missing, in words; the Python side checks again. */
  start.missing = function (form) {
    const missing = [];
    if (!form.client_label) missing.push("the client's pseudonym");
    if (form.replay === null && !form.mic && !form.call) {
      missing.push(replaying() ? 'a recording to replay' : 'a microphone or the call audio');
    }
    if (!form.consent_given_by) missing.push('who gave consent');
    if (!form.consent_method) missing.push('how consent was given');
    if (!form.consent_confirmed) missing.push('the consent confirmation');
    return missing;
  };

  function showMissing(force) {
    const box = $('#start-missing');
    if (!force && !box.textContent) return;
    const missing = start.missing(start.form());
    box.textContent = missing.length ? `Still needed: ${missing.join(', ')}.` : '';
  }

  async function submit(event) {
    event.preventDefault();
    const form = start.form();
    $('#start-error').textContent = '';
    if (start.missing(form).length) {
      showMissing(true);
      return;
    }
    const button = $('#btn-start');
    button.disabled = true;
    button.textContent = 'Starting…';
    try {
      const started = await SC.api('start.start_session', form);
      SC.live.begin(started.session_id, form.client_label);
    } catch (err) {
      $('#start-error').textContent = err.message;
    } finally {
      button.disabled = false;
      button.textContent = 'Start recording';
    }
  }
})();
