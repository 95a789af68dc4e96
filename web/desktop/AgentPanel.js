// web/desktop/AgentPanel.js  The agent: name, id, state (with the
// not-ready reason), whether its phone is registered, and the state
// buttons: Ready, Not ready with a reason, Log out.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { stateLabel } from '../lib/format.js';

// Not-ready reasons the server knows: it registers "break" only (plus
// its own "api", "phone", "unregistered"; src/core/center.c).  Add here
// when reasons become configurable: an unknown one is refused with 400.
const REASONS = [['break', 'Break']];

export function AgentPanel({ agent, setState }) {
  const [reason, setReason] = useState(REASONS[0][0]);
  const [busy, setBusy] = useState(false);
  if (!agent) return html`<p class="hint">Reading the agent…</p>`;

  async function go(state) {
    setBusy(true);
    try {
      await setState(state, state === 'not-ready' ? reason : undefined);
    } finally {
      setBusy(false);
    }
  }

  return html`<section class="panel" data-testid="agent"
      aria-labelledby="agent-title">
    <h3 id="agent-title">Me</h3>
    <dl>
      <dt>Agent</dt>
      <dd><span data-testid="agent-name">${agent.name || agent.id}</span>
        ${' '}(<span data-testid="agent-id">${agent.id}</span>)</dd>
      <dt>State</dt>
      <dd><span class="state" data-testid="agent-state" aria-live="polite"
          data-state=${agent.state}>${stateLabel(agent.state)}</span>
        ${' '}<span data-testid="agent-reason" data-reason=${agent.reason ?? ''}>
          ${agent.reason ? `(${agent.reason})` : ''}</span></dd>
      <dt>Phone</dt>
      <dd data-testid="agent-phone">${agent.registered === false
        ? 'not registered: register your phone to go ready'
        : agent.registered ? 'registered' : '—'}</dd>
    </dl>
    <div class="actions">
      <button type="button" data-testid="btn-ready" disabled=${busy}
        onClick=${() => go('ready')}>Ready</button>
      <span class="not-ready">
        <label for="reason">Reason</label>
        <select id="reason" data-testid="reason" value=${reason}
          disabled=${busy} onChange=${(e) => setReason(e.currentTarget.value)}>
          ${REASONS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
        </select>
        <button type="button" data-testid="btn-not-ready" disabled=${busy}
          onClick=${() => go('not-ready')}>Not ready</button>
      </span>
      <button type="button" data-testid="btn-logout" disabled=${busy}
        onClick=${() => go('logged-out')}>Log out</button>
    </div>
  </section>`;
}
