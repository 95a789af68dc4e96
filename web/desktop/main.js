// web/desktop/main.js  The agent desktop's entry point (web/index.html):
// renders App into <body>.
import { render } from 'preact';
import { html } from '../lib/html.js';
import { App } from './App.js';

render(html`<${App} />`, document.getElementById('app'));
