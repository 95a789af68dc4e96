// web/wallboard/QueueTile.js  One queue's tile: waiting, longest wait,
// service level today against its target, ASA, answered and abandoned
// today, ringing and talking now, its members by state.  Each number
// has its own data-testid and its raw value in data-value ("" when the
// server does not send it; "—" shows then).  Red with a badge in alert.
import { html } from '../lib/html.js';
import { DASH, fmtDur, fmtPct, num } from '../lib/format.js';
import { slTarget, today } from './alerts.js';

// A queue's members by state, as the engine names the states
// (agents_by_state), the name shown, and the name the status had in
// its first draft (agents: ringing, talking), still read.
const QUEUE_STATES = [
  ['available', 'ready'], ['offered', 'ringing', 'ringing'],
  ['busy', 'talking', 'talking'], ['wrap-up', 'wrap-up'],
  ['not-ready', 'not ready'], ['logged-out', 'logged out'],
];

function N({ id, value, text }) {
  return html`<span class="n" data-testid=${id}
    data-value=${value === null ? '' : String(value)}>${value === null
    ? DASH : (text ?? String(value))}</span>`;
}

function V({ id, value, text, tag = 'dd' }) {
  const v = value === null ? '' : String(value);
  const t = value === null ? DASH : (text ?? String(value));
  return tag === 'dd' ? html`<dd data-testid=${id} data-value=${v}>${t}</dd>`
    : html`<span data-testid=${id} data-value=${v}>${t}</span>`;
}

export function QueueTile({ q, wait, alerts }) {
  const t = today(q);
  const sl = num(t.service_level);
  const asa = num(t.asa_ms);
  const target = slTarget(q);
  const by = [q.agents_by_state, q.agents, {}]
    .find((o) => o && typeof o === 'object');
  return html`<article class="tile" data-testid=${`queue-${q.id}`}
      data-queue=${q.id}
      data-alert=${alerts.length ? alerts.map(([k]) => k).join(' ') : undefined}>
    <h4 class="qname">${q.id}</h4>
    <p class="badge" data-testid="tile-alert" hidden=${!alerts.length}>
      ${alerts.map(([, text]) => text).join('; ')}</p>
    <div class="big">
      <p><${N} id="waiting" value=${num(q.waiting)} />
        <span class="l">waiting</span></p>
      <p><${N} id="longest-wait" value=${wait} text=${fmtDur(wait)} />
        <span class="l">longest wait</span></p>
      <p><${N} id="sl" value=${sl} text=${fmtPct(sl)} />
        <span class="l">service level today
          <span data-testid="sl-target">${target === null ? '(no target)'
          : `(target ${fmtPct(target)} in ${num(q.sl_seconds) ?? DASH} s)`}</span>
        </span></p>
    </div>
    <dl class="small">
      <dt>ASA today</dt><${V} id="asa" value=${asa} text=${fmtDur(asa)} />
      <dt>Answered today</dt><${V} id="answered" value=${num(t.answered)} />
      <dt>Abandoned today</dt><${V} id="abandoned" value=${num(t.abandoned)} />
      <dt>Ringing / talking</dt>
      <dd><${V} tag="span" id="ringing" value=${num(q.ringing)} /> /
        ${' '}<${V} tag="span" id="talking" value=${num(q.talking)} /></dd>
    </dl>
    <ul class="by-state" data-testid="agents-by-state">
      ${QUEUE_STATES.map(([key, label, alias]) => html`<li data-state=${key}>
        <${V} tag="span" id=${`agents-${key}`}
          value=${num(by[key] ?? (alias && by[alias]))} />${` ${label}`}</li>`)}
    </ul>
  </article>`;
}
