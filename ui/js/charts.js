/* Charts as inline SVG: the live sparkline and the review's emotional arc. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});

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
