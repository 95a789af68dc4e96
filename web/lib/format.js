// web/lib/format.js  Words and numbers as the pages show them: agent
// states, durations (m:ss, h:mm:ss), percentages, times of day; "—" for
// what the server did not send.

export const DASH = '—';

export const STATE_LABELS = {
  'logged-out': 'Logged out',
  available: 'Ready',
  offered: 'Ringing',
  busy: 'On a call',
  'wrap-up': 'Wrap-up',
  'not-ready': 'Not ready',
};

export const stateLabel = (s) => (s ? (STATE_LABELS[s] ?? s) : DASH);

// A finite number, or null.
export const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function fmtDur(ms) {
  if (ms === null || ms === undefined) return DASH;
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}`
    : `${Math.floor(s / 60)}:${ss}`;
}

export function fmtPct(p) {
  if (p === null || p === undefined) return DASH;
  return `${Number.isInteger(p) ? p : p.toFixed(1)}%`;
}

// Unix ms as the browser's local date and time, short.
export function fmtWhen(ms) {
  if (num(ms) === null) return DASH;
  const d = new Date(ms);
  const today = new Date();
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === today.toDateString() ? time
    : `${d.toLocaleDateString()} ${time}`;
}

// The server's clock as the browser sees it: offset = server t - local
// now, taken at each read, so a browser whose clock is wrong still shows
// the right durations.
export function clockOffset(serverT, localNow = Date.now()) {
  return num(serverT) === null ? 0 : serverT - localNow;
}
