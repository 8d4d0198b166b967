/* Charts as inline SVG: the live sparkline, the review's emotional arc, the check-in trend. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const el = (...args) => SC.el(...args);

  /* Live: one bar per reading of the client, up for pleasant and down for unpleasant,
     coloured by the state that led. points: [{t, valence, label}] */
  SC.sparkline = function (container, points) {
    const W = 300;
    const H = 60;
    const mid = H / 2;
    const tMax = Math.max(60, ...points.map((p) => p.t));
    const x = (t) => 4 + ((W - 8) * t) / tMax;
    const y = (v) => mid - v * (mid - 3);
    const latest = points[points.length - 1];
    const svg = SC.svg('svg', {
      viewBox: `0 0 ${W} ${H}`,
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': latest
        ? `${points.length} readings so far; the latest: ${latest.label}, ${latest.valence >= 0 ? 'pleasant' : 'unpleasant'} side`
        : 'No readings yet',
    });
    svg.append(SC.svg('line', {
      x1: 0, x2: W, y1: mid, y2: mid, class: 'gridline', 'vector-effect': 'non-scaling-stroke',
    }));
    for (const p of points) {
      const bar = SC.svg('line', {
        x1: x(p.t), x2: x(p.t), y1: mid, y2: y(p.valence),
        'stroke-width': 3, 'vector-effect': 'non-scaling-stroke', 'stroke-linecap': 'round',
      });
      bar.style.stroke = SC.colour(p.label);
      svg.append(bar);
    }
    if (points.length > 1) {
      const d = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.valence).toFixed(1)}`);
      const path = SC.svg('path', {
        d: d.join(''), fill: 'none', 'stroke-width': 1, 'vector-effect': 'non-scaling-stroke',
      });
      path.style.stroke = 'var(--muted)';
      svg.append(path);
    }
    container.replaceChildren(svg);
  };

  /* Review: time across, each state's strength up. arc: SessionSummary.arc points.
     Each stretch is a button: choosing it calls onPick(startSeconds). */
  SC.arcChart = function (container, arc, duration, onPick) {
    container.replaceChildren();
    if (!arc.length) {
      container.append(SC.el('p', { class: 'hint', text: 'No readings of the client to chart.' }));
      return;
    }
    const W = 600;
    const H = 200;
    const end = Math.max(duration || 0, ...arc.map((p) => p.end)) || 1;
    const x = (t) => (W * t) / end;
    const y = (s) => H - 4 - s * (H - 12);
    const labels = stateLabels(arc);
    const svg = SC.svg('svg', {
      viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'group',
      'aria-label': 'Emotional arc: choose a stretch to read the transcript there',
    });
    for (const level of [0.25, 0.5, 0.75, 1]) {
      svg.append(SC.svg('line', {
        x1: 0, x2: W, y1: y(level), y2: y(level), class: 'gridline',
        'vector-effect': 'non-scaling-stroke',
      }));
    }
    for (const point of arc) svg.append(stretch(point, x, H, onPick));
    for (const label of labels) svg.append(stateLine(arc, label, x, y));
    svg.addEventListener('click', (event) => {
      if (event.target.classList.contains('col-hit')) return;
      const box = svg.getBoundingClientRect();
      onPick(((event.clientX - box.left) / box.width) * end);
    });
    container.append(svg);
    container.append(SC.el('div', { class: 'arc-times', 'aria-hidden': 'true' },
      SC.el('span', { text: '0:00' }), SC.el('span', { text: SC.clock(end / 2) }),
      SC.el('span', { text: SC.clock(end) })));
    container.append(SC.el('div', { class: 'legend' },
      labels.map((label) => SC.el('span', {}, SC.swatch(label), label))));
  };

  /* Trend: one scale's weekly means, weeks across and the score up, with the bands its
     instrument marks for attention shaded behind. t: a trend_series() series. */
  const WEEK_MS = 7 * 24 * 3600 * 1000;
  SC.weekDate = (iso) => new Date(`${iso}T00:00:00Z`);
  SC.weekLabel = (iso) => SC.weekDate(iso).toLocaleDateString([], { month: 'short', day: 'numeric', timeZone: 'UTC' });

  SC.trendChart = function (container, t) {
    const W = 600;
    const H = 140;
    const pad = 8;
    const points = t.points;
    const first = SC.weekDate(points[0].week).getTime();
    const span = Math.max(1, (SC.weekDate(points[points.length - 1].week).getTime() - first) / WEEK_MS);
    const x = (week) => (points.length === 1 ? W / 2 : pad + ((W - 2 * pad) * (SC.weekDate(week).getTime() - first)) / WEEK_MS / span);
    const y = (v) => H - pad - ((H - 2 * pad) * (v - t.low)) / ((t.high - t.low) || 1);
    const latest = points[points.length - 1];
    const band = SC.bandFor(t.bands, latest.mean);
    const svg = SC.svg('svg', {
      viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img',
      'aria-label': `${t.name}: ${points.length} week${points.length === 1 ? '' : 's'}; latest weekly mean ${Math.round(latest.mean * 100) / 100}${band ? `, ${band.label}` : ''}`,
    });
    const bands = [...t.bands].sort((a, b) => a.at_least - b.at_least);
    bands.forEach((b, i) => {
      const from = Math.max(t.low, b.at_least);
      const to = i + 1 < bands.length ? bands[i + 1].at_least : t.high;
      if (b.attention) svg.append(SC.svg('rect', { x: 0, width: W, y: y(to), height: Math.max(0, y(from) - y(to)), class: 'band-attention' }));
      if (from > t.low) {
        svg.append(SC.svg('line', { x1: 0, x2: W, y1: y(from), y2: y(from), class: 'gridline', 'vector-effect': 'non-scaling-stroke' }));
      }
    });
    if (points.length > 1) {
      svg.append(SC.svg('path', {
        d: points.map((p, i) => `${i ? 'L' : 'M'}${x(p.week).toFixed(1)},${y(p.mean).toFixed(1)}`).join(''),
        class: 'trend-line', fill: 'none', 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke', 'stroke-linejoin': 'round',
      }));
    }
    for (const p of points) {
      svg.append(SC.svg('line', {
        x1: x(p.week), x2: x(p.week), y1: y(p.mean), y2: y(p.mean), class: 'trend-dot',
        'stroke-width': 8, 'stroke-linecap': 'round', 'vector-effect': 'non-scaling-stroke', 'data-week': p.week,
      }));
    }
    container.replaceChildren(
      el('div', { class: 'trend-plot' },
        el('div', { class: 'trend-y', 'aria-hidden': 'true' }, el('span', { text: String(t.high) }), el('span', { text: String(t.low) })),
        svg),
      el('div', { class: 'arc-times trend-x', 'aria-hidden': 'true' },
        el('span', { text: SC.weekLabel(points[0].week) }),
        points.length > 1 ? el('span', { text: SC.weekLabel(latest.week) }) : null));
  };

  SC.bandFor = function (bands, score) {
    let found = null;
    for (const b of [...bands].sort((a, c) => a.at_least - c.at_least)) if (score >= b.at_least) found = b;
    return found;
  };

  function stateLabels(arc) {
    const strongest = {};
    for (const point of arc) {
      for (const [label, score] of Object.entries(point.scores)) {
        if (label === 'neutral') continue;
        strongest[label] = Math.max(strongest[label] || 0, score);
      }
    }
    return Object.keys(strongest).sort((a, b) => strongest[b] - strongest[a]);
  }

  function describe(point) {
    const top = Object.entries(point.scores)
      .filter(([label]) => label !== 'neutral')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
      .map(([label, score]) => `${label} ${SC.pct(score)}`);
    return `${SC.clock(point.start)} to ${SC.clock(point.end)}: ${top.join(', ') || 'no strong state'}`;
  }

  function stretch(point, x, H, onPick) {
    const rect = SC.svg('rect', {
      x: x(point.start), y: 0, width: Math.max(1, x(point.end) - x(point.start)), height: H,
      class: 'col-hit', tabindex: 0, role: 'button', 'aria-label': describe(point),
      'data-start': point.start,
    });
    const pick = () => onPick(point.start);
    rect.addEventListener('click', pick);
    rect.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        pick();
      }
    });
    rect.append(SC.svg('title', { text: describe(point) }));
    return rect;
  }

  function stateLine(arc, label, x, y) {
    let d;
    if (arc.length === 1) {
      const p = arc[0];
      const s = p.scores[label] || 0;
      d = `M${x(p.start)},${y(s)}L${x(p.end)},${y(s)}`;
    } else {
      d = arc.map((p, i) => `${i ? 'L' : 'M'}${x((p.start + p.end) / 2).toFixed(1)},${y(p.scores[label] || 0).toFixed(1)}`).join('');
    }
    const path = SC.svg('path', {
      d, fill: 'none', 'stroke-width': 2.5, 'vector-effect': 'non-scaling-stroke',
      'stroke-linejoin': 'round', 'pointer-events': 'none',
    });
    path.style.stroke = SC.colour(label);
    return path;
  }
})();
