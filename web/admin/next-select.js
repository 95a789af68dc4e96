// web/admin/next-select.js  Where a step or an answer leads: a step of
// the script, or the end.  A step id that is no longer in the script (a
// step removed) stays selected, marked missing, so the server's refusal
// on save names what is wrong.

import { html } from './html.js';

export function NextSelect({ value, ids, onChange, label, testid, end = true }) {
  const missing = value && !ids.includes(value);
  return html`
    <select aria-label=${label} value=${value} data-testid=${testid}
            onChange=${(e) => onChange(e.target.value)}>
      ${end && html`<option value="">end</option>`}
      ${ids.map((id) => html`<option value=${id}>${id}</option>`)}
      ${missing && html`<option value=${value}>${value} (missing)</option>`}
    </select>`;
}
