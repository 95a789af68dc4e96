// web/wallboard/alerts.js  When a queue alerts, from its status: its
// service level today below its target (once a call was answered or
// abandoned today), or its longest wait past alert_wait_s (60 s when the
// status does not say; 0: never).  Plain functions, no view.
import { fmtDur, fmtPct, num } from '../lib/format.js';

const ALERT_WAIT_S = 60;

export const today = (q) => (q.today && typeof q.today === 'object' ? q.today : {});

// The queue's service-level target in percent; null when it has none
// (no `sl` in its configuration).
export function slTarget(q) {
  const t = num(q.sl_target);
  return t !== null && t > 0 ? t : null;
}

// The queue's longest wait at `now`: the server's, plus the time since
// the read (readAt, both on the browser's clock).
export function longestWait(q, now, readAt) {
  const ms = num(q.longest_wait_ms);
  if (ms === null || ms <= 0) return ms;
  return ms + Math.max(0, now - readAt);
}

// [[kind, text]...]: kind "sl" or "wait".
export function queueAlerts(q, waitMs) {
  const out = [];
  const t = today(q);
  const sl = num(t.service_level);
  const target = slTarget(q);
  const done = (num(t.answered) ?? 0) + (num(t.abandoned) ?? 0);
  if (sl !== null && target !== null && done > 0 && sl < target) {
    out.push(['sl', `service level today ${fmtPct(sl)}, below the ` +
      `target ${fmtPct(target)}`]);
  }
  const limit = q.alert_wait_s === undefined || q.alert_wait_s === null
    ? ALERT_WAIT_S : num(q.alert_wait_s);
  if (limit && waitMs !== null && waitMs > limit * 1000) {
    out.push(['wait', `longest wait over ${fmtDur(limit * 1000)}`]);
  }
  return out;
}
