#!/usr/bin/env node
// Bundles the library's own handlers (lambdas/<name>/index.ts) into dist/handler-bundles/<name>/index.js,
// with the options users' entries are bundled with at synth (lib/core/handler-build-options.json).
// Part of `npm run build`; the bundles ship in the package and deploy as they are. Tests and `npm start`
// run it too (a fraction of a second), so the library's handlers are never stale in this repository.
// A file is written only when its content changed: the local run's synth cache sees nothing new otherwise.
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const options = require(path.join(root, 'lib', 'core', 'handler-build-options.json'));
const outRoot = path.join(root, 'dist', 'handler-bundles');
const names = fs.readdirSync(path.join(root, 'lambdas'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

// Modules a handler loads only when it needs them (`require('./item-schema')`): each bundled into a file of its own
// beside index.js, so a cold start that does not need one does not load it.
const LAZY_MODULES = { 'split-job': ['item-schema'] };

const written = new Set();
for (const name of names) {
  const lazy = LAZY_MODULES[name] ?? [];
  const { outputFiles } = esbuild.buildSync({
    ...options,
    absWorkingDir: root,
    entryPoints: { index: path.join('lambdas', name, 'index.ts') },
    outdir: path.join(outRoot, name),
    write: false,
    // Left as `require('./<module>')` in index.js: at run time it loads the separate bundle.
    external: [...options.external, ...lazy.map((module) => `./${module}`)],
  });
  for (const module of lazy) {
    outputFiles.push(...esbuild.buildSync({
      ...options,
      absWorkingDir: root,
      entryPoints: { [module]: path.join('lambdas', name, `${module}.ts`) },
      outdir: path.join(outRoot, name),
      write: false,
    }).outputFiles);
  }
  for (const file of outputFiles) {
    written.add(file.path);
    const current = fs.existsSync(file.path) ? fs.readFileSync(file.path) : undefined;
    if (current && Buffer.compare(current, file.contents) === 0) continue;
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    fs.writeFileSync(file.path, file.contents);
  }
}
// Bundles of handlers that no longer exist would otherwise ship.
for (const entry of fs.readdirSync(outRoot, { recursive: true, withFileTypes: true })) {
  const file = path.join(entry.parentPath, entry.name);
  if (entry.isFile() && !written.has(file)) fs.rmSync(file);
}
