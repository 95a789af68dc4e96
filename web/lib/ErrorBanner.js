// web/lib/ErrorBanner.js  The page's one error line: the API's message as
// it came, in a role=alert element (data-testid="error"), hidden when
// there is none.
import { html } from './html.js';

export function ErrorBanner({ message }) {
  return html`<p class="error" role="alert" data-testid="error"
    hidden=${!message}>${message || ''}</p>`;
}
