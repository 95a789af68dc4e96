// web/lib/stream.js  The event stream (GET /api/v1/events as a WebSocket,
// docs/api.md) as both pages use it, and useEventStream(), its hook.
//
// - Opens ws://HOST/api/v1/events?token=TOKEN (the server narrows an
//   agent's stream to its own events).
// - Every event's seq (heartbeats carry one too) is kept; a closed stream
//   is reopened after 1 s, then 2, 4, 8, 10, 10... s (back to 1 s once
//   open), with &since=SEQ, so the events in between are replayed.
// - Before each reopening the session is checked (GET /api/v1/me): a
//   refused upgrade shows as a bare close, and a 401 there ends the
//   session (onUnauthorized) instead of retrying for ever.
// - {"type":"gap"} (the events after SEQ are no longer kept) goes to
//   onGap: the page reads what it shows through the REST API again.
// Handlers: onEvent(ev), onGap(ev), onOpen(), onUnauthorized(error).
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api.js';

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 10000;

export class EventStream {
  constructor(handlers, onState) {
    this.h = handlers;           // an object whose members may change
    this.onState = onState;      // 'open' | 'closed'
    this.socket = null;
    this.lastSeq = null;
    this.retryMs = RETRY_MIN_MS;
    this.timer = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onopen = s.onmessage = s.onclose = s.onerror = null;
      s.close();
    }
    this.onState('closed');
  }

  open() {
    if (this.stopped) return;
    let url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://` +
      `${location.host}/api/v1/events?token=${encodeURIComponent(api.token() ?? '')}`;
    if (this.lastSeq !== null) url += `&since=${this.lastSeq}`;
    const s = new WebSocket(url);
    this.socket = s;
    const mine = () => !this.stopped && this.socket === s;
    s.onopen = () => {
      if (!mine()) return;
      this.retryMs = RETRY_MIN_MS;
      this.onState('open');
      this.h.onOpen?.();
    };
    s.onmessage = (m) => {
      if (!mine()) return;
      let ev;
      try {
        ev = JSON.parse(m.data);
      } catch {
        return;
      }
      if (!ev || typeof ev !== 'object') return;
      if (typeof ev.seq === 'number') this.lastSeq = ev.seq;
      if (ev.type === 'gap') this.h.onGap?.(ev);
      else if (ev.type !== 'heartbeat') this.h.onEvent?.(ev);
    };
    s.onclose = () => {
      if (!mine()) return;
      this.socket = null;
      this.onState('closed');
      const wait = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      this.timer = setTimeout(() => this.reopen(), wait);
    };
  }

  async reopen() {
    if (this.stopped) return;
    try {
      await api.me();
    } catch (e) {
      if (this.stopped) return;
      if (e.status === 401) {
        this.h.onUnauthorized?.(e);
        return;
      }
      // the server is away: open() fails too and the wait grows
    }
    this.open();
  }
}

// The stream while `active`; handlers may be a new object on each
// render (the latest is used).  Returns 'open' or 'closed'.
export function useEventStream(active, handlers) {
  const [state, setState] = useState('closed');
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    if (!active) return undefined;
    const proxy = {
      onEvent: (ev) => ref.current.onEvent?.(ev),
      onGap: (ev) => ref.current.onGap?.(ev),
      onOpen: () => ref.current.onOpen?.(),
      onUnauthorized: (e) => ref.current.onUnauthorized?.(e),
    };
    const s = new EventStream(proxy, setState);
    s.start();
    return () => s.stop();
  }, [active]);
  return state;
}
