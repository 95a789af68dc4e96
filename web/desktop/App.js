// web/desktop/App.js  The agent desktop page: the header (who is signed
// in), the error line, and either the log-in form or the desktop.
import { html } from '../lib/html.js';
import { useSession } from '../lib/session.js';
import { ErrorBanner } from '../lib/ErrorBanner.js';
import { SignIn } from '../lib/SignIn.js';
import { Desktop } from './Desktop.js';

export function App() {
  const s = useSession();
  return html`<header>
    <h1>Switchboard</h1>
    ${s.who && html`<p data-testid="whoami" class="whoami">${
      `Signed in as ${s.who.user} (${s.who.role})`}</p>`}
  </header>
  <main>
    <${ErrorBanner} message=${s.error} />
    ${s.phase === 'login' && html`<${SignIn} onSubmit=${s.signIn}
      hint="Agents sign in with their agent id and phone (SIP) password." />`}
    ${s.phase === 'in' && s.who && html`<${Desktop} who=${s.who}
      fail=${s.fail} signOut=${s.signOut} />`}
  </main>`;
}
