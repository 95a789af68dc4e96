// web/admin/calls.js  The Calls tab: the call history (GET
// /api/v1/calls/history), newest first, filtered by agent, queue,
// outcome and arrival time; "Older" pages on with the answer's "next"
// (as before=).  A call opens its stored record below.

import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, failWith, fmtDur, fmtTime } from './html.js';
import { Alert } from './alert.js';
import { CallRecord } from './call-record.js';

const PAGE = 25;
const OUTCOMES = ['answered', 'abandoned-queue', 'abandoned-ringing', 'abandoned-ivr',
  'overflowed', 'timed-out', 'transferred', 'rejected', 'failed', 'interrupted', 'ivr',
  'transfer-failed', 'callback-failed', 'callback-cancelled'];
const EMPTY = { agent: '', queue: '', outcome: '', from: '', to: '' };

// a datetime-local value -> Unix ms (the browser's time zone); '' stays
const ms = (v) => (v ? String(new Date(v).getTime()) : '');

export function CallsTab({ onAuthLost }) {
  const [f, setF] = useState(EMPTY);
  const [applied, setApplied] = useState(EMPTY);
  const [calls, setCalls] = useState(null);
  const [next, setNext] = useState(null);
  const [open, setOpen] = useState(null);
  const [opts, setOpts] = useState({ agents: [], queues: [] });
  const [error, setError] = useState('');
  const fail = failWith(setError, onAuthLost);

  useEffect(() => {
    Promise.all([api.configAgents(), api.configQueues()]).then(([a, q]) => setOpts({
      agents: a.agents.map((x) => x.id), queues: q.queues.map((x) => x.id),
    })).catch(() => {});
  }, []);

  const seq = useRef(0);                        // the latest read wins
  const load = (before) => {
    const n = ++seq.current;
    setError('');
    return api.callHistory({
      agent: applied.agent, queue: applied.queue, outcome: applied.outcome,
      from: ms(applied.from), to: ms(applied.to), before, limit: PAGE,
    }).then((r) => {
      if (n !== seq.current) return;
      setCalls((old) => (before ? [...(old || []), ...r.calls] : r.calls));
      setNext(r.next);
    }).catch(fail);
  };
  useEffect(() => { load(); }, [applied]);

  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const select = (k, label, values) => html`
    <label>${label} <select value=${f[k]} onChange=${set(k)} data-testid="calls-${k}">
      <option value="">any</option>
      ${values.map((v) => html`<option value=${v}>${v}</option>`)}
    </select></label>`;

  return html`
    <section class="tab" aria-labelledby="calls-h" data-testid="calls-tab">
      <h2 id="calls-h">Calls</h2>
      <form class="row filters" onSubmit=${(e) => { e.preventDefault(); setApplied({ ...f }); }}>
        ${select('agent', 'Agent', opts.agents)}
        ${select('queue', 'Queue', opts.queues)}
        ${select('outcome', 'Outcome', OUTCOMES)}
        <label>From <input type="datetime-local" value=${f.from} onInput=${set('from')}
               data-testid="calls-from"/></label>
        <label>To <input type="datetime-local" value=${f.to} onInput=${set('to')}
               data-testid="calls-to"/></label>
        <button type="submit" data-testid="btn-calls-filter">Show</button>
        <button type="button" class="secondary" data-testid="btn-calls-reset"
                onClick=${() => { setF(EMPTY); setApplied({ ...EMPTY }); }}>Reset</button>
      </form>
      <${Alert} error=${error} testid="calls-error"/>
      ${calls && !calls.length && html`<p class="hint" data-testid="calls-none">No calls.</p>`}
      ${calls && calls.length > 0 && html`
        <table class="list" data-testid="calls-list">
          <thead><tr><th>Arrival</th><th>Call</th><th>From</th><th>To</th><th>Queue</th>
            <th>Agent</th><th>Outcome</th><th>Wait</th><th>Talk</th><th>Disposition</th>
            <th>Rec.</th></tr></thead>
          <tbody>${calls.map((c) => html`
            <tr key=${c.id} data-testid="call-row" data-call=${c.id}
                aria-selected=${open === c.id ? 'true' : 'false'}>
              <td>${fmtTime(c.arrival)}</td>
              <td><button type="button" class="link" data-testid="call-open"
                          onClick=${() => setOpen(c.id)}>${c.id}</button></td>
              <td>${c.caller}</td><td>${c.dialled || '—'}</td><td>${c.queue || '—'}</td>
              <td>${c.agent || '—'}</td>
              <td data-testid="call-outcome">${c.outcome}</td>
              <td>${fmtDur(c.wait_ms)}</td><td>${fmtDur(c.talk_ms)}</td>
              <td data-testid="call-disposition">${c.disposition ? c.disposition.code : '—'}</td>
              <td>${c.recording ? html`<span role="img" aria-label="recorded" title="recorded">●</span>` : ''}</td>
            </tr>`)}</tbody>
        </table>`}
      ${next !== null && next !== undefined && html`
        <button type="button" class="secondary" onClick=${() => load(next)}
                data-testid="calls-more">Older</button>`}
      ${open && html`<${CallRecord} key=${open} id=${open} onAuthLost=${onAuthLost}
                                     onClose=${() => setOpen(null)}/>`}
    </section>`;
}
