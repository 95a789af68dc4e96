// web/wallboard/main.js  The wallboard's entry point
// (web/wallboard.html): renders App.
import { render } from 'preact';
import { html } from '../lib/html.js';
import { App } from './App.js';

render(html`<${App} />`, document.getElementById('app'));
