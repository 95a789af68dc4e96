// web/admin/config-file.js  The Configuration file tab (admins): the
// server's file as text (GET /api/v1/config/file, every password, key
// and ha1 shown as "********") in a monospace editor.  Check is POST
// /api/v1/config/check (nothing written): the counts, or the server's
// message; a "line N: ..." message selects line N.  Save (confirmed) is
// PUT /api/v1/config/file: checked, written, applied at once; the text
// is read again (masked) and onConfigChanged() tells the other tabs.
// Before writing, the file is read again: if it changed since this page
// read it (another admin, an agent changed in the Set-up tab), Save asks
// before undoing that change.  "********" left as it is keeps the
// current secret of the same [section] key (the server fills it in).

import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, errText } from './html.js';

const LINE_RE = /^line (\d+):/;
const plural = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`;
const counts = (r) => `${plural(r.queues, 'queue')}, ${plural(r.agents, 'agent')}, ` +
  `${plural(r.numbers, 'number')}, ${plural(r.users, 'user')}`;

// the caret's line (1 first)
const lineOf = (ta) => ta.value.slice(0, ta.selectionStart).split('\n').length;

// Select line n of the textarea, focus it and scroll it into view.
function selectLine(ta, n) {
  const lines = ta.value.split('\n');
  const i = Math.min(Math.max(n, 1), lines.length) - 1;
  let start = 0;
  for (let k = 0; k < i; k++) start += lines[k].length + 1;
  ta.focus();
  ta.setSelectionRange(start, start + lines[i].length);
  const lh = parseFloat(getComputedStyle(ta).lineHeight) || 20;
  ta.scrollTop = Math.max(0, (i - 3) * lh);
}

export function ConfigFileTab({ onAuthLost, onConfigChanged }) {
  const ref = useRef(null);
  const [text, setText] = useState(null);     // the editor's text
  const [loaded, setLoaded] = useState('');   // the file as last read
  const [result, setResult] = useState(null); // {ok, msg, line}
  const [confirm, setConfirm] = useState(''); // '', 'save', 'stale', 'revert'
  const [busy, setBusy] = useState(false);
  const [line, setLine] = useState(1);

  // a refusal: shown as it is; its line selected
  function failed(e) {
    if (e && e.status === 401 && onAuthLost) {
      onAuthLost();
      return;
    }
    const m = LINE_RE.exec(errText(e));
    const n = m ? Number(m[1]) : 0;
    setResult({ ok: false, msg: errText(e), line: n });
    if (n && ref.current) {
      selectLine(ref.current, n);
      setLine(lineOf(ref.current));
    }
  }

  async function read() {
    const t = await api.configFile();
    setText(t);
    setLoaded(t);
    return t;
  }
  useEffect(() => { read().catch(failed); }, []);

  async function check() {
    setConfirm('');
    setResult(null);
    setBusy(true);
    try {
      const r = await api.configCheck(text);
      setResult({ ok: true, msg: `The text is valid: ${counts(r)}. Nothing is saved yet.` });
    } catch (e) {
      failed(e);
    } finally {
      setBusy(false);
    }
  }

  async function save(force) {
    setConfirm('');
    setResult(null);
    setBusy(true);
    try {
      if (!force && (await api.configFile()) !== loaded) {
        setConfirm('stale');
        return;
      }
      const r = await api.configSave(text);
      onConfigChanged();
      const msg = `Saved and applied: ${counts(r)}.`;
      try {
        await read();
        setResult({ ok: true, msg });
      } catch (e) {
        setResult({ ok: false, msg: `${msg} Reading the file again failed: ${errText(e)}` });
      }
    } catch (e) {
      failed(e);
    } finally {
      setBusy(false);
    }
  }

  async function revert() {
    setConfirm('');
    setResult(null);
    try {
      await read();
    } catch (e) {
      failed(e);
    }
  }

  const dirty = text !== null && text !== loaded;
  const track = (e) => setLine(lineOf(e.target));
  return html`
    <section class="tab" aria-labelledby="config-h" data-testid="config-tab"
             data-state=${text === null ? 'loading' : busy ? 'busy' : 'ready'}>
      <h2 id="config-h">Configuration file</h2>
      <div class="notice" id="config-help" data-testid="config-help">
        <p>The server's whole configuration (docs/config.md). <strong>Save</strong> checks
          it, writes it and applies it at once, without a restart and without cutting a
          call; a change that would cut one is refused and nothing is written. Only <code>[server]</code> settings
          need a restart: they are refused here.</p>
        <p data-testid="config-mask-help">Every <code>password</code>, <code>key</code> and <code>ha1</code> shows
          as <code>********</code>. Leave <code>********</code> as it is to keep the current
          secret of the same <code>[section]</code> key; type a new value to change it. A new
          section needs its secret typed.</p>
      </div>
      ${text !== null && html`
        <div class="row">
          <label for="config-text">The file</label>
          <span class="hint" data-testid="config-cursor" aria-live="off">Line ${line}</span>
          ${dirty && html`<span class="badge" data-testid="config-dirty">unsaved changes</span>`}
        </div>
        <textarea id="config-text" class="config-text" rows="28" wrap="off" spellcheck="false"
                  autocapitalize="none" autocomplete="off" value=${text} ref=${ref}
                  aria-describedby="config-help" aria-invalid=${result && result.line ? 'true' : 'false'}
                  data-testid="config-text"
                  onInput=${(e) => { setText(e.target.value); track(e); }}
                  onKeyUp=${track} onClick=${track} onSelect=${track}></textarea>`}
      ${result && html`
        <p class=${result.ok ? 'notice' : 'error'} role=${result.ok ? 'status' : 'alert'}
           data-testid="config-result" data-ok=${result.ok ? 'yes' : 'no'}
           data-line=${result.line || ''}><span data-testid="config-result-text">${result.msg}</span>
          ${result.line ? html` <button type="button" class="link" data-testid="config-goto"
              onClick=${() => { selectLine(ref.current, result.line); setLine(lineOf(ref.current)); }}>
              Go to line ${result.line}</button>` : ''}</p>`}
      <div class="row actions">
        <button type="button" class="secondary" disabled=${busy || text === null}
                onClick=${check} data-testid="btn-config-check">Check</button>
        ${confirm !== 'save' && html`<button type="button" disabled=${busy || text === null}
                onClick=${() => { setResult(null); setConfirm('save'); }}
                data-testid="btn-config-save">Save…</button>`}
        ${confirm === 'save' && html`
          <span role="group" aria-label="Confirm the save">Write this file and apply it now?
            <button type="button" onClick=${() => save(false)}
                    data-testid="btn-config-save-yes">Yes, save and apply</button>
            <button type="button" class="secondary" onClick=${() => setConfirm('')}
                    data-testid="btn-config-save-no">No</button></span>`}
        <button type="button" class="secondary" disabled=${busy || !dirty}
                onClick=${() => setConfirm('revert')} data-testid="btn-config-revert">Revert…</button>
      </div>
      ${confirm === 'revert' && html`
        <p role="group" aria-label="Confirm the revert" class="notice confirm">Drop your changes and
          read the file again?
          <button type="button" class="danger" onClick=${revert}
                  data-testid="btn-config-revert-yes">Yes, drop them</button>
          <button type="button" class="secondary" onClick=${() => setConfirm('')}>No</button></p>`}
      ${confirm === 'stale' && html`
        <p role="alert" class="error confirm" data-testid="config-stale">The file changed on the server
          since this page read it (another admin, or an agent changed in the Set-up tab).
          Saving this text would undo that change.
          <button type="button" class="danger" onClick=${() => save(true)}
                  data-testid="btn-config-save-anyway">Save anyway</button>
          <button type="button" class="secondary" onClick=${() => setConfirm('revert')}>
            Drop my changes…</button></p>`}
    </section>`;
}
