// web/desktop/History.js  The customer's last calls (GET
// /api/v1/customers/ID/history, newest first): when, outcome, queue,
// agent, talk time, and the disposition with its notes.  Read when the
// card shows and again when `changed` moves ({call, code}: a call ended
// or was dispositioned): the store writes a moment behind, so the read
// is repeated until that call (with that code) is in it, for a while.
import { useEffect, useState } from 'preact/hooks';
import * as api from '../api.js';
import { html } from '../lib/html.js';
import { fmtDur, fmtWhen, num } from '../lib/format.js';

const SHOW = 5;
const RETRY_MS = 400;
const TRIES = 15;

function has(calls, want) {
  if (!want.call) return true;
  const c = calls.find((x) => x.id === want.call);
  return !!c && (!want.code || c.disposition?.code === want.code);
}

export function History({ id, changed }) {
  const [calls, setCalls] = useState(null);
  const [why, setWhy] = useState('');

  useEffect(() => {
    let live = true;
    let timer = null;
    const read = async (tries) => {
      try {
        const r = await api.customerHistory(id, { limit: SHOW });
        if (!live) return;
        const list = Array.isArray(r.calls) ? r.calls : [];
        setCalls(list);
        setWhy('');
        if (tries > 1 && !has(list, changed)) {
          timer = setTimeout(() => read(tries - 1), RETRY_MS);
        }
      } catch (e) {
        if (live) setWhy(e.message);
      }
    };
    read(TRIES);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, changed.n]);

  return html`<section class="history" data-testid="history"
      data-count=${calls ? calls.length : ''} aria-labelledby="history-title">
    <h4 id="history-title">Last calls</h4>
    ${why && html`<p class="hint">History: ${why}</p>`}
    ${calls && calls.length === 0 && html`<p class="hint"
      data-testid="history-empty">No calls yet.</p>`}
    ${calls && calls.length > 0 && html`<ol class="calls">
      ${calls.map((c) => html`<${Row} key=${c.id} c=${c} />`)}</ol>`}
  </section>`;
}

function Row({ c }) {
  const d = c.disposition && typeof c.disposition === 'object'
    ? c.disposition : null;
  return html`<li data-testid="history-call" data-call=${c.id}
      data-outcome=${c.outcome ?? ''} data-disposition=${d?.code ?? ''}>
    <span class="when">${fmtWhen(num(c.arrival))}</span>
    ${' '}<span class="outcome">${c.outcome ?? '-'}</span>
    ${c.queue && html` · ${c.queue}`}
    ${c.agent && html` · agent ${c.agent}`}
    ${num(c.talk_ms) !== null && num(c.talk_ms) > 0
      && html` · talked ${fmtDur(c.talk_ms)}`}
    ${d && html`<div class="disposition" data-testid="history-disposition">
      <strong>${d.code}</strong>${d.notes ? `: ${d.notes}` : ''}</div>`}
  </li>`;
}
