/* Boot, navigation, text size, the one key that hides everything (for screen sharing) and the
   one that locks (see lock.js). */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const $ = SC.$;

  const VIEWS = {
    start: () => SC.start, live: () => SC.live, review: () => SC.review, sessions: () => SC.sessions,
    checkin: () => SC.checkin, trends: () => SC.trends, supervise: () => SC.supervision,
    practice: () => SC.practice,
  };
  const app = (SC.app = { view: null, prefs: { font_scale: 1, on_top: false }, ready: false });

  app.show = function (name) {
    if (app.view === name) return VIEWS[name]().enter();
    if (app.ready) SC.reminders.refresh(name);
    if (app.view === 'start') SC.start.leave();
    for (const key of Object.keys(VIEWS)) $(`#view-${key}`).hidden = key !== name;
    for (const button of SC.$$('.nav')) {
      if (button.dataset.view === name) button.setAttribute('aria-current', 'page');
      else button.removeAttribute('aria-current');
    }
    app.view = name;
    document.body.dataset.view = name;
    VIEWS[name]().enter();
  };

  app.navShow = function (name, visible) {
    $(`.nav[data-view="${name}"]`).hidden = !visible;
  };

  app.hide = function (hidden) {
    const on = hidden === undefined ? !document.body.classList.contains('hidden-content') : hidden;
    document.body.classList.toggle('hidden-content', on);
    $('#cover').hidden = !on;
    $('#btn-hide').setAttribute('aria-pressed', String(on));
    if (on) $('#btn-hide').focus();
    return on;
  };

  function applyScale(scale) {
    app.prefs.font_scale = Math.round(Math.max(0.75, Math.min(2, scale)) * 100) / 100;
    document.documentElement.style.setProperty('--scale', String(app.prefs.font_scale));
  }

  async function changeScale(step) {
    applyScale(app.prefs.font_scale + step);
    try {
      await SC.api('preferences.set_prefs', { font_scale: app.prefs.font_scale });
    } catch (err) {
      SC.notify(err.message, 'error');
    }
  }

  app.setOnTop = async function (on) {
    try {
      const r = await SC.api('preferences.set_on_top', on);
      app.prefs.on_top = r.prefs.on_top;
    } catch (err) {
      SC.notify(err.message, 'error');
    }
    $('#btn-pin').setAttribute('aria-pressed', String(app.prefs.on_top));
  };

  function keys(event) {
    if (SC.lock.locked) return;
    if (event.key === 'F9') {
      event.preventDefault();
      SC.lock.now('window');
      return;
    }
    if (event.key === 'F8') {
      event.preventDefault();
      app.hide();
      return;
    }
    if (document.body.classList.contains('hidden-content')) return;
    if (event.ctrlKey && (event.key === '=' || event.key === '+')) { event.preventDefault(); changeScale(0.1); }
    else if (event.ctrlKey && event.key === '-') { event.preventDefault(); changeScale(-0.1); }
    else if (event.ctrlKey && event.key === '0') { event.preventDefault(); changeScale(1 - app.prefs.font_scale); }
    else if (event.altKey && !event.ctrlKey) {
      const target = { n: 'start', s: 'sessions', l: 'live', c: 'checkin', w: 'trends', u: 'supervise' }[event.key.toLowerCase()];
      const nav = target && $(`.nav[data-view="${target}"]`);
      if (target && !(nav && nav.hidden)) { event.preventDefault(); app.show(target); }
      else if (event.key.toLowerCase() === 'm' && app.view === 'live') { event.preventDefault(); $('#note-text').focus(); }
      else if (event.key.toLowerCase() === 't' && app.view === 'live') {
        event.preventDefault();
        $('#live-transcript').open = !$('#live-transcript').open;
      } else if (event.key.toLowerCase() === 'p' && app.view === 'live') { event.preventDefault(); $('#btn-pause').click(); }
    }
  }

  async function boot() {
    for (const button of SC.$$('.nav')) button.addEventListener('click', () => app.show(button.dataset.view));
    $('#font-up').addEventListener('click', () => changeScale(0.1));
    $('#font-down').addEventListener('click', () => changeScale(-0.1));
    $('#btn-hide').addEventListener('click', () => app.hide());
    document.addEventListener('keydown', keys);
    await SC.whenConnected();
    let info;
    try {
      info = await SC.api('app_info');
    } catch (err) {
      SC.notify(err.message, 'error');
      return;
    }
    SC.colours = info.colours || {};
    if (info.fallback_colours && info.fallback_colours.length) SC.fallbackColours = info.fallback_colours;
    applyScale(info.prefs.font_scale);
    app.prefs.on_top = info.prefs.on_top;
    $('#btn-pin').setAttribute('aria-pressed', String(info.prefs.on_top));
    if (SC.lock.init(info.lock)) {
      app.ready = true;
      await SC.api('page_ready');
      return; // locked: the lock screen, and nothing of any session asked for
    }
    SC.start.init(info);
    SC.live.init();
    SC.review.init();
    SC.sessions.init();
    SC.reflection.init();
    SC.checkin.init();
    SC.trends.init();
    SC.supervision.init();
    SC.practice.init();
    if (info.live) {
      SC.live.begin(info.live.session_id, null, info.live.elapsed_s);
      await SC.live.catchUp();
    } else if (info.review_session_id) {
      try {
        await SC.review.open(info.review_session_id);
      } catch (err) {
        SC.notify(err.message, 'error');
        app.show('sessions');
      }
    } else {
      app.show('start');
    }
    app.ready = true;
    SC.reminders.refresh();
    await SC.api('page_ready');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
