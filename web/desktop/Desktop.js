// web/desktop/Desktop.js  The signed-in agent's desktop: its state and
// buttons, its figures today, and the contact card of the last call
// (screen pop, customer and history, call controls, script, wrap-up).
// State comes from the event stream (lib/stream.js): "agent-state",
// "screen-pop", "hold"/"resume", "recording-paused"/"-resumed",
// "transfer", "disposition"; REST reads fill in the rest.
import { useEffect, useReducer, useState } from 'preact/hooks';
import * as api from '../api.js';
import { html } from '../lib/html.js';
import { useEventStream } from '../lib/stream.js';
import { useAgent } from './useAgent.js';
import { contactReducer } from './contact.js';
import { AgentPanel } from './AgentPanel.js';
import { Figures } from './Figures.js';
import { ContactCard } from './ContactCard.js';

export function Desktop({ who, fail, signOut }) {
  if (who.role === 'agent') {
    return html`<${AgentDesktop} id=${who.user} fail=${fail}
      signOut=${signOut} />`;
  }
  return html`<${Frame} stream="closed" signOut=${signOut}>
    <p data-testid="no-agent">This desktop is for agents; supervisors
      have <a href="/web/wallboard.html">the wallboard</a>.</p>
  <//>`;
}

// data-stream="open" while the event stream is open, for tests.
function Frame({ stream, signOut, children }) {
  return html`<section data-testid="desktop" data-stream=${stream}
      aria-labelledby="desktop-title">
    <h2 id="desktop-title" class="sr-only">Agent desktop</h2>
    ${children}
    <button type="button" class="secondary" data-testid="btn-signout"
      onClick=${signOut}>Sign out</button>
  </section>`;
}

function AgentDesktop({ id, fail, signOut }) {
  const ag = useAgent(id, fail);
  const [contact, dispatch] = useReducer(contactReducer, null);
  // bumped when the card's customer history or the figures may have
  // changed: {n, call, code} (what the store should show once written)
  const [changed, setChanged] = useState({ n: 0 });
  const bump = (what) => setChanged((c) => ({ n: c.n + 1, ...what }));

  const stream = useEventStream(true, {
    onEvent(ev) {
      if (ev.agent && ev.agent !== id) return;
      switch (ev.type) {
      case 'agent-state': {
        const ft = ag.applyEvent(ev);
        if (ft) dispatch({ type: 'state', from: ft[0], to: ft[1] });
        break;
      }
      case 'screen-pop':
        dispatch({ type: 'pop', ev });
        break;
      case 'hold':
      case 'resume':
        dispatch({ type: 'hold', call: ev.call, on: ev.type === 'hold' });
        break;
      case 'recording-paused':
      case 'recording-resumed':
        dispatch({ type: 'recording', call: ev.call,
          paused: ev.type === 'recording-paused' });
        break;
      case 'transfer':
        dispatch({ type: 'transfer', call: ev.call, detail: ev.detail });
        break;
      case 'disposition':
        bump({ call: ev.call, code: ev.detail });
        break;
      default:
        break;
      }
    },
    onGap() {
      ag.refresh().then((state) => {
        if (state) dispatch({ type: 'reconcile', state });
      }).catch(fail);
    },
    onUnauthorized: fail,
  });

  // a call ended: its record reaches the store a moment later
  useEffect(() => {
    if (contact?.ended) bump({ call: contact.call, code: null });
  }, [contact?.ended]);

  // a call already on when the page (re)loads: its card, from the API
  useEffect(() => {
    let live = true;
    (async () => {
      const { calls } = await api.calls();
      const c = (calls ?? []).find((x) => x.agent === id
        && (x.state === 'ringing' || x.state === 'talking'));
      if (!c || !live) return;
      let customer = null;
      try {
        const r = await api.customers({ phone: c.caller, limit: 1 });
        customer = r.customers?.[0] ?? null;
      } catch {
        // no customer: the card says "Unknown caller"
      }
      if (live) dispatch({ type: 'restore', call: c, customer });
    })().catch(() => {});
    return () => { live = false; };
  }, [id]);

  return html`<${Frame} stream=${stream} signOut=${signOut}>
    <div class="desktop-grid">
      <div class="side">
        <${AgentPanel} agent=${ag.agent} setState=${ag.setState} />
        <${Figures} id=${id} changed=${changed} />
      </div>
      <div class="work">
        ${contact ? html`<${ContactCard} contact=${contact}
          dispatch=${dispatch} changed=${changed} fail=${fail} />`
        : html`<p class="hint" data-testid="no-contact">No call yet: the
            caller's card shows here as the phone starts ringing.</p>`}
      </div>
    </div>
  <//>`;
}
