// web/admin/key-values.js  Key/value rows to edit (a customer's custom
// fields): add, change, remove.  rows: [{key, value, orig}].

import { html } from './html.js';

export function KeyValues({ legend, rows, onChange }) {
  const setRow = (i, r) => onChange(rows.map((x, j) => (j === i ? r : x)));
  return html`
    <fieldset data-testid="cu-fields">
      <legend>${legend}</legend>
      ${!rows.length && html`<p class="hint">None.</p>`}
      ${rows.map((r, i) => html`
        <div class="row" data-testid="cu-field">
          <input aria-label="${legend} ${i + 1}: name" value=${r.key} placeholder="name"
                 data-testid="cu-field-key"
                 onInput=${(e) => setRow(i, { ...r, key: e.target.value })}/>
          <input aria-label="${legend} ${i + 1}: value" value=${r.value} placeholder="value"
                 data-testid="cu-field-value"
                 onInput=${(e) => setRow(i, { ...r, value: e.target.value })}/>
          <button type="button" class="secondary" aria-label="Remove ${legend} ${i + 1}"
                  onClick=${() => onChange(rows.filter((_, j) => j !== i))}>✕</button>
        </div>`)}
      <button type="button" class="secondary" data-testid="cu-field-add"
              onClick=${() => onChange([...rows, { key: '', value: '', orig: undefined }])}>
        Add a field</button>
    </fieldset>`;
}
