// web/admin/script-preview.js  The script as an agent walks it, live
// from the editor's form (saved or not): the step's text, its answers as
// buttons or its input and Next, the path so far, and Restart.

import { useState } from 'preact/hooks';
import { html } from './html.js';

export function ScriptPreview({ doc }) {
  const first = doc.start || (doc.steps[0] && doc.steps[0].id) || '';
  // at: the step shown (null: the end); path: [{step, answer}]
  const [walk, setWalk] = useState({ at: first, path: [], from: first });
  const [value, setValue] = useState('');
  // a new start (or a new script) restarts the walk
  const w = walk.from === first ? walk : { at: first, path: [], from: first };
  const step = w.at === null ? null : doc.steps.find((s) => s.id === w.at);

  const go = (answer, next) => {
    setWalk({ at: next || null, path: [...w.path, { step: w.at, answer }], from: first });
    setValue('');
  };
  const restart = () => {
    setWalk({ at: first, path: [], from: first });
    setValue('');
  };

  let body;
  if (w.at === null) {
    body = html`<p class="preview-end" data-testid="preview-end">End of the script.</p>`;
  } else if (!step) {
    body = html`<p class="error" data-testid="preview-missing">Step “${w.at}” is not in
      the script.</p>`;
  } else if (step.kind === 'input') {
    body = html`
      <p class="preview-text" data-testid="preview-text">${step.text}</p>
      <form class="row" onSubmit=${(e) => { e.preventDefault(); go(value, step.next); }}>
        <label>Value <input type=${step.input === 'number' ? 'number' : 'text'}
               value=${value} onInput=${(e) => setValue(e.target.value)}
               data-testid="preview-input"/></label>
        <button type="submit" data-testid="preview-next">Next</button>
      </form>`;
  } else {
    body = html`
      <p class="preview-text" data-testid="preview-text">${step.text}</p>
      <div class="row">
        ${step.answers.map((a) => html`
          <button type="button" data-testid="preview-answer"
                  onClick=${() => go(a.label, a.next)}>${a.label || '(no label)'}</button>`)}
        ${!step.answers.length && html`
          <button type="button" onClick=${() => go('', '')}
                  data-testid="preview-finish">Finish</button>`}
      </div>`;
  }

  return html`
    <aside class="preview card" aria-label="Preview" data-testid="preview"
           data-at=${w.at === null ? '' : w.at}>
      <h3>Preview</h3>
      <p class="hint">As the agent sees it on a call.</p>
      ${body}
      ${w.path.length > 0 && html`
        <ol class="preview-path" data-testid="preview-path">
          ${w.path.map((p) => html`<li>${p.step}: ${p.answer || '—'}</li>`)}
        </ol>`}
      <button type="button" class="secondary" onClick=${restart}
              data-testid="preview-restart">Restart</button>
    </aside>`;
}
