// web/lib/SignIn.js  The log-in form both pages share: user and password
// (labelled), submit.  onSubmit(user, password) is awaited; the fields
// are disabled meanwhile and the password is cleared after it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';

export function SignIn({ hint, onSubmit }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const userRef = useRef(null);

  useEffect(() => { userRef.current?.focus(); }, []);

  async function submit(ev) {
    ev.preventDefault();
    setBusy(true);
    try {
      await onSubmit(user.trim(), password);
    } finally {
      setPassword('');
      setBusy(false);
    }
  }

  return html`<form data-testid="login-form" onSubmit=${submit}>
    <h2>Sign in</h2>
    <p class="hint">${hint}</p>
    <label for="login-user">User</label>
    <input id="login-user" name="user" autocomplete="username"
      autocapitalize="none" spellcheck="false" required ref=${userRef}
      data-testid="login-user" disabled=${busy} value=${user}
      onInput=${(e) => setUser(e.currentTarget.value)} />
    <label for="login-password">Password</label>
    <input id="login-password" name="password" type="password"
      autocomplete="current-password" required data-testid="login-password"
      disabled=${busy} value=${password}
      onInput=${(e) => setPassword(e.currentTarget.value)} />
    <button type="submit" data-testid="login-submit"
      disabled=${busy}>Sign in</button>
  </form>`;
}
