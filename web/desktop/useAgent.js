// web/desktop/useAgent.js  The signed-in agent as the desktop shows it:
// read once with GET /api/v1/agents/ID, then kept by the "agent-state"
// events (detail "FROM -> TO[ REASON]"), read again after a gap and every
// POLL_MS as a safety net (whether a phone is registered has no event of
// its own).
//
// Order.  Replies may overtake each other (a poll sent before a click can
// answer after it): each request that returns the agent, and each state
// event, takes a ticket, and a reply older than the one on screen is
// dropped.
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api.js';

const POLL_MS = 30000;

export function useAgent(id, fail) {
  const [agent, setAgent] = useState(null);
  const ticket = useRef(0);
  const shown = useRef(0);
  const live = useRef(true);

  function show(t, a) {
    if (!live.current) return false;
    if (t < shown.current) {
      // older than the state on screen: keep only what events do not
      // carry (name, phone)
      setAgent((cur) => (cur ? { ...a, state: cur.state, reason: cur.reason } : a));
      return false;
    }
    shown.current = t;
    setAgent(a);
    return true;
  }

  // Read the agent; resolves to its state when the reply was shown.
  async function refresh() {
    const t = ++ticket.current;
    const a = await api.agent(id);
    return show(t, a) ? a.state : null;
  }

  // An "agent-state" event: returns [from, to] for the card to follow.
  function applyEvent(ev) {
    const m = /^(\S+) -> (\S+)(?: (\S+))?$/.exec(ev.detail ?? '');
    if (!m) return null;
    const [, from, to, reason] = m;
    const t = ++ticket.current;
    shown.current = t;
    setAgent((a) => ({ ...(a ?? { id }), state: to, reason: reason ?? null }));
    return [from, to];
  }

  // POST .../state; the reply is the agent.
  async function setState(state, reason) {
    const t = ++ticket.current;
    try {
      show(t, await api.setState(id, state, reason));
      fail(null);                 // done: the last error is over
    } catch (e) {
      fail(e);
      if (e.status !== 401) refresh().catch(() => {});
    }
  }

  useEffect(() => {
    live.current = true;
    let timer = null;
    const poll = () => {
      timer = setTimeout(async () => {
        try {
          await refresh();
        } catch (e) {
          if (e.status === 401) {
            fail(e);
            return;
          }
          // a network blip: again at the next tick
        }
        if (live.current) poll();
      }, POLL_MS);
    };
    refresh().catch(fail);
    poll();
    return () => {
      live.current = false;
      clearTimeout(timer);
    };
  }, [id]);

  return { agent, refresh, applyEvent, setState };
}
