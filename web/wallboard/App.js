// web/wallboard/App.js  The supervisor wallboard page: header (who, Sign
// out), the error line, the log-in form or the board.  An agent who signs
// in here is told that the wallboard is for supervisors, with a link to
// the desktop, and the session that sign-in made is ended at once; a
// desktop session already in the tab is left alone.
import { useState } from 'preact/hooks';
import * as api from '../api.js';
import { html } from '../lib/html.js';
import { useSession } from '../lib/session.js';
import { ErrorBanner } from '../lib/ErrorBanner.js';
import { SignIn } from '../lib/SignIn.js';
import { Board } from './Board.js';

// 2 s; ?poll=MS (500 ms to 10 min) changes it, e.g. for a test that
// must see updates come from the event stream alone.
function pollMs() {
  const v = Number(new URLSearchParams(location.search).get('poll'));
  return Number.isInteger(v) && v >= 500 && v <= 600000 ? v : 2000;
}

export function App() {
  const [notice, setNotice] = useState(false);
  const s = useSession(async (who, fresh) => {
    if (who.role === 'supervisor' || who.role === 'admin') return true;
    if (fresh) await api.logout().catch(() => api.forget());
    setNotice(true);
    return false;
  });
  const signIn = (user, password) => {
    setNotice(false);
    return s.signIn(user, password);
  };

  return html`<header>
    <h1>Switchboard wallboard</h1>
    ${s.who && html`<p class="who"><span data-testid="whoami">${
      `Signed in as ${s.who.user} (${s.who.role})`}</span>
      <button type="button" class="secondary" data-testid="btn-signout"
        onClick=${s.signOut}>Sign out</button></p>`}
  </header>
  <main>
    <${ErrorBanner} message=${s.error} />
    ${notice && html`<p class="notice" data-testid="not-supervisor">The
      wallboard is for supervisors and admins. Agents have
      ${' '}<a href="/">the agent desktop</a>.</p>`}
    ${s.phase === 'login' && html`<${SignIn} onSubmit=${signIn}
      hint="Supervisors sign in with their user id and password." />`}
    ${s.phase === 'in' && s.who && html`<${Board} pollMs=${pollMs()}
      fail=${s.fail} setError=${s.setError} />`}
  </main>`;
}
