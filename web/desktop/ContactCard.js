// web/desktop/ContactCard.js  The incoming contact's card, from the
// "screen-pop" event before the agent answers: the caller, the customer
// (name, VIP, phones; the whole record, notes and history below), the
// number dialled, the queue, what the IVR collected and the call's
// status.  While talking: the call controls; with a script for the
// queue: the script; once an answered call ended: the wrap-up.  Every
// value goes in as text (preact escapes it), never as HTML.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { CONTACT_LABELS } from './contact.js';
import { Customer } from './Customer.js';
import { CallControls } from './CallControls.js';
import { Script } from './Script.js';
import { WrapUp } from './WrapUp.js';

export function ContactCard({ contact: c, dispatch, changed, fail }) {
  // the script's path [{step, answer}], for the disposition: a new
  // call starts a new one
  const [path, setPath] = useState([]);
  useEffect(() => setPath([]), [c.call]);

  const cu = c.customer;
  const phones = cu && Array.isArray(cu.phones) ? cu.phones : [];
  const vars = Object.entries(c.vars);
  return html`<section class="contact" data-testid="contact-card"
      data-call=${c.call ?? ''} aria-labelledby="contact-title">
    <div aria-live="polite">
      <h3 id="contact-title">Incoming call
        <span class="status" data-testid="contact-status"
          data-status=${c.status}>${CONTACT_LABELS[c.status]}</span>
        ${c.held && html`<span class="status" data-status="held"
          data-testid="contact-held">On hold</span>`}</h3>
      <p class="caller"><span data-testid="contact-caller">${c.caller
        || 'anonymous'}</span>
        <span class="customer" data-testid="contact-customer">${cu
          ? (cu.name || cu.id) : 'Unknown caller'}</span>
        ${cu?.vip === true && html`<span class="vip"
          data-testid="contact-vip">VIP</span>`}</p>
    </div>
    <dl>
      <dt>Phones</dt>
      <dd data-testid="contact-phones">${phones.length ? phones.join(', ') : '-'}</dd>
      <dt>Dialled</dt>
      <dd data-testid="contact-dialled">${c.dialled || '-'}</dd>
      <dt>Queue</dt>
      <dd data-testid="contact-queue">${c.queue || '-'}</dd>
      ${c.campaign && html`<dt>Campaign</dt>
        <dd data-testid="contact-campaign"><strong>${c.campaign.name
          || c.campaign.id}</strong>${c.campaign.description
          && html` — ${c.campaign.description}`}</dd>`}
    </dl>
    ${vars.length > 0 && html`<dl class="vars" data-testid="contact-vars">
      ${vars.map(([k, v]) => html`<dt>${k}</dt>
        <dd>${typeof v === 'string' ? v : JSON.stringify(v)}</dd>`)}</dl>`}
    ${c.transferred && html`<p class="hint" data-testid="contact-transferred">
      Transferred (${c.transferred}).</p>`}
    ${c.status === 'talking' && html`<${CallControls} contact=${c}
      dispatch=${dispatch} fail=${fail} />`}
    ${c.script && html`<${Script} id=${c.script} call=${c.call} path=${path}
      setPath=${setPath} />`}
    ${c.answered && c.status === 'ended' && html`<${WrapUp} call=${c.call}
      path=${path} fail=${fail} />`}
    <${Customer} contact=${c} dispatch=${dispatch} changed=${changed}
      fail=${fail} />
  </section>`;
}
