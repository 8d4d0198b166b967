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

  SC.api = async function (name, ...args) {
    const api = window.pywebview && window.pywebview.api;
    const call = name.split('.').reduce((obj, key) => (obj ? obj[key] : undefined), api);
    if (typeof call !== 'function') {
      throw new UserError(`the window is not connected (${name})`);
    }
    let result;
    try {
      result = await call(...args);
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
