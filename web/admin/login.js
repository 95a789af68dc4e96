// web/admin/login.js  The log-in form: a user id and password
// (POST /api/v1/login through api.js, which keeps the token).  An agent's
// sign-in is refused here: its new session is ended at once and the page
// says who the admin pages are for.

import { useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, errText } from './html.js';
import { Alert } from './alert.js';

export function Login({ onIn, refused }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [agent, setAgent] = useState(refused);
  const [busy, setBusy] = useState(false);

  async function submit(ev) {
    ev.preventDefault();
    setError('');
    setAgent(false);
    setBusy(true);
    try {
      const r = await api.login(user.trim(), password);
      if (r.role === 'agent') {
        await api.logout().catch(() => {});
        setAgent(true);
      } else {
        onIn({ user: r.user, role: r.role });
      }
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
      setPassword('');
    }
  }

  return html`
    <form class="login card" onSubmit=${submit} data-testid="login-form">
      <h2>Sign in</h2>
      <p class="hint">For supervisors and admins: sign in with your user
        id and password.</p>
      <${Alert} error=${error} testid="login-error"/>
      ${agent && html`
        <p class="error" role="alert" data-testid="not-supervisor">These
          pages are for supervisors and admins. Agents have${' '}
          <a href="/">the agent desktop</a>.</p>`}
      <label for="login-user">User</label>
      <input id="login-user" name="user" autocomplete="username"
             autocapitalize="none" spellcheck="false" required
             value=${user} onInput=${(e) => setUser(e.target.value)}
             data-testid="login-user"/>
      <label for="login-password">Password</label>
      <input id="login-password" name="password" type="password"
             autocomplete="current-password" required
             value=${password} onInput=${(e) => setPassword(e.target.value)}
             data-testid="login-password"/>
      <button type="submit" disabled=${busy}
              data-testid="login-submit">Sign in</button>
    </form>`;
}
