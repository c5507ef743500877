#!/usr/bin/env node
// Copies what tsc does not emit into dist/: the fauxqs and dynalite worker-thread modules (plain ES module JavaScript), the web
// view's page script and styles.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
for (const file of ['tools/local/fauxqs-thread.mjs', 'tools/local/dynalite-thread.mjs', 'tools/web-view/client/web-view.js', 'tools/web-view/client/web-view.css']) {
  fs.mkdirSync(path.dirname(path.join(root, 'dist', file)), { recursive: true });
  fs.copyFileSync(path.join(root, file), path.join(root, 'dist', file));
}
