// web/admin/setup.js  The Set-up tab: what the server runs: queues (GET
// /api/v1/config/queues), agents with their queues and skills
// (/config/agents; admins change them here, setup-agents.js), skills
// (/skills), numbers (/config/numbers), dispositions (/dispositions).
// Read again after a change here, and when stamp (main.js: a saved
// configuration file) changes.

import { useEffect, useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, failWith } from './html.js';
import { Alert } from './alert.js';
import { SetupAgents } from './setup-agents.js';

const secs = (s) => (s ? `${s} s` : '—');

export function SetupTab({ me, stamp, onAuthLost }) {
  const admin = me.role === 'admin';
  const [d, setD] = useState(null);
  const [error, setError] = useState('');
  const [own, setOwn] = useState(0);            // bumped by a change here
  const fail = failWith(setError, onAuthLost);

  useEffect(() => {
    Promise.all([api.configQueues(), api.configAgents(), api.skills(),
      api.configNumbers(), api.dispositions()])
      .then(([q, a, s, n, di]) => setD({
        queues: q.queues, agents: a.agents, skills: s.skills,
        numbers: n.numbers, dispositions: di.dispositions,
      })).catch(fail);
  }, [stamp, own]);

  return html`
    <section class="tab" aria-labelledby="setup-h" data-testid="setup-tab">
      <h2 id="setup-h">Set-up</h2>
      <p class="notice" data-testid="setup-notice" data-readonly=${admin ? 'no' : 'yes'}>
        ${admin ? 'Agents are added, changed and removed here; everything else in the '
          + 'Configuration file tab.' : 'Read only: admins change the set-up.'} Changes
        made through these pages are written to the server's configuration file and
        apply at once, without a restart and without cutting a call (a change that
        would cut one is refused). Only <code>[server]</code> settings need a restart:
        they are changed in the file on the server, not here.</p>
      <${Alert} error=${error} testid="setup-error"/>
      ${d && html`
        <h3>Queues</h3>
        <table class="list" data-testid="setup-queues">
          <thead><tr><th>Queue</th><th>Strategy</th><th>Ring</th><th>Wrap-up</th>
            <th>Service level</th><th>Max wait</th><th>Overflow</th><th>Record</th>
            <th>Skill match</th></tr></thead>
          <tbody>${d.queues.map((q) => html`
            <tr data-testid="setup-queue" data-id=${q.id}>
              <td>${q.id}</td><td>${q.strategy}</td><td>${secs(q.ring)}</td>
              <td>${q.wrapup} s</td>
              <td>${q.sl_percent ? `${q.sl_percent}% in ${q.sl_seconds} s` : '—'}</td>
              <td>${secs(q.max_wait)}</td>
              <td>${q.overflow}${q.overflow_queue ? ` → ${q.overflow_queue}` : ''}</td>
              <td>${q.record ? 'yes' : 'no'}</td><td>${q.skill_match ? 'yes' : 'no'}</td>
            </tr>`)}</tbody>
        </table>
        <${SetupAgents} agents=${d.agents} queues=${d.queues.map((q) => q.id)}
          skills=${d.skills} admin=${admin} onAuthLost=${onAuthLost}
          onChanged=${() => setOwn((n) => n + 1)}/>
        <h3>Skills</h3>
        <ul class="chips" data-testid="setup-skills">
          ${d.skills.map((s) => html`<li data-testid="setup-skill">${s}</li>`)}
          ${!d.skills.length && html`<li class="hint">none</li>`}
        </ul>
        <h3>Numbers</h3>
        <table class="list" data-testid="setup-numbers">
          <thead><tr><th>Number</th><th>Leads to</th></tr></thead>
          <tbody>${d.numbers.map((n) => html`
            <tr data-testid="setup-number" data-number=${n.number}>
              <td>${n.number}</td>
              <td>${n.queue ? `queue ${n.queue}` : `flow ${n.flow}`}</td>
            </tr>`)}</tbody>
        </table>
        <h3>Dispositions</h3>
        <table class="list" data-testid="setup-dispositions">
          <thead><tr><th>Code</th><th>Name</th></tr></thead>
          <tbody>${d.dispositions.map((x) => html`
            <tr data-testid="setup-disposition" data-code=${x.code}>
              <td>${x.code}</td><td>${x.name}</td></tr>`)}</tbody>
        </table>`}
    </section>`;
}
