// web/admin/setup-agents.js  The Set-up tab's agents (GET
// /api/v1/config/agents): each with its queues (priority) and skills
// (level).  Admins add one, change one (agent-form.js) or remove one
// (DELETE /api/v1/agents/ID, after a confirmation); supervisors read.
// onChanged() after any change the server took, to read the set-up
// again; the server's refusal (409: an agent in a call) is shown as it is.

import { useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, failWith } from './html.js';
import { Alert } from './alert.js';
import { AgentForm } from './agent-form.js';

export function SetupAgents({ agents, queues, skills, admin, onChanged, onAuthLost }) {
  const [open, setOpen] = useState(null);        // {id} ({id: null}: new)
  const [confirm, setConfirm] = useState(null);  // the id to remove
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const fail = failWith(setError, onAuthLost);

  const start = (o) => {
    setError('');
    setNotice('');
    setConfirm(null);
    setOpen(o);
  };
  const done = (msg) => {
    setOpen(null);
    setNotice(msg);
    onChanged();
  };

  async function remove(id) {
    setConfirm(null);
    setError('');
    setNotice('');
    try {
      await api.agentDelete(id);
      if (open && open.id === id) setOpen(null);
      done(`Removed agent ${id}.`);
    } catch (e) {
      fail(e);
    }
  }

  const editing = open && open.id ? agents.find((a) => a.id === open.id) : null;
  return html`
    <div class="row">
      <h3 id="setup-agents-h">Agents</h3>
      <span class="grow"></span>
      ${admin && html`<button type="button" onClick=${() => start({ id: null })}
              disabled=${open && !open.id} data-testid="btn-agent-add">Add agent</button>`}
    </div>
    <${Alert} error=${error} notice=${notice} testid="agent-message"/>
    ${open && (!open.id || editing) && html`
      <${AgentForm} key=${open.id || 'new'} agent=${editing} queues=${queues} skills=${skills}
        onDone=${done} onCancel=${() => setOpen(null)} onAuthLost=${onAuthLost}/>`}
    <table class="list" data-testid="setup-agents" aria-labelledby="setup-agents-h">
      <thead><tr><th>Agent</th><th>Name</th><th>Queues (priority)</th>
        <th>Skills (level)</th><th>Auto log-in</th>${admin && html`<th>Change</th>`}</tr></thead>
      <tbody>${agents.map((a) => html`
        <tr key=${a.id} data-testid="setup-agent" data-id=${a.id}
            aria-selected=${open && open.id === a.id ? 'true' : 'false'}>
          <td>${a.id}</td><td data-testid="setup-agent-name">${a.name || ''}</td>
          <td data-testid="setup-agent-queues">${a.queues.map((m) => `${m.queue} (${m.priority})`).join(', ') || '—'}</td>
          <td data-testid="setup-agent-skills">${a.skills.map((s) => `${s.skill} (${s.level})`).join(', ') || '—'}</td>
          <td>${a.autologin ? 'yes' : 'no'}</td>
          ${admin && html`<td>
            ${confirm !== a.id && html`
              <button type="button" class="secondary" data-testid="agent-edit-${a.id}"
                      onClick=${() => start({ id: a.id })}>Edit</button>
              <button type="button" class="danger" data-testid="agent-remove-${a.id}"
                      onClick=${() => { setError(''); setNotice(''); setConfirm(a.id); }}>Remove…</button>`}
            ${confirm === a.id && html`
              <span role="group" aria-label="Confirm the removal">Remove ${a.id}? Its sessions end.
                <button type="button" class="danger" onClick=${() => remove(a.id)}
                        data-testid="agent-remove-yes">Yes, remove</button>
                <button type="button" class="secondary" onClick=${() => setConfirm(null)}
                        data-testid="agent-remove-no">No</button></span>`}
          </td>`}
        </tr>`)}</tbody>
    </table>`;
}
