// web/lib/session.js  useSession(): who is signed in, for both pages.
//
// A token in sessionStorage (a reload, a second visit in the tab) goes
// straight in (GET /api/v1/me), else the log-in form shows.  accept(who,
// fresh) may refuse a role (the wallboard refuses agents): it returns
// false, and the page stays on the log-in form.  fail(error) is how every
// component reports an API error: a 401 means the session is gone, so
// the page goes back to the log-in form with "Signed out: ..."; anything
// else is shown as it came and the page stays; fail(null) clears it.
import { useCallback, useEffect, useState } from 'preact/hooks';
import * as api from '../api.js';

export function useSession(accept = async () => true) {
  const [phase, setPhase] = useState('boot');   // boot | login | in | out
  const [who, setWho] = useState(null);
  const [error, setError] = useState('');

  const fail = useCallback((e) => {
    if (e && e.status === 401) {
      api.forget();
      setWho(null);
      setPhase('login');
      setError(`Signed out: ${e.message}`);
    } else {
      setError(e ? e.message || String(e) : '');
    }
  }, []);

  async function enter(fresh) {
    const w = await api.me();
    if (!(await accept(w, fresh))) {
      setPhase('login');
      return;
    }
    setWho(w);
    setPhase('in');
  }

  useEffect(() => {
    if (!api.token()) {
      setPhase('login');
      return;
    }
    enter(false).catch((e) => {
      fail(e);
      setPhase('login');
    });
  }, []);

  async function signIn(user, password) {
    setError('');
    try {
      await api.login(user, password);
      await enter(true);
    } catch (e) {
      api.forget();
      setError(e.message);
    }
  }

  async function signOut() {
    setError('');
    setWho(null);
    setPhase('out');              // the page's stream and timers stop
    try {
      await api.logout();
    } catch (e) {
      if (e.status !== 401) setError(`Sign-out: ${e.message}`);
    } finally {
      setPhase('login');
    }
  }

  return { phase, who, error, setError, fail, signIn, signOut };
}
