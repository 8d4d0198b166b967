/* The trend of the therapist's own check-ins over weeks, one chart per scale, each with its
   numbers as a table. Suggestions are for this screen alone; the charts carry none. */
(function () {
  'use strict';
  const SC = (window.SC = window.SC || {});
  const $ = SC.$;
  const el = SC.el;

  const trends = (SC.trends = { data: null });

  trends.init = function () {
    $('#tr-weeks').addEventListener('change', () => trends.load());
    $('#tr-checkin').addEventListener('click', () => SC.checkin.open({ kind: 'post' }));
  };

  trends.enter = async function () {
    await trends.load();
    $('#tr-title').focus();
  };

  trends.load = async function () {
    let data;
    try {
      data = await SC.reflect('trend_series', { weeks: Number($('#tr-weeks').value) });
    } catch (err) {
      $('#tr-series').replaceChildren(el('p', { class: 'hint', text: err.message }));
      return null;
    }
    trends.data = data;
    $('#tr-suggest').replaceChildren(...(data.suggestions.length
      ? [el('div', { class: 'gentle' }, el('h2', { text: 'For you' }), ...data.suggestions.map((line) => el('p', { text: line })))]
      : []));
    if (!data.series.length) {
      $('#tr-series').replaceChildren(el('p', { class: 'hint', text: 'No check-ins in these weeks yet. Your trend appears here after your first one.' }));
      return data;
    }
    $('#tr-series').replaceChildren(...data.series.map(card));
    return data;
  };

  function card(t) {
    const chart = el('div', { class: 'trend-chart' });
    const latest = t.points[t.points.length - 1];
    const band = SC.bandFor(t.bands, latest.mean);
    const box = el('section', { class: 'card trend', 'data-scale': t.scale, 'data-instrument': t.instrument_id },
      el('h2', { text: t.name }),
      el('p', { class: 'hint', text: `${t.instrument_title} · weekly mean, ${t.low} to ${t.high}` }),
      chart,
      el('p', { class: 'latest' }, `Latest: ${round(latest.mean)}`, band ? el('span', { class: 'tag band', text: band.label }) : null,
        el('span', { class: 'hint', text: ` · week of ${SC.weekLabel(latest.week)}` })),
      el('details', {}, el('summary', { text: 'The numbers' }),
        el('table', { class: 'metrics' },
          el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Week of' }), el('th', { scope: 'col', class: 'n', text: 'Mean' }),
            el('th', { scope: 'col', class: 'n', text: 'Check-ins' }), el('th', { scope: 'col', text: 'Band' }))),
          el('tbody', {}, t.points.map((p) => {
            const b = SC.bandFor(t.bands, p.mean);
            return el('tr', {}, el('td', { text: SC.weekLabel(p.week) }), el('td', { class: 'n', text: round(p.mean) }),
              el('td', { class: 'n', text: String(p.n) }), el('td', { text: b ? b.label : '' }));
          })))));
    SC.trendChart(chart, t);
    return box;
  }

  const round = (x) => String(Math.round(x * 100) / 100);
})();
