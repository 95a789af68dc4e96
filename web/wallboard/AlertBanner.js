// web/wallboard/AlertBanner.js  The red banner naming each queue in
// alert and why, one line each (role=alert).  Its text changes only when
// the alerts do (preact leaves equal text alone), so a screen reader
// announces each alert once.
import { html } from '../lib/html.js';

// lines: [[queue, kind, text]...]
export function AlertBanner({ lines }) {
  return html`<div class="alerts" role="alert" data-testid="alert-banner"
      hidden=${lines.length === 0}>
    ${lines.map(([q, kind, why]) => html`<p key=${`${q} ${kind}`}
      data-testid="alert" data-queue=${q} data-kind=${kind}>${
      `Queue ${q}: ${why}`}</p>`)}
  </div>`;
}
