// web/admin/customers.js  The Customers tab: search (GET
// /api/v1/customers?q=&limit=&offset=, paged by "total"), the record
// selected (or a new one) in a form, its contact history, and CSV
// export and import.

import { useEffect, useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, failWith } from './html.js';
import { Alert } from './alert.js';
import { CustomerForm } from './customer-form.js';
import { CustomerHistory } from './customer-history.js';
import { CustomerCsv } from './customer-csv.js';

const PAGE = 20;

export function CustomersTab({ onAuthLost }) {
  const [q, setQ] = useState('');
  const [shown, setShown] = useState({ q: '', offset: 0 });
  const [page, setPage] = useState(null);       // {customers, total}
  const [open, setOpen] = useState(null);       // {id} ({id: null}: new)
  const [stamp, setStamp] = useState(0);        // bumps reload the lists
  const [skills, setSkills] = useState([]);
  const [error, setError] = useState('');
  const fail = failWith(setError, onAuthLost);

  useEffect(() => {
    api.skills().then((r) => setSkills(r.skills)).catch(() => {});
  }, []);
  useEffect(() => {
    let live = true;                            // a later search wins
    setError('');
    api.customers({ q: shown.q, limit: PAGE, offset: shown.offset })
      .then((r) => live && setPage({ ...r, offset: shown.offset })).catch(fail);
    return () => { live = false; };
  }, [shown, stamp]);

  const search = (ev) => {
    ev.preventDefault();
    setShown({ q: q.trim(), offset: 0 });
  };
  const refresh = () => setStamp((n) => n + 1);
  // what the page shows: the last answer, whose offset may lag shown's
  const total = page ? page.total : 0;
  const first = page ? page.offset : 0;
  const last = Math.min(first + PAGE, total);

  return html`
    <section class="tab" aria-labelledby="customers-h" data-testid="customers-tab">
      <h2 id="customers-h">Customers</h2>
      <form class="row" role="search" onSubmit=${search}>
        <label for="cu-q">Search</label>
        <input id="cu-q" type="search" value=${q} placeholder="name, email, notes…"
               onInput=${(e) => setQ(e.target.value)} data-testid="cu-search"/>
        <button type="submit" data-testid="btn-cu-search">Search</button>
        <span class="grow"></span>
        <button type="button" onClick=${() => setOpen({ id: null })}
                data-testid="btn-cu-new">New customer</button>
      </form>
      <${Alert} error=${error} testid="customers-error"/>
      ${page && html`
        <p class="hint" data-testid="cu-total" data-total=${total}>${total
          ? `${first + 1}–${last} of ${total}` : 'No customers match.'}</p>
        <table class="list" data-testid="cu-list">
          <thead><tr><th>Name</th><th>Id</th><th>Phones</th><th>Email</th><th>VIP</th></tr></thead>
          <tbody>
            ${page.customers.map((c) => html`
              <tr key=${c.id} data-testid="cu-row" data-id=${c.id}
                  aria-selected=${open && open.id === c.id ? 'true' : 'false'}>
                <td><button type="button" class="link" data-testid="cu-open-${c.id}"
                            onClick=${() => setOpen({ id: c.id })}>${c.name}</button></td>
                <td>${c.id}</td>
                <td>${c.phones.join(', ')}</td>
                <td>${c.email || ''}</td>
                <td>${c.vip ? html`<span class="badge">VIP</span>` : ''}</td>
              </tr>`)}
          </tbody>
        </table>
        <div class="row">
          <button type="button" class="secondary" disabled=${first === 0}
                  data-testid="cu-prev"
                  onClick=${() => setShown({ ...shown, offset: Math.max(0, first - PAGE) })}>
            Previous</button>
          <button type="button" class="secondary" disabled=${last >= total}
                  data-testid="cu-next"
                  onClick=${() => setShown({ ...shown, offset: first + PAGE })}>Next</button>
        </div>`}
      ${open && html`
        <div class="customer-detail">
          <${CustomerForm} key=${open.id || 'new'} id=${open.id} skills=${skills}
            onAuthLost=${onAuthLost}
            onSaved=${(c) => { setOpen({ id: c.id }); refresh(); }}
            onDeleted=${() => { setOpen(null); refresh(); }}
            onClose=${() => setOpen(null)}/>
          ${open.id && html`<${CustomerHistory} id=${open.id} stamp=${stamp}
            onAuthLost=${onAuthLost}/>`}
        </div>`}
      <${CustomerCsv} onAuthLost=${onAuthLost} onImported=${refresh}/>
    </section>`;
}
