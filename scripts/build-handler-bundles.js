#!/usr/bin/env node
// Bundles the library's own handlers (lambdas/<name>/index.ts) into dist/handler-bundles/<name>/index.js,
// with the options users' entries are bundled with at synth (lib/core/handler-build-options.json).
// Part of `npm run build`; the bundles ship in the package and deploy as they are. Tests and `npm start`
// run it too (a fraction of a second), so the library's handlers are never stale in this repository.
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const options = require(path.join(root, 'lib', 'core', 'handler-build-options.json'));
const outRoot = path.join(root, 'dist', 'handler-bundles');
const names = fs.readdirSync(path.join(root, 'lambdas'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

fs.rmSync(outRoot, { recursive: true, force: true });
for (const name of names) {
  esbuild.buildSync({
    ...options,
    absWorkingDir: root,
    entryPoints: { index: path.join('lambdas', name, 'index.ts') },
    outdir: path.join(outRoot, name),
  });
}
