// web/wallboard/Charts.js  Charts of the last 15 minutes, drawn with
// uPlot (a classic script from web/node_modules, window.uPlot): calls
// waiting per queue and service level today per queue, a point per
// status read.  data-points counts the points, data-last holds the last
// values as "QUEUE:VALUE ...".  Without uPlot the charts say "charts
// unavailable" and the rest of the page works.
//
// hist: {ids, x: [s...], waiting: [[n...] per queue], sl: [...]}, kept
// by the board (addPoint below).
import { useEffect, useRef } from 'preact/hooks';
import { html } from '../lib/html.js';
import { num } from '../lib/format.js';

const WINDOW_S = 15 * 60;
const COLORS = ['#0b5cad', '#b35900', '#1b7a3a', '#8a2be2', '#a1141c',
  '#00717a', '#6b3d00', '#c2185b'];

// A status read's point added to hist (a new hist when the queues
// changed or time went back); returns the new hist.
export function addPoint(hist, s) {
  const queues = Array.isArray(s.queues) ? s.queues : [];
  const ids = queues.map((q) => String(q.id));
  const x = (num(s.t) ?? Date.now()) / 1000;
  let h = hist;
  if (!h || ids.join('\n') !== h.ids.join('\n') || x < (h.x.at(-1) ?? -Infinity)) {
    h = { ids, x: [], waiting: ids.map(() => []), sl: ids.map(() => []) };
  }
  h.x.push(x);
  queues.forEach((q, i) => {
    h.waiting[i].push(num(q.waiting));
    h.sl[i].push(num(q.today?.service_level));
  });
  let old = 0;
  while (old < h.x.length && h.x[old] < x - WINDOW_S) old++;
  if (old) for (const a of [h.x, ...h.waiting, ...h.sl]) a.splice(0, old);
  return { ...h };
}

const waitRange = (u, min, max) => [0, Math.max(4, Math.ceil(max ?? 0))];

function Chart({ id, caption, hist, series, range }) {
  const fig = useRef(null);
  const plot = useRef(null);
  const chart = useRef(null);           // {ids, u}
  const ok = typeof window.uPlot === 'function';

  useEffect(() => {
    if (!ok || !hist) return;
    const data = [hist.x, ...hist[series]];
    const width = () => Math.max(240, fig.current.clientWidth - 8);
    const c = chart.current;
    if (c && c.ids === hist.ids) {
      c.u.setData(data);
      return;
    }
    if (c) c.u.destroy();
    plot.current.replaceChildren();
    chart.current = { ids: hist.ids, u: new window.uPlot({
      width: width(),
      height: 200,
      scales: { x: { time: true }, y: { range } },
      series: [{}, ...hist.ids.map((q, i) => ({
        label: q, stroke: COLORS[i % COLORS.length], width: 2,
      }))],
      axes: [{}, { size: 40 }],
    }, data, plot.current) };
  }, [hist, ok]);
  useEffect(() => {
    const resize = () => chart.current?.u.setSize({
      width: Math.max(240, fig.current.clientWidth - 8), height: 200,
    });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.current?.u.destroy();
      chart.current = null;
    };
  }, []);

  const last = hist ? hist.ids.map((q, i) =>
    `${q}:${hist[series][i].at(-1) ?? '-'}`).join(' ') : '';
  return html`<figure data-testid=${id} ref=${fig} hidden=${!ok}
      data-points=${hist ? hist.x.length : 0} data-last=${last}>
    <figcaption>${caption}</figcaption>
    <div class="plot" ref=${plot}></div>
  </figure>`;
}

export function Charts({ hist }) {
  const ok = typeof window.uPlot === 'function';
  return html`<section class="charts" aria-labelledby="charts-title">
    <h3 id="charts-title">Last 15 minutes</h3>
    <p class="hint" data-testid="charts-unavailable" hidden=${ok}>charts
      unavailable (uPlot did not load; it comes with npm ci --prefix web)</p>
    <${Chart} id="chart-waiting" caption="Calls waiting, per queue"
      hist=${hist} series="waiting" range=${waitRange} />
    <${Chart} id="chart-sl" caption="Service level today (%), per queue"
      hist=${hist} series="sl" range=${[0, 100]} />
  </section>`;
}
