// web/admin/alert.js  An error or a notice, shown as it comes: errors
// are ARIA alerts (read out when they appear), notices status messages.

import { html } from './html.js';

// <Alert testid="x" error=${msg}/> renders nothing without a message.
export function Alert({ error, notice, testid }) {
  if (error) {
    return html`<p class="error" role="alert" data-testid=${testid}>${error}</p>`;
  }
  if (notice) {
    return html`<p class="notice" role="status" data-testid=${testid}>${notice}</p>`;
  }
  return null;
}
