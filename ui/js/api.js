/* The page's side of the bridge: calls into Python, and events pushed from Python.

   Calls go through pywebview's js_api (window.pywebview.api.<name>), each answered with a
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

  SC.api = async function (name, ...args) {
    const api = window.pywebview && window.pywebview.api;
    if (!api || typeof api[name] !== 'function') {
      throw new UserError(`the window is not connected (${name})`);
    }
    let result;
    try {
      result = await api[name](...args);
    } catch (err) {
      throw new UserError((err && err.message) || String(err));
    }
    if (result && typeof result === 'object' && typeof result.error === 'string') {
      throw new UserError(result.error);
    }
    return result;
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
