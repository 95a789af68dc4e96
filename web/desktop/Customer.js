// web/desktop/Customer.js  The card's customer: the whole record (GET
// /api/v1/customers/ID: email, custom fields, notes the agent can edit)
// and its call history; for an unknown caller, a form that creates a
// customer with the caller's number (POST /api/v1/customers).
import { useEffect, useState } from 'preact/hooks';
import * as api from '../api.js';
import { html } from '../lib/html.js';
import { History } from './History.js';
import { Notes } from './Notes.js';

export function Customer({ contact, dispatch, changed, fail }) {
  const id = contact.customer?.id ?? null;
  const [rec, setRec] = useState(null);

  useEffect(() => {
    setRec(null);
    if (!id) return undefined;
    let live = true;
    api.customer(id).then((r) => { if (live) setRec(r); }).catch(fail);
    return () => { live = false; };
  }, [id]);

  if (!id) {
    return html`<${CreateCustomer} caller=${contact.caller} fail=${fail}
      onCreated=${(r) => dispatch({ type: 'customer', customer: r })} />`;
  }
  const fields = rec && rec.fields && typeof rec.fields === 'object'
    ? Object.entries(rec.fields) : [];
  return html`<section class="customer-rec" data-testid="customer"
      data-customer=${id} aria-labelledby="customer-title">
    <h4 id="customer-title">Customer</h4>
    ${rec ? html`<dl>
      <dt>Email</dt><dd data-testid="customer-email">${rec.email || '-'}</dd>
      ${fields.map(([k, v]) => html`<dt>${k}</dt><dd>${String(v)}</dd>`)}
    </dl>
    <${Notes} id=${id} notes=${rec.notes ?? ''} fail=${fail}
      onSaved=${setRec} />` : html`<p class="hint">Reading the record…</p>`}
    <${History} id=${id} changed=${changed} />
  </section>`;
}

function CreateCustomer({ caller, onCreated, fail }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  if (!caller) return null;

  async function create(ev) {
    ev.preventDefault();
    setBusy(true);
    try {
      onCreated(await api.customerCreate({ name: name.trim(), phones: [caller] }));
      fail(null);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  return html`<form class="inline" data-testid="customer-create"
      onSubmit=${create}>
    <h4>Unknown caller</h4>
    <label for="new-customer-name">Name</label>
    <input id="new-customer-name" required value=${name} disabled=${busy}
      data-testid="customer-create-name"
      onInput=${(e) => setName(e.currentTarget.value)} />
    <button type="submit" disabled=${busy}
      data-testid="customer-create-submit">Create customer</button>
  </form>`;
}
