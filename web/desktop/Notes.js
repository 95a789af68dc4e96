// web/desktop/Notes.js  The customer's notes, editable: Save reads the
// record afresh (GET), changes its notes and writes it whole (PUT
// /api/v1/customers/ID), so what others changed meanwhile stays.
import { useEffect, useState } from 'preact/hooks';
import * as api from '../api.js';
import { html } from '../lib/html.js';

export function Notes({ id, notes, fail, onSaved }) {
  const [text, setText] = useState(notes);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  useEffect(() => setText(notes), [id, notes]);

  async function save(ev) {
    ev.preventDefault();
    setBusy(true);
    setSaved(false);
    try {
      const rec = await api.customer(id);
      const { created, updated, ...body } = rec;
      const r = await api.customerSave(id, { ...body, notes: text });
      onSaved(r);
      setSaved(true);
      fail(null);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  return html`<form class="notes" data-testid="customer-notes-form"
      onSubmit=${save}>
    <label for="customer-notes">Customer notes</label>
    <textarea id="customer-notes" rows="3" data-testid="customer-notes"
      disabled=${busy} value=${text}
      onInput=${(e) => { setText(e.currentTarget.value); setSaved(false); }} />
    <button type="submit" disabled=${busy || text === notes}
      data-testid="customer-notes-save">Save notes</button>
    <span role="status" data-testid="customer-notes-status">${saved
      ? 'Notes saved' : ''}</span>
  </form>`;
}
