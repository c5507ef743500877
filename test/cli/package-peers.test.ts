import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFINITION_FORM_PEERS } from '../../tools/assembly/intrinsics';
import { COMMANDS } from '../../tools/cli/commands/index';
import { LOCAL_ENGINES, MIN_NODE_VERSION, PINNED_ENGINES } from '../../tools/cli/commands/run';
import { WEB_VIEW_PEERS } from '../../tools/web-view/page';

// What sdp checks for before it runs, and what package.json declares, are the same lists: a user told to
// install a package must find it among the package's optional peers, and every optional peer must be needed.
const packageJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

test("the packages sdp asks for are exactly the package's optional peers", () => {
  const asked = new Set([...LOCAL_ENGINES, ...DEFINITION_FORM_PEERS, ...WEB_VIEW_PEERS, ...Object.values(COMMANDS).flatMap((entry) => entry.peers?.packages ?? [])]);
  const optional = Object.entries(packageJson.peerDependenciesMeta).filter(([, meta]) => (meta as { optional?: boolean }).optional).map(([name]) => name);
  expect([...asked].sort()).toEqual(optional.sort());
  for (const name of optional) expect(packageJson.peerDependencies[name]).toBeDefined();
});

test('a version sdp names in its install line is the one package.json pins as peer and devDependency', () => {
  for (const [name, at] of Object.entries(PINNED_ENGINES)) {
    expect(`@${packageJson.peerDependencies[name]}`).toBe(at);
    expect(`@${packageJson.devDependencies[name]}`).toBe(at);
  }
});

test("sdp run's Node.js check is the package's engines field", () => {
  expect(packageJson.engines.node).toBe(`>=${MIN_NODE_VERSION.join('.')}.0`);
});
