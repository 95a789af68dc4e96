// web/wallboard/useStatus.js  The status (GET /api/v1/status) as the
// board shows it: read every pollMs, and at once when asked (each event
// on the stream asks), one read at a time and at most one per
// MIN_GAP_MS, so a burst of events costs a few reads.  Only one read is
// in flight at a time, so replies cannot overtake each other.  Returns
// {status, readAt, request}; errors go to onError(e) (null: a read
// succeeded).
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api.js';

const MIN_GAP_MS = 250;

export function useStatus(pollMs, onError) {
  const [read, setRead] = useState({ status: null, readAt: 0 });
  const r = useRef(null);
  const onErr = useRef(onError);
  onErr.current = onError;

  if (!r.current) {
    r.current = {
      live: true, reading: false, again: false, last: -Infinity,
      poll: null, gap: null,
    };
  }
  const st = r.current;

  function request() {
    if (!st.live) return;
    if (st.reading) {
      st.again = true;
      return;
    }
    if (st.gap) return;
    const wait = st.last + MIN_GAP_MS - performance.now();
    if (wait > 0) {
      st.gap = setTimeout(() => {
        st.gap = null;
        request();
      }, wait);
      return;
    }
    doRead();
  }

  async function doRead() {
    st.reading = true;
    st.again = false;
    st.last = performance.now();
    clearTimeout(st.poll);
    try {
      const s = await api.status();
      if (!st.live) return;
      setRead({ status: s && typeof s === 'object' ? s : {}, readAt: Date.now() });
      onErr.current(null);
    } catch (e) {
      if (!st.live) return;
      onErr.current(e);
      if (e.status === 401) return;
    } finally {
      if (st.live) {
        st.reading = false;
        st.poll = setTimeout(request, pollMs);
        if (st.again) request();
      }
    }
  }

  useEffect(() => {
    st.live = true;
    request();
    return () => {
      st.live = false;
      clearTimeout(st.poll);
      clearTimeout(st.gap);
    };
  }, []);

  return { ...read, request };
}
