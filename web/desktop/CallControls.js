// web/desktop/CallControls.js  What the agent does to the call it talks
// to: Hold / Resume (the caller hears music), Hang up, Pause / Resume
// the recording (hidden with a note when the queue does not record: the
// server answers 404), and Transfer.  The state shown (held, paused)
// follows the stream's "hold", "resume", "recording-paused" and
// "recording-resumed" events, and each reply.
import { useState } from 'preact/hooks';
import * as api from '../api.js';
import { html } from '../lib/html.js';
import { Transfer } from './Transfer.js';

export function CallControls({ contact: c, dispatch, fail }) {
  const [busy, setBusy] = useState(false);
  const [noRecording, setNoRecording] = useState('');

  async function act(fn) {
    setBusy(true);
    try {
      await fn();
      fail(null);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  const hold = () => act(async () => {
    await api.hold(c.call, !c.held);
    dispatch({ type: 'hold', call: c.call, on: !c.held });
  });
  const hangup = () => act(() => api.hangup(c.call));
  const recording = () => act(async () => {
    try {
      await api.pauseRecording(c.call, !c.recPaused);
      dispatch({ type: 'recording', call: c.call, paused: !c.recPaused });
    } catch (e) {
      if (e.status !== 404) throw e;
      setNoRecording(`This call is not recorded (${e.message}).`);
    }
  });

  return html`<section class="controls" data-testid="call-controls"
      aria-label="Call controls">
    <div class="actions">
      <button type="button" data-testid="btn-hold" aria-pressed=${c.held}
        disabled=${busy} onClick=${hold}>${c.held ? 'Resume' : 'Hold'}</button>
      ${!noRecording && html`<button type="button" data-testid="btn-recording"
        aria-pressed=${c.recPaused} disabled=${busy} onClick=${recording}>
        ${c.recPaused ? 'Resume recording' : 'Pause recording'}</button>`}
      <button type="button" class="danger" data-testid="btn-hangup"
        disabled=${busy} onClick=${hangup}>Hang up</button>
    </div>
    ${noRecording && html`<p class="hint" data-testid="recording-note">
      ${noRecording}</p>`}
    ${c.recPaused && html`<p class="hint" data-testid="recording-paused">
      Recording paused.</p>`}
    <${Transfer} call=${c.call} act=${act} busy=${busy} />
  </section>`;
}
