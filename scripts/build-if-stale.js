#!/usr/bin/env node
// Builds the library (`npm run build`) unless dist/ was built from the sources as they are now
// (scripts/build-stamp.js). The example app loads the compiled library, as an app that installed the
// package does; this keeps `npx cdk synth` and `npm start` in this repository from running a stale one.
const { execSync } = require('node:child_process');
const path = require('node:path');
const { isBuildCurrent } = require('./build-stamp');

if (!isBuildCurrent()) {
  process.stderr.write('the library changed since dist/ was built: npm run build\n');
  // The build's output goes to stderr: an app's stdout belongs to the CDK CLI.
  execSync('npm run build --silent', { cwd: path.join(__dirname, '..'), stdio: ['ignore', process.stderr, process.stderr] });
}
