/* The app lock: a button (F9), an idle timer, and the lock screen.

   Any change of the lock, from this page or from `session-copilot lock` in a terminal, reloads
   the page, so nothing of a session stays in its DOM or its memory. Locked, the page boots to
   the lock screen and asks Python for nothing else (which would refuse anyway). */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const $ = SC.$;
  const CHECK_EVERY_MS = 15000;
  const ACTIVITY = ['keydown', 'mousemove', 'mousedown', 'wheel', 'touchstart'];

  const lock = (SC.lock = { locked: false, idleMinutes: 0, lastActive: Date.now() });

  /* Called at boot with the bridge's lock state; true when the page must stop at the lock. */
  lock.init = function (state) {
    lock.locked = Boolean(state && state.locked);
    lock.idleMinutes = (state && state.idle_minutes) || 0;
    SC.on('lock', (e) => {
      if (e.locked !== lock.locked) window.location.reload();
    });
    $('#btn-lock').addEventListener('click', () => lock.now('window'));
    if (lock.locked) {
      showLockScreen();
      return true;
    }
    const active = () => { lock.lastActive = Date.now(); };
    for (const type of ACTIVITY) document.addEventListener(type, active, { passive: true, capture: true });
    setInterval(() => lock.check(Date.now()), CHECK_EVERY_MS);
    initIdleChoice();
    return false;
  };

  lock.now = async function (why) {
    try {
      await SC.api('applock.lock', why || 'window');
    } catch (err) {
      SC.notify(err.message, 'error');
      return false;
    }
    window.location.reload();
    return true;
  };

  /* Lock when `now` is past the idle time; a parameter so the timer can be tested. */
  lock.check = function (now) {
    if (lock.locked || !(lock.idleMinutes > 0)) return false;
    if (now - lock.lastActive < lock.idleMinutes * 60000) return false;
    lock.lastActive = now; // once, even if the lock is refused (no passphrase set)
    lock.now('idle');
    return true;
  };

  function initIdleChoice() {
    const select = $('#lock-after');
    const value = String(lock.idleMinutes);
    if (!SC.$$('option', select).some((o) => o.value === value)) {
      select.append(new Option(`${value} minutes`, value));
    }
    select.value = value;
    select.addEventListener('change', async () => {
      $('#lock-after-error').textContent = '';
      try {
        const state = await SC.api('applock.set_idle_minutes', Number(select.value));
        lock.idleMinutes = state.idle_minutes;
        lock.lastActive = Date.now();
      } catch (err) {
        $('#lock-after-error').textContent = err.message;
        select.value = String(lock.idleMinutes);
      }
    });
  }

  function showLockScreen() {
    document.body.classList.add('locked');
    $('#main').hidden = true;
    $('#lock-screen').hidden = false;
    const input = $('#unlock-pass');
    $('#unlock-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      $('#unlock-error').textContent = '';
      const passphrase = input.value;
      input.value = '';
      try {
        await SC.api('applock.unlock', passphrase);
      } catch (err) {
        $('#unlock-error').textContent = err.message;
        input.focus();
        return;
      }
      window.location.reload();
    });
    input.focus();
  }
})();
