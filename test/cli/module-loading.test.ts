import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { exampleAssembly } from '../support/example-app';

// What each command loads, seen in a fresh process: status, trace and start need only the Step Functions
// client; diagram reads an assembly; none of them loads aws-cdk-lib, cdk-nag, the local engines or the example app.
const root = path.join(__dirname, '..', '..');

const SCRIPT = `
const { main } = require('./tools/cli/sdp');
const io = { stdout: { write() {} }, stderr: { write() {} }, sleep: async () => {}, now: Date.now };
const loaded = () => Object.keys(require.cache).map((file) => require('node:path').relative(process.cwd(), file));
(async () => {
  const codes = [
    await main(['status', '--help'], io),
    await main(['trace', 'not-an-arn'], io),
    await main(['start', 'WordLength'], io),
  ];
  const afterAws = loaded();
  codes.push(await main(['diagram', '--assembly', process.env.ASSEMBLY], io));
  process.stdout.write(JSON.stringify({ codes, afterAws, afterDiagram: loaded() }));
})();
`;

test('status, trace, start and diagram load neither aws-cdk-lib nor cdk-nag, nor the local engines, nor the example app', () => {
  const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', SCRIPT], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ASSEMBLY: exampleAssembly().assemblyDir },
  });
  expect(child.stderr).toBe('');
  const { codes, afterAws, afterDiagram } = JSON.parse(child.stdout) as { codes: number[]; afterAws: string[]; afterDiagram: string[] };
  expect(codes).toEqual([0, 2, 2, 0]);
  expect(afterAws).toEqual(expect.arrayContaining(['tools/cli/commands/status.ts', 'tools/cli/commands/trace.ts', 'tools/cli/commands/start.ts']));
  expect(afterAws.some((file) => file.startsWith('node_modules/@aws-sdk/client-sfn/'))).toBe(true);
  expect(afterDiagram).toContain('tools/cli/commands/diagram.ts');
  const forbidden = /^(node_modules\/(aws-cdk-lib|cdk-nag|aws-local-stepfunctions|dynalite|fauxqs)\/|examples\/|lib\/)/;
  expect(afterDiagram.filter((file) => forbidden.test(file))).toEqual([]);
});
