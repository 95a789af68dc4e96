// web/admin/customer-form.js  A customer record to create or change:
// name, phones, email, VIP, priority, skill and level (routing), notes,
// custom fields as key/value rows.  POST /api/v1/customers for a new one
// (the id may be left to the server), PUT /api/v1/customers/ID (the
// whole record) for an existing one; DELETE after a confirmation.

import { useEffect, useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, failWith, fmtTime } from './html.js';
import { Alert } from './alert.js';
import { KeyValues } from './key-values.js';

const blank = () => ({
  id: '', name: '', phones: [''], email: '', vip: false, priority: '0',
  skill: '', level: '0', notes: '', fields: [],
});

// the record -> the form's strings; a field keeps its value's type
// (orig) while its text is unchanged
function toForm(c) {
  return {
    id: c.id, name: c.name || '', phones: c.phones && c.phones.length ? c.phones.slice() : [''],
    email: c.email || '', vip: !!c.vip, priority: String(c.priority ?? 0),
    skill: c.skill || '', level: String(c.level ?? 0), notes: c.notes || '',
    fields: Object.entries(c.fields || {}).map(([k, v]) => ({
      key: k, value: v === null ? '' : String(v), orig: v,
    })),
    created: c.created, updated: c.updated,
  };
}

function toRecord(f) {
  const int = (v, what) => {
    if (!/^-?\d+$/.test(v.trim())) throw new Error(`${what} must be a whole number`);
    return parseInt(v, 10);
  };
  const fields = {};
  for (const r of f.fields) {
    if (!r.key.trim()) continue;
    const same = r.orig !== undefined && r.value === (r.orig === null ? '' : String(r.orig));
    fields[r.key.trim()] = same ? r.orig : r.value;
  }
  return {
    name: f.name.trim(),
    phones: f.phones.map((p) => p.trim()).filter((p) => p),
    email: f.email.trim() || null,
    vip: f.vip,
    priority: int(f.priority, 'Priority'),
    skill: f.skill.trim() || null,
    level: int(f.level, 'Level'),
    notes: f.notes || null,
    fields,
  };
}

export function CustomerForm({ id, skills, onSaved, onDeleted, onClose, onAuthLost }) {
  const [f, setF] = useState(id ? null : blank());
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [confirm, setConfirm] = useState(false);
  const fail = failWith(setError, onAuthLost);

  useEffect(() => {
    if (id) api.customer(id).then((c) => setF(toForm(c))).catch(fail);
  }, [id]);
  if (!f) return html`<section class="card" data-testid="customer-form" data-state="loading">
    <${Alert} error=${error} testid="customer-error"/></section>`;

  const set = (k, v) => { setF({ ...f, [k]: v }); setNotice(''); };
  const setPhone = (i, v) => set('phones', f.phones.map((p, j) => (j === i ? v : p)));

  async function save(ev) {
    ev.preventDefault();
    setError('');
    setNotice('');
    try {
      const rec = toRecord(f);
      let c;
      if (id) c = await api.customerSave(id, rec);
      else c = await api.customerCreate(f.id.trim() ? { id: f.id.trim(), ...rec } : rec);
      setF(toForm(c));
      setNotice(`Saved ${c.name} (${c.id}).`);
      onSaved(c);
    } catch (e) {
      fail(e);
    }
  }

  async function remove() {
    setConfirm(false);
    try {
      await api.customerDelete(id);
      onDeleted(id);
    } catch (e) {
      fail(e);
    }
  }

  return html`
    <form class="card customer-form" onSubmit=${save} data-testid="customer-form"
          data-state="ready" data-id=${id || ''}>
      <div class="row">
        <h3>${id ? html`Customer <code>${id}</code>` : 'New customer'}</h3>
        <span class="grow"></span>
        <button type="button" class="secondary" onClick=${onClose}
                data-testid="btn-customer-close">Close</button>
      </div>
      ${f.updated && html`<p class="hint">Created ${fmtTime(f.created)}, changed ${fmtTime(f.updated)}.</p>`}
      ${!id && html`
        <label for="cu-id">Id (optional: the server makes one)</label>
        <input id="cu-id" value=${f.id} onInput=${(e) => set('id', e.target.value)}
               autocapitalize="none" spellcheck="false" data-testid="cu-id"/>`}
      <label for="cu-name">Name</label>
      <input id="cu-name" value=${f.name} required onInput=${(e) => set('name', e.target.value)}
             data-testid="cu-name"/>
      <fieldset>
        <legend>Phones</legend>
        ${f.phones.map((p, i) => html`
          <div class="row">
            <input aria-label="Phone ${i + 1}" value=${p} type="tel" data-testid="cu-phone"
                   onInput=${(e) => setPhone(i, e.target.value)}/>
            <button type="button" class="secondary" aria-label="Remove phone ${i + 1}"
                    onClick=${() => set('phones', f.phones.filter((_, j) => j !== i))}>✕</button>
          </div>`)}
        <button type="button" class="secondary" data-testid="cu-phone-add"
                onClick=${() => set('phones', [...f.phones, ''])}>Add a phone</button>
      </fieldset>
      <label for="cu-email">Email</label>
      <input id="cu-email" type="email" value=${f.email} data-testid="cu-email"
             onInput=${(e) => set('email', e.target.value)}/>
      <label class="check"><input type="checkbox" checked=${f.vip} data-testid="cu-vip"
             onChange=${(e) => set('vip', e.target.checked)}/> VIP</label>
      <div class="row">
        <label>Priority <input type="number" min="-1000" max="1000" value=${f.priority}
               class="num" data-testid="cu-priority"
               onInput=${(e) => set('priority', e.target.value)}/></label>
        <label>Skill <input list="cu-skills" value=${f.skill} data-testid="cu-skill"
               onInput=${(e) => set('skill', e.target.value)}/></label>
        <label>Level <input type="number" min="0" max="100" value=${f.level}
               class="num" data-testid="cu-level"
               onInput=${(e) => set('level', e.target.value)}/></label>
        <datalist id="cu-skills">${(skills || []).map((s) => html`<option value=${s}/>`)}</datalist>
      </div>
      <label for="cu-notes">Notes</label>
      <textarea id="cu-notes" rows="3" value=${f.notes} data-testid="cu-notes"
                onInput=${(e) => set('notes', e.target.value)}></textarea>
      <${KeyValues} legend="Custom fields" rows=${f.fields} onChange=${(v) => set('fields', v)}/>
      <${Alert} error=${error} notice=${notice} testid="customer-message"/>
      <div class="row actions">
        <button type="submit" data-testid="btn-customer-save">Save</button>
        ${id && !confirm && html`<button type="button" class="danger" onClick=${() => setConfirm(true)}
                data-testid="btn-customer-delete">Delete…</button>`}
        ${confirm && html`
          <span role="group" aria-label="Confirm the deletion">Delete ${f.name}?
            <button type="button" class="danger" onClick=${remove}
                    data-testid="btn-customer-delete-yes">Yes, delete</button>
            <button type="button" class="secondary" onClick=${() => setConfirm(false)}
                    data-testid="btn-customer-delete-no">No</button></span>`}
      </div>
    </form>`;
}
