// web/admin/main.js  The admin pages' shell (web/admin.html): who is
// signed in, the tabs (#scripts, #customers, #setup, #calls, and for
// admins #config: the hash keeps the tab across a reload), sign-out.
// A saved configuration file bumps a stamp the tabs may read again on.
// A token already in the tab (sessionStorage, shared with the desktop and
// the wallboard) is checked with GET /api/v1/me; an agent's is left
// alone but not used here.

import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, errText } from './html.js';
import { Alert } from './alert.js';
import { Login } from './login.js';
import { ScriptsTab } from './scripts.js';
import { CustomersTab } from './customers.js';
import { SetupTab } from './setup.js';
import { CallsTab } from './calls.js';
import { ConfigFileTab } from './config-file.js';

const TABS = [
  { id: 'scripts', label: 'Scripts', view: ScriptsTab },
  { id: 'customers', label: 'Customers', view: CustomersTab },
  { id: 'setup', label: 'Set-up', view: SetupTab },
  { id: 'calls', label: 'Calls', view: CallsTab },
  { id: 'config', label: 'Configuration file', view: ConfigFileTab, admin: true },
];

const tabOfHash = () => location.hash.replace(/^#/, '');

function App() {
  const [me, setMe] = useState(null);
  const [checking, setChecking] = useState(!!api.token());
  const [refused, setRefused] = useState(false);
  const [error, setError] = useState('');
  const [tab, setTab] = useState(tabOfHash());
  const [stamp, setStamp] = useState(0);       // bumped by a saved file

  useEffect(() => {
    const onHash = () => setTab(tabOfHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    if (!api.token()) return;
    api.me().then((m) => {
      if (m.role === 'agent') setRefused(true);
      else setMe({ user: m.user, role: m.role });
    }).catch((e) => {
      if (e.status === 401) api.forget();
      else setError(errText(e));
    }).finally(() => setChecking(false));
  }, []);

  async function signOut() {
    setError('');
    try {
      await api.logout();
    } catch (e) {
      setError(errText(e));
    }
    setMe(null);
  }

  // any 401 from a tab: the session is gone, back to the log-in form
  const onAuthLost = () => {
    api.forget();
    setMe(null);
  };

  if (checking) return html`<p class="hint" data-testid="checking">Checking the session…</p>`;

  // the tabs this role has; an unknown hash (or #config for a
  // supervisor) shows the first
  const tabs = TABS.filter((t) => !t.admin || (me && me.role === 'admin'));
  const cur = tabs.find((t) => t.id === tab) || tabs[0];
  const Tab = cur.view;
  return html`
    <header class="top">
      <h1>Switchboard admin</h1>
      ${me && html`
        <p class="who">
          <span data-testid="whoami" data-role=${me.role}>${me.user} (${me.role})</span>
          <button type="button" class="secondary" onClick=${signOut}
                  data-testid="btn-signout">Sign out</button>
        </p>`}
    </header>
    <${Alert} error=${error} testid="error"/>
    ${!me && html`<main><${Login} refused=${refused} onIn=${(m) => {
      setRefused(false);
      setMe(m);
    }}/></main>`}
    ${me && html`
      <nav class="tabs" aria-label="Sections">
        ${tabs.map((t) => html`
          <a href="#${t.id}" aria-current=${t.id === cur.id ? 'page' : undefined}
             data-testid="tab-${t.id}">${t.label}</a>`)}
      </nav>
      <main data-testid="admin" data-tab=${cur.id}>
        <${Tab} key=${cur.id} me=${me} stamp=${stamp} onAuthLost=${onAuthLost}
          onConfigChanged=${() => setStamp((n) => n + 1)}/>
      </main>`}`;
}

const root = document.getElementById('app');
root.textContent = '';
root.removeAttribute('data-testid');
render(html`<${App}/>`, root);
