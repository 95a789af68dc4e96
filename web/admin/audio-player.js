// web/admin/audio-player.js  A recording's player.  The audio route
// needs the bearer token, which <audio src> cannot send: "Load" fetches
// the WAV with the token (api.recordingAudio) into a Blob and gives the
// element an object URL, revoked when the player goes.

import { useEffect, useState } from 'preact/hooks';
import * as api from '/web/api.js';
import { html, failWith } from './html.js';
import { Alert } from './alert.js';

export function AudioPlayer({ id, onAuthLost }) {
  const [url, setUrl] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const fail = failWith(setError, onAuthLost);

  useEffect(() => () => url && URL.revokeObjectURL(url), [url]);

  async function load() {
    setError('');
    setBusy(true);
    try {
      setUrl(URL.createObjectURL(await api.recordingAudio(id)));
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  return html`
    <span class="player" data-testid="player">
      ${url ? html`<audio controls src=${url} data-testid="audio"
                          aria-label="Recording ${id}"></audio>`
        : html`<button type="button" class="secondary" disabled=${busy} onClick=${load}
                       data-testid="btn-audio-load">${busy ? 'Loading…' : 'Load audio'}</button>`}
      <${Alert} error=${error} testid="audio-error"/>
    </span>`;
}
