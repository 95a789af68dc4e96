// web/admin/customer-csv.js  Customers in bulk: export (GET
// /api/v1/customers.csv, offered as a download through a Blob link) and
// import (a CSV file, POST /api/v1/customers.csv as text/csv: every row
// or none).  Shows the counts, or the server's refusal with its errors
// by line.

import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, failWith } from './html.js';
import { Alert } from './alert.js';

export function CustomerCsv({ onImported, onAuthLost }) {
  const [error, setError] = useState('');
  const [lines, setLines] = useState([]);
  const [result, setResult] = useState('');
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const url = useRef(null);
  const fail = failWith(setError, onAuthLost);

  useEffect(() => () => url.current && URL.revokeObjectURL(url.current), []);

  async function exportCsv() {
    setError('');
    try {
      const text = await api.customersCsv();
      if (url.current) URL.revokeObjectURL(url.current);
      url.current = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url.current;
      a.download = 'customers.csv';
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) {
      fail(e);
    }
  }

  async function importCsv(ev) {
    ev.preventDefault();
    setError('');
    setLines([]);
    setResult('');
    if (!file) {
      setError('Choose a CSV file first.');
      return;
    }
    setBusy(true);
    try {
      const r = await api.customersImportReport(await file.text());
      if (r.ok) {
        setResult(`Imported: ${r.json.created} new, ${r.json.updated} changed.`);
        onImported();
      } else if (r.status === 401) {
        onAuthLost();
      } else {
        setError((r.json && r.json.error) || `HTTP ${r.status}`);
        const errs = (r.json && Array.isArray(r.json.errors)) ? r.json.errors : [];
        setLines(errs.slice().sort((a, b) => a.line - b.line));
      }
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  return html`
    <section class="card" aria-labelledby="csv-h" data-testid="customer-csv">
      <h3 id="csv-h">CSV</h3>
      <p class="hint">Columns id, name, phones (separated by ;), email, vip
        (yes/no), priority, skill, level, notes; any other column is a custom
        field. An import writes every row or none.</p>
      <div class="row">
        <button type="button" class="secondary" onClick=${exportCsv}
                data-testid="btn-csv-export">Export all (CSV)</button>
      </div>
      <form class="row" onSubmit=${importCsv}>
        <label for="csv-file">CSV file</label>
        <input id="csv-file" type="file" accept=".csv,text/csv" data-testid="csv-file"
               onChange=${(e) => { setFile(e.target.files[0] || null); setResult(''); }}/>
        <button type="submit" disabled=${busy} data-testid="btn-csv-import">Import</button>
      </form>
      <${Alert} error=${error} notice=${result} testid="csv-message"/>
      ${lines.length > 0 && html`
        <table class="list" data-testid="csv-errors">
          <thead><tr><th>Line</th><th>Problem</th></tr></thead>
          <tbody>${lines.map((l) => html`
            <tr data-testid="csv-error" data-line=${l.line}><td>${l.line}</td><td>${l.error}</td></tr>`)}
          </tbody>
        </table>`}
    </section>`;
}
