/* The page's side of the bridge: calls into Python, and events pushed from Python.

   Calls go through pywebview's js_api: the facade's own calls are window.pywebview.api.<name>,
   a view's are window.pywebview.api.<view>.<name>, and SC.api takes either as one dotted name
   ('review.session'). Each is answered with a
   JSON object; {"error": "..."} is a user error and becomes a rejected promise here. Events
   arrive as window.copilot.receive([...]) batches. Nothing uses the network. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});

  class UserError extends Error {}
  SC.UserError = UserError;

  SC.connected = function () {
    const api = window.pywebview && window.pywebview.api;
    return Boolean(api && typeof api.app_info === 'function');
  };

  SC.whenConnected = function () {
    return new Promise((resolve) => {
      if (SC.connected()) return resolve();
      window.addEventListener('pywebviewready', () => resolve(), { once: true });
    });
  };

  /* pywebview (Qt) injects its object again when a load finishes, and just after a reload the
     page can already be calling through the previous one: such a call is never answered. A call
     whose object was replaced while it waited is made once more on the new one, and a call
     made before the object is complete waits for it (a few seconds at most). */
  const RETRIES = 20;
  const RETRY_MS = 250;
  const LOST = Symbol('lost');
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function lookup(name) {
    const api = window.pywebview && window.pywebview.api;
    return name.split('.').reduce((obj, key) => (obj ? obj[key] : undefined), api);
  }

  async function answer(call, args, owner) {
    let timer;
    const lost = new Promise((resolve) => {
      timer = setInterval(() => { if (window.pywebview !== owner) resolve(LOST); }, RETRY_MS);
    });
    try {
      return await Promise.race([call(...args), lost]);
    } catch (err) {
      throw new UserError((err && err.message) || String(err));
    } finally {
      clearInterval(timer);
    }
  }

  SC.api = async function (name, ...args) {
    for (let attempt = 0; attempt <= RETRIES; attempt += 1) {
      const owner = window.pywebview;
      const call = lookup(name);
      if (typeof call !== 'function') {
        await pause(RETRY_MS);
        continue;
      }
      const result = await answer(call, args, owner);
      if (result === LOST) continue;
      if (result && typeof result === 'object' && typeof result.error === 'string') {
        throw new UserError(result.error);
      }
      return result;
    }
    throw new UserError(`the window is not connected (${name})`);
  };

  /* Page-side subscribers, by event type (see copilot/events.py). */
  const handlers = {};
  SC.on = function (type, fn) {
    (handlers[type] = handlers[type] || []).push(fn);
  };

  function dispatch(event) {
    for (const fn of handlers[event.type] || []) {
      try {
        fn(event);
      } catch (err) {
        console.error('event handler failed', event.type, err);
      }
    }
  }

  window.copilot = {
    received: 0,
    receive(batch) {
      const events = Array.isArray(batch) ? batch : [batch];
      for (const event of events) dispatch(event);
      this.received += events.length;
      return events.length;
    },
  };
})();
