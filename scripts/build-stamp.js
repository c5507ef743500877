// What the compiled library in dist/ was built from: a hash of the sources and build settings,
// written by `npm run build`, so a test that packs the library can tell whether dist/ is current
// (after `npm ci`, whose `prepare` builds it, it is) instead of building it a second time.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const STAMP = path.join(root, 'dist', '.build-stamp');
const INPUTS = ['lib', 'handlers', 'tools', 'lambdas', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

function files(entry) {
  const full = path.join(root, entry);
  if (!fs.statSync(full).isDirectory()) return [entry];
  return fs.readdirSync(full, { recursive: true }).map((f) => path.join(entry, f)).filter((f) => fs.statSync(path.join(root, f)).isFile());
}

/** The hash of every file the build reads. */
function sourceHash() {
  const hash = crypto.createHash('sha256');
  for (const file of INPUTS.flatMap(files).sort()) hash.update(`${file}\0`).update(fs.readFileSync(path.join(root, file)));
  return hash.digest('hex');
}

/** Whether dist/ was built from the sources as they are now. */
function isBuildCurrent() {
  return fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === sourceHash();
}

if (require.main === module) fs.writeFileSync(STAMP, sourceHash());

module.exports = { isBuildCurrent, sourceHash };
