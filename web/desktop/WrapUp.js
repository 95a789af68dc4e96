// web/desktop/WrapUp.js  After an answered call: the disposition (a code
// from GET /api/v1/dispositions), notes, and Save: POST
// /api/v1/calls/ID/disposition with the script's path.  A second Save
// replaces the first (the server keeps the last).
import { useEffect, useState } from 'preact/hooks';
import * as api from '../api.js';
import { html } from '../lib/html.js';

export function WrapUp({ call, path, fail }) {
  const [codes, setCodes] = useState(null);
  const [code, setCode] = useState('');
  const [notes, setNotes] = useState('');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(null);

  useEffect(() => {
    let live = true;
    api.dispositions().then((r) => {
      if (!live) return;
      const list = r?.dispositions ?? [];
      setCodes(list);
      setCode((c) => c || list[0]?.code || '');
    }).catch(fail);
    return () => { live = false; };
  }, []);
  useEffect(() => {
    setSaved(null);
    setNotes('');
  }, [call]);

  async function save(ev) {
    ev.preventDefault();
    setBusy(true);
    try {
      await api.dispose(call, code, notes.trim(), path);
      setSaved(codes.find((d) => d.code === code)?.name || code);
      fail(null);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  return html`<form class="wrapup" data-testid="wrapup" onSubmit=${save}
      aria-labelledby="wrapup-title">
    <h4 id="wrapup-title">Wrap-up</h4>
    ${codes && codes.length === 0 && html`<p class="hint">No disposition
      codes are configured.</p>`}
    <label for="wrapup-code">Disposition</label>
    <select id="wrapup-code" data-testid="wrapup-code" value=${code}
      disabled=${busy || !codes?.length}
      onChange=${(e) => setCode(e.currentTarget.value)}>
      ${(codes ?? []).map((d) => html`<option value=${d.code}>${d.name}</option>`)}
    </select>
    <label for="wrapup-notes">Call notes</label>
    <textarea id="wrapup-notes" rows="3" maxlength="2000" value=${notes}
      data-testid="wrapup-notes" disabled=${busy}
      onInput=${(e) => setNotes(e.currentTarget.value)} />
    <button type="submit" data-testid="wrapup-save"
      disabled=${busy || !code}>Save</button>
    <p role="status" data-testid="wrapup-status" data-saved=${saved ? 'yes' : 'no'}>
      ${saved ? `Saved: ${saved}${path.length ? ' (with the script\'s answers)' : ''}` : ''}</p>
  </form>`;
}
