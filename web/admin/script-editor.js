// web/admin/script-editor.js  One call script: name, queues (the
// configured ones, as checkboxes), start step and steps, with the live
// preview beside.  Admins save (PUT /api/v1/scripts/ID) and delete
// (DELETE, after a confirmation); the server checks the script and its
// 400 or 409 message is shown as it is.  Supervisors read: every field
// is disabled and there is no Save or Delete.

import { useEffect, useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, failWith, fmtTime } from './html.js';
import { Alert } from './alert.js';
import { ScriptStep } from './script-step.js';
import { ScriptPreview } from './script-preview.js';
import { NextSelect } from './next-select.js';
import {
  blankScript, blankStep, fromServer, move, renameStep, toServer,
} from './script-model.js';

export function ScriptEditor({ id, isNew, readOnly, queues, scripts, onSaved, onDeleted, onClose, onAuthLost }) {
  const [doc, setDoc] = useState(isNew ? blankScript() : null);
  const [updated, setUpdated] = useState(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const fail = failWith(setError, onAuthLost);

  useEffect(() => {
    if (isNew) return;
    api.script(id).then((j) => {
      setDoc(fromServer(j));
      setUpdated(j.updated);
    }).catch(fail);
  }, [id]);

  if (!doc) {
    return html`<section class="editor" data-testid="script-editor" data-state="loading">
      <${Alert} error=${error} testid="script-error"/>
      ${!error && html`<p class="hint">Loading ${id}…</p>`}</section>`;
  }

  const edit = (d) => {
    setDoc(d);
    setNotice('');
  };
  const ids = doc.steps.map((s) => s.id);
  const setStep = (i, s) => edit({ ...doc, steps: doc.steps.map((x, j) => (j === i ? s : x)) });
  const owner = (q) => {
    const s = (scripts || []).find((x) => x.id !== id && (x.queues || []).includes(q));
    return s ? s.id : null;
  };
  const toggleQueue = (q, on) => edit({
    ...doc,
    queues: on ? [...doc.queues, q] : doc.queues.filter((x) => x !== q),
  });
  // the queues to offer: the configured ones, and any the script names
  const queueIds = [...new Set([...(queues || []), ...doc.queues])];

  async function save(ev) {
    ev.preventDefault();
    setError('');
    setNotice('');
    setBusy(true);
    try {
      const j = await api.scriptSave(id, toServer(doc));
      setDoc(fromServer(j));
      setUpdated(j.updated);
      setNotice(`Saved ${id}.`);
      onSaved(id);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setError('');
    setConfirm(false);
    try {
      await api.scriptDelete(id);
      onDeleted(id);
    } catch (e) {
      fail(e);
    }
  }

  return html`
    <section class="editor" data-testid="script-editor" data-id=${id}
             data-state="ready" data-readonly=${readOnly ? 'yes' : 'no'}>
      <div class="row">
        <h2>${isNew ? 'New script' : 'Script'} <code>${id}</code></h2>
        <span class="grow"></span>
        <button type="button" class="secondary" onClick=${onClose}
                data-testid="btn-script-close">Close</button>
      </div>
      ${updated && html`<p class="hint">Last saved ${fmtTime(updated)}.</p>`}
      ${readOnly && html`<p class="notice" data-testid="script-readonly">Read only:
        only admins change scripts.</p>`}
      <div class="editor-grid">
        <form onSubmit=${save} data-testid="script-form">
          <fieldset class="plain" disabled=${readOnly}>
            <label for="script-name">Name</label>
            <input id="script-name" value=${doc.name} required data-testid="script-name"
                   onInput=${(e) => edit({ ...doc, name: e.target.value })}/>
            <fieldset>
              <legend>Queues (their calls show this script)</legend>
              ${!queueIds.length && html`<p class="hint">No queues configured.</p>`}
              ${queueIds.map((q) => html`
                <label class="check">
                  <input type="checkbox" checked=${doc.queues.includes(q)}
                         data-testid="script-queue-${q}"
                         onChange=${(e) => toggleQueue(q, e.target.checked)}/>
                  ${q}${owner(q) && html` <span class="hint">(now: ${owner(q)})</span>`}
                </label>`)}
            </fieldset>
            <label>Start step <${NextSelect} label="Start step" value=${doc.start}
                   ids=${ids} end=${false} testid="script-start"
                   onChange=${(v) => edit({ ...doc, start: v })}/></label>
            <h3>Steps</h3>
            <ol class="steps" data-testid="steps">
              ${doc.steps.map((s, i) => html`
                <${ScriptStep} key=${s.key} step=${s} index=${i} count=${doc.steps.length}
                  ids=${ids}
                  onChange=${(x) => setStep(i, x)}
                  onRename=${(v) => edit(renameStep(doc, i, v))}
                  onMove=${(d) => edit({ ...doc, steps: move(doc.steps, i, d) })}
                  onRemove=${() => edit({ ...doc, steps: doc.steps.filter((_, j) => j !== i) })}/>`)}
            </ol>
            <button type="button" class="secondary" data-testid="add-step"
                    onClick=${() => edit({ ...doc, steps: [...doc.steps, blankStep(doc)] })}>
              Add a step</button>
          </fieldset>
          <${Alert} error=${error} notice=${notice} testid="script-message"/>
          ${!readOnly && html`
            <div class="row actions">
              <button type="submit" disabled=${busy} data-testid="btn-script-save">Save</button>
              ${!isNew && !confirm && html`
                <button type="button" class="danger" onClick=${() => setConfirm(true)}
                        data-testid="btn-script-delete">Delete…</button>`}
              ${confirm && html`
                <span role="group" aria-label="Confirm the deletion">
                  Delete script ${id}?
                  <button type="button" class="danger" onClick=${remove}
                          data-testid="btn-script-delete-yes">Yes, delete</button>
                  <button type="button" class="secondary" onClick=${() => setConfirm(false)}
                          data-testid="btn-script-delete-no">No</button>
                </span>`}
            </div>`}
        </form>
        <${ScriptPreview} doc=${doc}/>
      </div>
    </section>`;
}
