// web/admin/scripts.js  The Scripts tab: every call script (GET
// /api/v1/scripts) with its queues; open one in the editor; admins start
// a new one by choosing its id.

import { useEffect, useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, failWith, fmtTime } from './html.js';
import { Alert } from './alert.js';
import { ScriptEditor } from './script-editor.js';

const ID_RE = /^[A-Za-z0-9._-]{1,63}$/;

export function ScriptsTab({ me, onAuthLost }) {
  const admin = me.role === 'admin';
  const [list, setList] = useState(null);
  const [queues, setQueues] = useState(null);
  const [open, setOpen] = useState(null);        // {id, isNew}
  const [newId, setNewId] = useState('');
  const [error, setError] = useState('');
  const fail = failWith(setError, onAuthLost);

  const load = () => api.scripts().then((r) => setList(r.scripts)).catch(fail);
  useEffect(() => {
    load();
    api.configQueues().then((r) => setQueues(r.queues.map((q) => q.id))).catch(fail);
  }, []);

  function create(ev) {
    ev.preventDefault();
    setError('');
    const id = newId.trim();
    if (!ID_RE.test(id)) {
      setError('A script id is 1 to 63 of A-Z a-z 0-9 . _ -');
      return;
    }
    if ((list || []).some((s) => s.id === id)) {
      setError(`A script ${id} exists already: open it to change it.`);
      return;
    }
    setNewId('');
    setOpen({ id, isNew: true });
  }

  return html`
    <section class="tab" aria-labelledby="scripts-h" data-testid="scripts-tab">
      <h2 id="scripts-h">Call scripts</h2>
      <p class="hint">What agents say, step by step, on the calls of a
        script's queues (one script per queue). ${admin
        ? 'A change applies to the next call.' : 'Only admins change them.'}</p>
      <${Alert} error=${error} testid="scripts-error"/>
      <table class="list" data-testid="script-list">
        <thead><tr><th>Id</th><th>Name</th><th>Queues</th><th>Saved</th></tr></thead>
        <tbody>
          ${list && list.map((s) => html`
            <tr key=${s.id} data-testid="script-row" data-id=${s.id}
                aria-selected=${open && open.id === s.id ? 'true' : 'false'}>
              <td><button type="button" class="link" data-testid="script-open-${s.id}"
                          onClick=${() => setOpen({ id: s.id, isNew: false })}>${s.id}</button></td>
              <td>${s.name}</td>
              <td>${(s.queues || []).join(', ') || '—'}</td>
              <td>${fmtTime(s.updated)}</td>
            </tr>`)}
        </tbody>
      </table>
      ${list && !list.length && html`<p class="hint" data-testid="no-scripts">No scripts yet.</p>`}
      ${admin && html`
        <form class="row" onSubmit=${create}>
          <label for="script-new-id">New script id</label>
          <input id="script-new-id" value=${newId} autocapitalize="none" spellcheck="false"
                 onInput=${(e) => setNewId(e.target.value)} data-testid="script-new-id"/>
          <button type="submit" data-testid="btn-script-new">New script</button>
        </form>`}
      ${open && html`
        <${ScriptEditor} key=${open.id} id=${open.id} isNew=${open.isNew}
          readOnly=${!admin} queues=${queues} scripts=${list} onAuthLost=${onAuthLost}
          onSaved=${(id) => { setOpen({ id, isNew: false }); load(); }}
          onDeleted=${() => { setOpen(null); load(); }}
          onClose=${() => setOpen(null)}/>`}
    </section>`;
}
