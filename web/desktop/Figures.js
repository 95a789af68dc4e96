// web/desktop/Figures.js  The agent's own figures today (GET
// /api/v1/agents/ID/figures): calls answered, average handling time,
// rank among the agents who took calls.  Read at sign-in and again when
// `changed` moves (a call ended, a disposition saved): the store writes
// behind the calls, so a second read follows a moment later.  A route
// the server lacks (404) or a failed read shows "—".
import { useEffect, useState } from 'preact/hooks';
import * as api from '../api.js';
import { html } from '../lib/html.js';
import { DASH, fmtDur, num } from '../lib/format.js';

const AGAIN_MS = 1500;

export function Figures({ id, changed }) {
  const [f, setF] = useState(null);
  const [why, setWhy] = useState('');

  useEffect(() => {
    let live = true;
    const read = async () => {
      try {
        const r = await api.figures(id);
        if (live) {
          setF(r);
          setWhy('');
        }
      } catch (e) {
        if (live) setWhy(e.status === 404 ? 'not available' : e.message);
      }
    };
    read();
    const again = setTimeout(read, AGAIN_MS);
    return () => {
      live = false;
      clearTimeout(again);
    };
  }, [id, changed.n]);

  const calls = num(f?.calls);
  const rank = num(f?.rank);
  return html`<section class="panel figures" data-testid="figures"
      aria-labelledby="figures-title">
    <h3 id="figures-title">Today</h3>
    <dl>
      <dt>Calls</dt>
      <dd data-testid="figures-calls" data-value=${calls ?? ''}>
        ${calls ?? DASH}</dd>
      <dt>Average handling</dt>
      <dd data-testid="figures-aht">${fmtDur(num(f?.aht_ms))}</dd>
      <dt>Talk time</dt>
      <dd data-testid="figures-talk">${fmtDur(num(f?.talk_ms))}</dd>
      <dt>Rank</dt>
      <dd data-testid="figures-rank">${rank === null ? DASH
        : `${rank} of ${num(f?.of) ?? DASH}`}</dd>
    </dl>
    ${why && html`<p class="hint" data-testid="figures-note">${
      `Figures: ${why}`}</p>`}
  </section>`;
}
