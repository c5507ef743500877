import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecutionView } from './execution-view';

/** The page script and styles, shipped beside this module (scripts/copy-build-assets.js copies them into dist/). */
export const CLIENT_ASSETS = {
  script: path.join(__dirname, 'client', 'web-view.js'),
  css: path.join(__dirname, 'client', 'web-view.css'),
} as const;

/** The package that draws the diagrams in the page: an optional peer, loaded from the package's node_modules. */
export const MERMAID_PACKAGE = 'mermaid';

/** The optional peers the web view uses when they are installed (without mermaid, the page shows the charts' source). */
export const WEB_VIEW_PEERS: readonly string[] = [MERMAID_PACKAGE];

/**
 * Mermaid's one-file browser build, resolved from where this package is installed; undefined when mermaid is not
 * installed (the page then shows the chart's source).
 */
export function mermaidScriptPath(): string | undefined {
  try {
    return require.resolve(`${MERMAID_PACKAGE}/dist/mermaid.min.js`);
  } catch {
    return undefined;
  }
}

/**
 * The execution's view as one HTML file that needs nothing else: the data, the page script, the styles and Mermaid
 * inlined, so the file opens from disk, offline, and can be attached to a ticket.
 */
export function staticExecutionPage(view: ExecutionView, mermaidScript: string | undefined): string {
  return html(`${view.name}: ${view.status.toLowerCase()}`, [
    `<style>${fs.readFileSync(CLIENT_ASSETS.css, 'utf8')}</style>`,
  ], [
    `<main id="app" data-page="execution"></main>`,
    `<script type="application/json" id="view-data">${inlineJson(view)}</script>`,
    ...mermaidScript === undefined ? [] : [`<script>${inlineScript(mermaidScript)}</script>`],
    `<script>${inlineScript(fs.readFileSync(CLIENT_ASSETS.script, 'utf8'))}</script>`,
  ]);
}

/** `sdp serve`'s web view port when none is given: its own, beside the APIs' (3000 and up), which own `/` of theirs. */
export const DEFAULT_WEB_VIEW_PORT = 3900;

/** Where the served pages load their assets from. */
export const ASSET_PATHS = { script: '/assets/web-view.js', css: '/assets/web-view.css', mermaid: '/assets/mermaid.min.js' } as const;

/** A page of `sdp serve`'s web view: the page script reads `source` (JSON) and renders it, again while it changes. */
export function servedPage(title: string, page: 'execution' | 'session', source: string): string {
  return html(title, [`<link rel="stylesheet" href="${ASSET_PATHS.css}">`], [
    `<main id="app" data-page="${page}" data-source="${escapeAttribute(source)}"><p>Loading…</p></main>`,
    `<script src="${ASSET_PATHS.mermaid}"></script>`,
    `<script src="${ASSET_PATHS.script}"></script>`,
  ]);
}

function html(title: string, head: readonly string[], body: readonly string[]): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing is fetched from anywhere but the page's own origin (or nowhere, for the static file).
    '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; script-src \'self\' \'unsafe-inline\'; '
      + 'style-src \'self\' \'unsafe-inline\'; img-src \'self\' data:; font-src \'self\' data:; connect-src \'self\'">',
    `<title>${escapeText(title)}</title>`,
    ...head,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** JSON safe inside a `<script>` element: no `<` that could close it or open a comment. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * A script safe inside a `<script>` element: `</script` and `<!--` (which would end it, or change how the HTML parser
 * reads it) written as `\x3C…`, which means the same in a JavaScript string or regular expression, where they occur.
 */
function inlineScript(script: string): string {
  return script.replace(/<(\/script|!--)/gi, '\\x3C$1');
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}
