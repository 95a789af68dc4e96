// web/admin/call-record.js  One call's stored record (GET
// /api/v1/calls/ID/record): its times and outcome, the IVR's variables,
// the offers to agents, holds, dispositions, and its recordings, each
// with a player.

import { useEffect, useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, failWith, fmtDur, fmtTime } from './html.js';
import { Alert } from './alert.js';
import { AudioPlayer } from './audio-player.js';

const table = (testid, head, rows) => html`
  <table class="list" data-testid=${testid}>
    <thead><tr>${head.map((x) => html`<th>${x}</th>`)}</tr></thead>
    <tbody>${rows}</tbody>
  </table>`;

export function CallRecord({ id, onClose, onAuthLost }) {
  const [r, setR] = useState(null);
  const [error, setError] = useState('');
  const fail = failWith(setError, onAuthLost);

  useEffect(() => { api.callRecord(id).then(setR).catch(fail); }, [id]);

  const offers = (r && r.offers) || [];
  const holds = (r && r.holds) || [];
  const disps = (r && r.dispositions) || [];
  const recs = (r && r.recordings) || [];
  const vars = r && r.vars ? Object.entries(r.vars) : [];

  return html`
    <section class="card" aria-labelledby="rec-h" data-testid="call-record"
             data-call=${id} data-state=${r ? 'ready' : 'loading'}>
      <div class="row">
        <h3 id="rec-h">Call <code>${id}</code></h3>
        <span class="grow"></span>
        <button type="button" class="secondary" onClick=${onClose}
                data-testid="btn-record-close">Close</button>
      </div>
      <${Alert} error=${error} testid="record-error"/>
      ${r && html`
        <dl class="facts">
          <dt>From</dt><dd>${r.caller}</dd>
          <dt>Dialled</dt><dd>${r.dialled || '—'}</dd>
          <dt>Queue</dt><dd>${r.queue || '—'}</dd>
          <dt>Agent</dt><dd data-testid="record-agent">${r.agent || '—'}</dd>
          <dt>Outcome</dt><dd data-testid="record-outcome">${r.outcome}</dd>
          <dt>Ended by</dt><dd>${r.ended_by || '—'}</dd>
          <dt>Arrival</dt><dd>${fmtTime(r.arrival)}</dd>
          <dt>Answer</dt><dd>${fmtTime(r.answer)}</dd>
          <dt>End</dt><dd>${fmtTime(r.end)}</dd>
          <dt>Wait / talk</dt><dd>${fmtDur(r.wait_ms)} / ${fmtDur(r.talk_ms)}</dd>
          ${r.transfer_to && html`<dt>Transferred to</dt><dd>${r.transfer_to}</dd>`}
        </dl>
        ${vars.length > 0 && html`<h4>IVR variables</h4>
          <dl class="facts">${vars.map(([k, v]) => html`<dt>${k}</dt><dd>${String(v)}</dd>`)}</dl>`}
        <h4>Offers</h4>
        ${offers.length ? table('record-offers', ['Agent', 'Start', 'Rang', 'Result'],
          offers.map((o) => html`<tr><td>${o.agent}</td><td>${fmtTime(o.start)}</td>
            <td>${fmtDur(o.ring_ms)}</td><td>${o.result}</td></tr>`))
          : html`<p class="hint">None.</p>`}
        <h4>Holds</h4>
        ${holds.length ? table('record-holds', ['Start', 'By', 'Held'],
          holds.map((h) => html`<tr><td>${fmtTime(h.start)}</td><td>${h.by}</td>
            <td>${fmtDur(h.hold_ms)}</td></tr>`))
          : html`<p class="hint">None.</p>`}
        <h4>Dispositions</h4>
        ${disps.length ? table('record-dispositions', ['Time', 'Agent', 'Code', 'Notes'],
          disps.map((d) => html`<tr data-testid="record-disposition" data-code=${d.code}>
            <td>${fmtTime(d.time)}</td><td>${d.agent}</td><td>${d.code}</td>
            <td>${d.notes || ''}</td></tr>`))
          : html`<p class="hint">None.</p>`}
        <h4>Recordings</h4>
        ${recs.length ? html`<ul class="recordings">${recs.map((x) => html`
          <li data-testid="record-recording" data-id=${x.id}>
            #${x.id}, ${fmtTime(x.start)}, ${fmtDur(x.duration_ms)}
            <${AudioPlayer} id=${x.id} onAuthLost=${onAuthLost}/></li>`)}</ul>`
          : html`<p class="hint">None.</p>`}`}
    </section>`;
}
