// web/desktop/Transfer.js  Blind transfer of the call: to a queue (from
// GET /api/v1/queues), to an agent (its id) or to a number.  POST
// /api/v1/calls/ID/transfer; the call then leaves this agent, and the
// card follows the agent's state.
import { useEffect, useState } from 'preact/hooks';
import * as api from '../api.js';
import { html } from '../lib/html.js';

export function Transfer({ call, act, busy }) {
  const [kind, setKind] = useState('queue');
  const [queues, setQueues] = useState([]);
  const [target, setTarget] = useState('');

  useEffect(() => {
    let live = true;
    api.queues().then((r) => {
      const list = Array.isArray(r) ? r : r?.queues ?? [];
      if (live) setQueues(list.map((q) => String(q.id)));
    }).catch(() => {});
    return () => { live = false; };
  }, []);

  const to = kind === 'queue' && !target ? queues[0] ?? '' : target.trim();

  function submit(ev) {
    ev.preventDefault();
    if (!to) return;
    act(() => api.transfer(call, { [kind]: to }));
  }

  return html`<form class="inline transfer" data-testid="transfer"
      onSubmit=${submit}>
    <label for="transfer-kind">Transfer to</label>
    <select id="transfer-kind" data-testid="transfer-kind" value=${kind}
      disabled=${busy}
      onChange=${(e) => { setKind(e.currentTarget.value); setTarget(''); }}>
      <option value="queue">a queue</option>
      <option value="agent">an agent</option>
      <option value="number">a number</option>
    </select>
    ${kind === 'queue' ? html`<label for="transfer-target"
        class="sr-only">Queue</label>
      <select id="transfer-target" data-testid="transfer-target" value=${to}
        disabled=${busy} onChange=${(e) => setTarget(e.currentTarget.value)}>
        ${queues.map((q) => html`<option value=${q}>${q}</option>`)}
      </select>`
    : html`<label for="transfer-target" class="sr-only">${kind === 'agent'
        ? 'Agent id' : 'Number'}</label>
      <input id="transfer-target" data-testid="transfer-target" required
        value=${target} disabled=${busy}
        inputmode=${kind === 'number' ? 'tel' : 'text'}
        placeholder=${kind === 'agent' ? 'agent id' : 'number'}
        onInput=${(e) => setTarget(e.currentTarget.value)} />`}
    <button type="submit" disabled=${busy || !to}
      data-testid="btn-transfer">Transfer</button>
  </form>`;
}
