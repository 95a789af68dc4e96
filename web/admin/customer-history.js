// web/admin/customer-history.js  A customer's contacts, newest first
// (GET /api/v1/customers/ID/history: the calls from its phones): date,
// outcome, agent, disposition and notes, wait and talk; "Older" pages on
// with the answer's "next".

import { useEffect, useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, failWith, fmtDur, fmtTime } from './html.js';
import { Alert } from './alert.js';

const PAGE = 20;

export function CustomerHistory({ id, stamp, onAuthLost }) {
  const [calls, setCalls] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState('');
  const fail = failWith(setError, onAuthLost);

  const load = (before) => api.customerHistory(id, { limit: PAGE, before })
    .then((r) => {
      setCalls((old) => (before ? [...(old || []), ...r.calls] : r.calls));
      setNext(r.next);
    }).catch(fail);
  useEffect(() => {
    setCalls(null);
    setError('');
    load();
  }, [id, stamp]);

  return html`
    <section class="card" aria-labelledby="cu-hist-h" data-testid="customer-history"
             data-count=${calls ? calls.length : ''}>
      <h3 id="cu-hist-h">Contact history</h3>
      <${Alert} error=${error} testid="customer-history-error"/>
      ${calls && !calls.length && html`<p class="hint">No calls from this customer's phones.</p>`}
      ${calls && calls.length > 0 && html`
        <table class="list">
          <thead><tr><th>Date</th><th>From</th><th>Queue</th><th>Outcome</th><th>Agent</th>
            <th>Disposition</th><th>Wait</th><th>Talk</th></tr></thead>
          <tbody>
            ${calls.map((c) => html`
              <tr key=${c.id} data-testid="history-row" data-call=${c.id}>
                <td>${fmtTime(c.arrival)}</td>
                <td>${c.caller}</td>
                <td>${c.queue || '—'}</td>
                <td data-testid="history-outcome">${c.outcome}</td>
                <td>${c.agent || '—'}</td>
                <td data-testid="history-disposition">${c.disposition
                  ? html`<strong>${c.disposition.code}</strong>${c.disposition.notes
                    ? html`: ${c.disposition.notes}` : ''}` : '—'}</td>
                <td>${fmtDur(c.wait_ms)}</td>
                <td>${fmtDur(c.talk_ms)}</td>
              </tr>`)}
          </tbody>
        </table>`}
      ${next !== null && next !== undefined && html`
        <button type="button" class="secondary" onClick=${() => load(next)}
                data-testid="history-more">Older</button>`}
    </section>`;
}
