// web/admin/script-step.js  One step of a call script in the editor:
// its id, text, and either answers (a label and where each leads) or an
// input (text or number) and where it goes on; move, remove.

import { html } from './html.js';
import { NextSelect } from './next-select.js';
import { move, newKey } from './script-model.js';

export function ScriptStep({ step, index, count, ids, onChange, onRename, onMove, onRemove }) {
  const set = (k, v) => onChange({ ...step, [k]: v });
  const setAnswer = (j, a) => set('answers', step.answers.map((x, i) => (i === j ? a : x)));
  const n = index + 1;
  const idOf = `step-${step.key}`;

  return html`
    <li class="step card" data-testid="step-${index}" data-step=${step.id}>
      <div class="step-head">
        <label for="${idOf}-id">Step ${n} id</label>
        <input id="${idOf}-id" value=${step.id} data-testid="step-id"
               autocapitalize="none" spellcheck="false" required
               onChange=${(e) => onRename(e.target.value.trim())}/>
        <span class="grow"></span>
        <button type="button" class="secondary" aria-label="Move step ${n} up"
                disabled=${index === 0} onClick=${() => onMove(-1)}
                data-testid="step-up">↑</button>
        <button type="button" class="secondary" aria-label="Move step ${n} down"
                disabled=${index === count - 1} onClick=${() => onMove(1)}
                data-testid="step-down">↓</button>
        <button type="button" class="danger" aria-label="Remove step ${n}"
                onClick=${onRemove} data-testid="step-remove">Remove</button>
      </div>
      <label for="${idOf}-text">What the agent says</label>
      <textarea id="${idOf}-text" rows="2" value=${step.text} data-testid="step-text"
                onInput=${(e) => set('text', e.target.value)}></textarea>
      <fieldset class="inline">
        <legend>The caller</legend>
        <label><input type="radio" name="${idOf}-kind" value="answers"
                      checked=${step.kind === 'answers'} data-testid="step-kind-answers"
                      onChange=${() => set('kind', 'answers')}/> answers</label>
        <label><input type="radio" name="${idOf}-kind" value="input"
                      checked=${step.kind === 'input'} data-testid="step-kind-input"
                      onChange=${() => set('kind', 'input')}/> gives a value</label>
      </fieldset>
      ${step.kind === 'answers' ? html`
        <ol class="answers" data-testid="answers">
          ${step.answers.map((a, j) => html`
            <li key=${a.key} data-testid="answer-${j}">
              <input aria-label="Step ${n} answer ${j + 1} label" value=${a.label}
                     placeholder="Answer" data-testid="answer-label"
                     onInput=${(e) => setAnswer(j, { ...a, label: e.target.value })}/>
              <span aria-hidden="true">→</span>
              <${NextSelect} label="Step ${n} answer ${j + 1} leads to" value=${a.next}
                     ids=${ids} testid="answer-next"
                     onChange=${(v) => setAnswer(j, { ...a, next: v })}/>
              <button type="button" class="secondary" aria-label="Move answer ${j + 1} up"
                      disabled=${j === 0} data-testid="answer-up"
                      onClick=${() => set('answers', move(step.answers, j, -1))}>↑</button>
              <button type="button" class="secondary" aria-label="Move answer ${j + 1} down"
                      disabled=${j === step.answers.length - 1} data-testid="answer-down"
                      onClick=${() => set('answers', move(step.answers, j, 1))}>↓</button>
              <button type="button" class="secondary" aria-label="Remove answer ${j + 1}"
                      data-testid="answer-remove"
                      onClick=${() => set('answers', step.answers.filter((_, i) => i !== j))}>✕</button>
            </li>`)}
        </ol>
        ${!step.answers.length && html`<p class="hint">No answers: the script ends here.</p>`}
        <button type="button" class="secondary" data-testid="add-answer"
                onClick=${() => set('answers', [...step.answers,
                  { key: newKey(), label: '', next: '' }])}>Add an answer</button>`
      : html`
        <div class="row">
          <label>Value <select value=${step.input} data-testid="step-input"
                  onChange=${(e) => set('input', e.target.value)}>
            <option value="text">text</option>
            <option value="number">number</option>
          </select></label>
          <label>then <${NextSelect} label="Step ${n} then goes to" value=${step.next}
                  ids=${ids} testid="step-next" onChange=${(v) => set('next', v)}/></label>
        </div>`}
    </li>`;
}
