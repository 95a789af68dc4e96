// web/lib/html.js  The one way the pages build their views: htm's tagged
// template bound to preact's h (no JSX, no build step).  "preact" and
// "htm" resolve through each page's import map to web/node_modules/
// (npm ci --prefix web), served by the server as files.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
