/* Small helpers shared by the views. Text always goes in as text (never as HTML). */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});

  SC.$ = (selector, root) => (root || document).querySelector(selector);
  SC.$$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));

  /* el('p', {class: 'hint', text: 'x'}, child...) */
  SC.el = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  };

  const SVG_NS = 'http://www.w3.org/2000/svg';
  SC.svg = function (tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    return node;
  };

  function setAttrs(node, attrs) {
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key === 'class') node.setAttribute('class', value);
      else if (key.startsWith('on') && typeof value === 'function') {
        node.addEventListener(key.slice(2), value);
      } else if (key === 'dataset') Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
  }

  /* The report's clock: m:ss, or h:mm:ss past an hour. */
  SC.clock = function (seconds) {
    if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '–';
    const total = Math.round(seconds);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, '0');
    return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
  };

  SC.pct = (x) => (x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`);
  SC.num = (x, digits) => (x === null || x === undefined ? '–' : Number(x).toFixed(digits || 0));

  SC.date = function (iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    return d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
  };

  SC.localInputTime = function (date) {
    const d = date || new Date();
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };

  /* Colours come from the report (copilot.report) through app_info, so both agree. */
  SC.colours = {};
  SC.fallbackColours = ['#6b8fb5', '#b58a6b', '#7fa37a', '#a37a9e', '#a39a6b', '#6ba3a0'];
  SC.colour = function (label) {
    if (SC.colours[label]) return SC.colours[label];
    let sum = 0;
    for (const ch of label) sum += ch.codePointAt(0);
    return SC.fallbackColours[sum % SC.fallbackColours.length];
  };
  SC.swatch = (label) => {
    const s = SC.el('span', { class: 'swatch', 'aria-hidden': 'true' });
    s.style.background = SC.colour(label);
    return s;
  };

  SC.riskName = (category) => String(category).replace(/_/g, ' ');
  /* A flag's kind and its category ("passive wish · suicidal ideation"); older flags have no kind. */
  SC.flagName = (f) => (f.kind ? `${SC.riskName(f.kind)} · ${SC.riskName(f.category)}` : SC.riskName(f.category));
  SC.roleName = (role) => ({ therapist: 'Therapist', client: 'Client', unknown: 'Speaker' })[role] || role;

  SC.debounce = function (fn, ms) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  };

  /* A level in dBFS as a 0..1 bar: -60 dB and below is empty. */
  SC.levelFraction = (db) => Math.max(0, Math.min(1, (db + 60) / 60));

  SC.setMeters = function (role, rmsDb) {
    for (const meter of SC.$$(`.meter[data-role="${role}"]`)) {
      meter.firstElementChild.style.transform = `scaleX(${SC.levelFraction(rmsDb).toFixed(3)})`;
      meter.setAttribute('aria-valuenow', String(Math.round(Math.max(-60, rmsDb))));
    }
  };

  /* One notice line at the top: user errors arrive as one readable line. */
  SC.notify = function (message, kind) {
    const box = SC.$('#notice');
    if (!message) {
      box.hidden = true;
      box.textContent = '';
      return;
    }
    box.className = `notice ${kind || ''}`;
    box.textContent = message;
    box.hidden = false;
    clearTimeout(SC.notify.timer);
    if (kind !== 'error') SC.notify.timer = setTimeout(() => SC.notify(''), 8000);
  };

  /* A modal question; resolves true for OK. Escape and Cancel resolve false. */
  SC.confirm = function (message, okLabel) {
    const dialog = SC.$('#confirm');
    SC.$('#confirm-text').textContent = message;
    SC.$('#confirm-ok').textContent = okLabel || 'OK';
    dialog.returnValue = 'cancel';
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.showModal();
      SC.$('#confirm-cancel').focus();
    });
  };
})();
