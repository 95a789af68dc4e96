// web/wallboard/AgentGrid.js  The agent grid: a row per agent with its
// name, state (in words and colour), reason, time in state (on the
// server's clock: serverNow), the call it rings or talks to, its queues
// and whether its phone is registered.
import { html } from '../lib/html.js';
import { DASH, fmtDur, num, stateLabel } from '../lib/format.js';

function Row({ a, serverNow }) {
  const since = num(a.since);
  const call = a.call ? String(a.call) : '';
  return html`<tr data-testid=${`agent-${a.id}`} data-agent=${a.id}
      data-state=${a.state ?? ''} data-since=${since ?? ''}>
    <th scope="row" data-testid="agent-name">${a.name
      ? `${a.name} (${a.id})` : String(a.id)}</th>
    <td><span class="state" data-testid="agent-state"
      data-state=${a.state ?? ''}>${stateLabel(a.state)}</span></td>
    <td data-testid="agent-reason">${a.reason || ''}</td>
    <td data-testid="agent-time">${since === null ? DASH
      : fmtDur(serverNow - since)}</td>
    <td data-testid="agent-call" data-call=${call}>${call || DASH}</td>
    <td data-testid="agent-queues">${Array.isArray(a.queues)
      ? a.queues.join(', ') : DASH}</td>
    <td data-testid="agent-phone">${typeof a.registered === 'boolean'
      ? (a.registered ? 'registered' : 'not registered') : DASH}</td>
  </tr>`;
}

export function AgentGrid({ agents, serverNow }) {
  return html`<table class="agents" data-testid="agent-grid">
    <thead><tr><th scope="col">Agent</th><th scope="col">State</th>
      <th scope="col">Reason</th><th scope="col">Time in state</th>
      <th scope="col">Call</th><th scope="col">Queues</th>
      <th scope="col">Phone</th></tr></thead>
    <tbody>${agents.map((a) => html`<${Row} key=${String(a.id)} a=${a}
      serverNow=${serverNow} />`)}</tbody>
  </table>`;
}
