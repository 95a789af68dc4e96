// web/admin/agent-form.js  An agent to add or change (admins): id (new
// ones), name, password, the queues served with their priorities, the
// skills with their levels, auto log-in.  POST /api/v1/agents adds the
// [agent ID] section; PUT /api/v1/agents/ID replaces it (the password
// left blank keeps the current one).  The server writes the file and
// applies it at once; its refusal (400, or 409 when the change would cut
// a call) is shown as it is.

import { useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, failWith } from './html.js';
import { Alert } from './alert.js';
import { WeightedPicks } from './weighted-picks.js';

const ID_RE = /^[A-Za-z0-9._-]{1,63}$/;
const MASK = '********';

// the agent (GET /api/v1/config/agents) -> the form; null: a new one
function toForm(a) {
  if (!a) return { id: '', name: '', password: '', autologin: true, queues: {}, skills: {}, order: [] };
  return {
    id: a.id, name: a.name || '', password: '', autologin: !!a.autologin,
    queues: Object.fromEntries(a.queues.map((m) => [m.queue, String(m.priority)])),
    skills: Object.fromEntries(a.skills.map((s) => [s.skill, String(s.level)])),
    order: a.queues.map((m) => m.queue),   // the agent's order of preference
  };
}

// picked names as "NAME:N", in order (the agent's own first), checked
function weighted(picked, order, names, what, lo, hi) {
  const all = [...order, ...names.filter((n) => !order.includes(n))];
  return all.filter((n) => n in picked).map((n) => {
    const v = String(picked[n]).trim();
    const x = Number(v);
    if (!/^\d+$/.test(v) || x < lo || x > hi) {
      throw new Error(`The ${what} for ${n} must be a whole number from ${lo} to ${hi}.`);
    }
    return `${n}:${x}`;
  });
}

function toBody(f, isNew, queueNames, skillNames) {
  const b = {};
  if (isNew) {
    if (!ID_RE.test(f.id.trim())) throw new Error('An agent id is 1 to 63 of A-Z a-z 0-9 . _ - (the SIP user name).');
    b.id = f.id.trim();
  }
  b.name = f.name.trim();
  if (f.password === MASK) {
    throw new Error(`${MASK} is how the configuration file shows a kept secret; type a real password, or leave it blank to keep the current one.`);
  }
  if (f.password) b.password = f.password;
  else if (isNew) throw new Error('A new agent needs a password (its SIP and desktop password).');
  b.queues = weighted(f.queues, f.order, queueNames, 'priority', 1, 255);
  b.skills = weighted(f.skills, [], skillNames, 'level', 1, 10);
  b.autologin = f.autologin;
  return b;
}

// agent: the agent to change, or null for a new one; queues, skills:
// the configured names; onDone(notice) after a change the server took.
export function AgentForm({ agent, queues, skills, onDone, onCancel, onAuthLost }) {
  const isNew = !agent;
  const [f, setF] = useState(() => toForm(agent));
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const fail = failWith(setError, onAuthLost);
  const set = (k, v) => setF({ ...f, [k]: v });
  // a skill the agent has but /skills lacks still shows
  const skillNames = [...skills, ...Object.keys(f.skills).filter((s) => !skills.includes(s))];

  async function save(ev) {
    ev.preventDefault();
    setError('');
    let body;
    try {
      body = toBody(f, isNew, queues, skillNames);
    } catch (e) {
      setError(e.message);
      return;
    }
    setBusy(true);
    try {
      if (isNew) await api.agentCreate(body);
      else await api.agentSave(agent.id, body);
      onDone(`${isNew ? 'Added' : 'Saved'} agent ${isNew ? body.id : agent.id}.`);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  return html`
    <form class="card agent-form" onSubmit=${save} data-testid="agent-form"
          data-id=${isNew ? '' : agent.id} data-state=${busy ? 'saving' : 'ready'}>
      <h4>${isNew ? 'New agent' : html`Agent <code>${agent.id}</code>`}</h4>
      ${isNew && html`
        <label for="ag-id">Id (the SIP user name)</label>
        <input id="ag-id" value=${f.id} required autocapitalize="none" spellcheck="false"
               onInput=${(e) => set('id', e.target.value)} data-testid="agent-id"/>`}
      <label for="ag-name">Name</label>
      <input id="ag-name" value=${f.name} onInput=${(e) => set('name', e.target.value)}
             data-testid="agent-name"/>
      <label for="ag-password">Password${isNew ? '' : ' (blank: keep the current one)'}</label>
      <input id="ag-password" type="password" value=${f.password} autocomplete="new-password"
             required=${isNew} minlength="4" maxlength="128"
             placeholder=${isNew ? '4 to 128 characters' : 'unchanged'}
             onInput=${(e) => set('password', e.target.value)} data-testid="agent-password"/>
      <div class="picks-grid">
        <${WeightedPicks} legend="Queues" what="priority" min=${1} max=${255} names=${queues}
          value=${f.queues} onChange=${(v) => set('queues', v)} testid="agent-queue"/>
        <${WeightedPicks} legend="Skills" what="level" min=${1} max=${10} names=${skillNames}
          value=${f.skills} onChange=${(v) => set('skills', v)} testid="agent-skill"/>
      </div>
      <label class="check"><input type="checkbox" checked=${f.autologin} data-testid="agent-autologin"
             onChange=${(e) => set('autologin', e.target.checked)}/> Auto log-in (registering
        the phone logs the agent in)</label>
      ${!isNew && html`<p class="hint">Saving replaces the agent's section of the file: other
        keys there (<code>max_missed</code>, <code>ha1</code>, comments) go; change those in
        the Configuration file tab.</p>`}
      <${Alert} error=${error} testid="agent-form-error"/>
      <div class="row actions">
        <button type="submit" disabled=${busy} data-testid="btn-agent-save">
          ${isNew ? 'Add agent' : 'Save'}</button>
        <button type="button" class="secondary" onClick=${onCancel}
                data-testid="btn-agent-cancel">Cancel</button>
      </div>
    </form>`;
}
