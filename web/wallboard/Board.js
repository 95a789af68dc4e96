// web/wallboard/Board.js  The supervisor's board: the alert banner, a
// tile per queue, the charts and the agent grid, all from GET
// /api/v1/status (useStatus), read again on every event of the stream
// (lib/stream.js; a "gap" needs nothing more: each read is the whole
// picture).  Durations (time in state, longest wait) tick every second
// between reads, on the server's clock: each read takes the offset
// between the status's t and the browser's clock.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { clockOffset, num } from '../lib/format.js';
import { useEventStream } from '../lib/stream.js';
import { useStatus } from './useStatus.js';
import { longestWait, queueAlerts } from './alerts.js';
import { AlertBanner } from './AlertBanner.js';
import { QueueTile } from './QueueTile.js';
import { AgentGrid } from './AgentGrid.js';
import { Charts, addPoint } from './Charts.js';

const TICK_MS = 1000;
const STALE_MS = 10000;
const READ_ERR = 'Reading the status: ';

export function Board({ pollMs, fail, setError }) {
  const [now, setNow] = useState(Date.now());
  const [hist, setHist] = useState(null);

  const { status, readAt, request } = useStatus(pollMs, (e) => {
    if (!e) setError((m) => (m.startsWith(READ_ERR) ? '' : m));
    else if (e.status === 401) fail(e);
    else setError(READ_ERR + e.message);
  });
  const stream = useEventStream(true, {
    onOpen: request,              // whatever happened while it was closed
    onEvent: request,
    onGap: request,
    onUnauthorized: fail,
  });

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    if (status) setHist((h) => addPoint(h, status));
  }, [status]);

  const t = Math.max(now, Date.now());  // `now` ticks; reads come between
  const s = status ?? {};
  const offset = clockOffset(num(s.t), readAt);
  const queues = Array.isArray(s.queues) ? s.queues : [];
  const lines = [];
  const tiles = queues.map((q) => {
    const wait = longestWait(q, t, readAt);
    const alerts = queueAlerts(q, wait);
    for (const [kind, text] of alerts) lines.push([q.id, kind, text]);
    return html`<${QueueTile} key=${String(q.id)} q=${q} wait=${wait}
      alerts=${alerts} />`;
  });
  const live = num(s.calls_live);

  return html`<section data-testid="wallboard" data-stream=${stream}
      data-stale=${status && t - readAt > STALE_MS ? 'yes' : 'no'}
      aria-labelledby="board-title">
    <h2 id="board-title" class="sr-only">Live queues and agents</h2>
    <${AlertBanner} lines=${lines} />
    <p class="summary">Calls live: <strong data-testid="calls-live"
        data-value=${live ?? ''}>${live ?? '—'}</strong>
      <span class="updated" data-testid="updated">${status
        ? `updated ${new Date(readAt + offset).toLocaleTimeString()}` : ''}</span></p>
    <section aria-labelledby="queues-title">
      <h3 id="queues-title">Queues</h3>
      <div class="tiles" data-testid="tiles">${tiles}</div>
    </section>
    <${Charts} hist=${hist} />
    <section aria-labelledby="agents-title">
      <h3 id="agents-title">Agents</h3>
      <${AgentGrid} agents=${Array.isArray(s.agents) ? s.agents : []}
        serverNow=${t + offset} />
    </section>
  </section>`;
}
