// web/admin/weighted-picks.js  Names to pick, each with a number: an
// agent's queues with their priorities (1 first) or skills with their
// levels.  A checkbox per name; the number beside it is editable while
// the name is picked.
//
//   <WeightedPicks legend="Queues" what="priority" min=1 max=255
//     names=${['sales', 'support']} value=${{sales: '1'}}
//     onChange=${(v) => ...} testid="agent-queue" disabled=${false}/>
//
// value maps each picked name to its number as typed (a string);
// testids: TESTID-NAME (the checkbox), TESTID-NAME-n (the number).

import { html } from './html.js';

export function WeightedPicks({ legend, what, min, max, names, value, onChange, testid }) {
  const pick = (name, on) => {
    const v = { ...value };
    if (on) v[name] = value[name] ?? String(min);
    else delete v[name];
    onChange(v);
  };
  return html`
    <fieldset data-testid=${testid + 's'}>
      <legend>${legend} <span class="hint">(${what} ${min}–${max})</span></legend>
      ${!names.length && html`<p class="hint">None configured.</p>`}
      <ul class="picks">
        ${names.map((n) => html`
          <li key=${n}>
            <label class="check"><input type="checkbox" checked=${n in value}
                   data-testid="${testid}-${n}"
                   onChange=${(e) => pick(n, e.target.checked)}/> ${n}</label>
            <input type="number" class="num" min=${min} max=${max}
                   aria-label="${what} for ${n}" disabled=${!(n in value)}
                   value=${value[n] ?? ''} data-testid="${testid}-${n}-n"
                   onInput=${(e) => onChange({ ...value, [n]: e.target.value })}/>
          </li>`)}
      </ul>
    </fieldset>`;
}
