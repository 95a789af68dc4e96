// web/admin/html.js  What every admin component shares: htm bound to
// preact's h, and plain formatting helpers (no component here).

import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);

const pad = (n) => String(n).padStart(2, '0');

// Unix ms -> "2025-01-31 14:05:09" in the browser's time zone; "—" for none.
export function fmtTime(ms) {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// milliseconds -> "m:ss" (h:mm:ss past an hour); "—" for none.
export function fmtDur(ms) {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  return hh ? `${hh}:${pad(mm)}:${pad(s % 60)}` : `${mm}:${pad(s % 60)}`;
}

// An ApiError (or any error) as the text to show: the server's message.
export const errText = (e) => (e && e.message) || String(e);

// The role's rank, to compare: agent < supervisor < admin.
export const rank = (role) => ({ agent: 1, supervisor: 2, admin: 3 }[role] || 0);

// A catch handler for a tab: a 401 (the session ended) goes back to the
// log-in form through onAuthLost, anything else to setError as it is.
export const failWith = (setError, onAuthLost) => (e) => {
  if (e && e.status === 401 && onAuthLost) onAuthLost();
  else setError(errText(e));
};
