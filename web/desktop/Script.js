// web/desktop/Script.js  The queue's call script (GET /api/v1/scripts/ID):
// the current step's text, its answers as buttons (or a text or number
// field and Next), Back to the step before.  A step's answer leads to
// its `next` step; null or absent is the end.  The path taken,
// [{step, answer}] (answer: the label or the value typed), is kept by the
// card and goes with the disposition.
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api.js';
import { html } from '../lib/html.js';

// The step the path leads to: the start, or where the last answer goes.
function current(doc, path) {
  if (!path.length) return doc.start ?? doc.steps?.[0]?.id ?? null;
  const last = path.at(-1);
  const step = doc.steps.find((s) => s.id === last.step);
  if (!step) return null;
  if (Array.isArray(step.answers)) {
    return step.answers.find((a) => a.label === last.answer)?.next ?? null;
  }
  return step.next ?? null;
}

export function Script({ id, call, path, setPath }) {
  const [doc, setDoc] = useState(null);
  const [why, setWhy] = useState('');
  const [value, setValue] = useState('');
  const head = useRef(null);

  useEffect(() => {
    let live = true;
    setDoc(null);
    api.script(id).then((d) => {
      if (live) setDoc(d && Array.isArray(d.steps) ? d : null);
    }).catch((e) => { if (live) setWhy(e.message); });
    return () => { live = false; };
  }, [id, call]);

  if (why) return html`<p class="hint" data-testid="script-error">Script: ${why}</p>`;
  if (!doc) return null;
  const at = current(doc, path);
  const step = at === null ? null : doc.steps.find((s) => s.id === at);

  const go = (answer) => {
    setPath([...path, { step: at, answer: String(answer) }]);
    setValue('');
    head.current?.focus();
  };
  const back = () => {
    setPath(path.slice(0, -1));
    head.current?.focus();
  };

  return html`<section class="script" data-testid="script"
      data-script=${doc.id} data-step=${at ?? ''}
      aria-labelledby="script-title">
    <h4 id="script-title" tabindex="-1" ref=${head}>${
      `Script: ${doc.name || doc.id}`}</h4>
    ${step ? html`<p class="say" data-testid="script-text">${step.text}</p>
      ${Array.isArray(step.answers) ? html`<div class="actions"
          role="group" aria-label="Answers">
        ${step.answers.map((a) => html`<button type="button"
          data-testid="script-answer" onClick=${() => go(a.label)}>
          ${a.label}</button>`)}</div>`
      : html`<form class="inline" onSubmit=${(e) => { e.preventDefault(); go(value); }}>
        <label for="script-input">Answer</label>
        <input id="script-input" data-testid="script-input" required
          type=${step.input === 'number' ? 'number' : 'text'} value=${value}
          onInput=${(e) => setValue(e.currentTarget.value)} />
        <button type="submit" data-testid="script-next">Next</button>
      </form>`}`
    : html`<p data-testid="script-end">End of the script.</p>`}
    <div class="actions">
      <button type="button" class="secondary" data-testid="script-back"
        disabled=${!path.length} onClick=${back}>Back</button>
    </div>
    ${path.length > 0 && html`<ol class="path" data-testid="script-path">
      ${path.map((p) => html`<li data-step=${p.step}>${
        `${p.step}: ${p.answer}`}</li>`)}</ol>`}
  </section>`;
}
