import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { exampleAssembly } from '../support/example-app';

const root = path.join(__dirname, '..', '..');
const { assemblyDir } = exampleAssembly();

/** Runs `npm start -- <args>` as a user would, on the assembly synthesized above (skipping the CLI's own synth). */
function cli(...args: string[]) {
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'examples/cli.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('the seed input prints the execution trace on stderr and {"totalLength":39} as the one line on stdout', () => {
  const run = cli('--assembly', assemblyDir);
  expect(run.status).toBe(0);
  expect(run.stdout).toBe('{"totalLength":39}\n');
  expect(run.stderr).toMatch(/start\s+duration\s+status\s+retries\s+span/);
  for (const span of ['MapItems (Map)', 'MapItems[6] (MapIteration)', 'MapItem (Task)', 'ReduceResults (Task)', 'StoreResult (Task)']) {
    expect(run.stderr).toMatch(new RegExp(`\\+\\d+ ms\\s+\\d+ ms\\s+SUCCEEDED\\s+${span.replace(/[[\]()]/g, '\\$&')}`));
  }
});

test('--input runs any input file', () => {
  const run = cli('word-length', '--assembly', assemblyDir, '--input', path.join(root, 'test', 'fixtures', 'malformed-input.json'));
  expect(run.status).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain('execution FAILED: WordValidationError');
  expect(run.stderr).toContain('cause: {"errorType":"WordValidationError","errorMessage":"item.word must be a string (got undefined)"');
});

test('fan-out runs the job workflow (execution name = job id), drains the queues and prints what was stored as one JSON line', () => {
  const run = cli('fan-out', '--assembly', assemblyDir, '--input', path.join(root, 'test', 'fixtures', 'fan-out-job.json'), '--name', 'cli-test');
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout)).toMatchObject({ jobId: 'cli-test', items: 250, chunks: 3, stored: 250, deadLettered: 0 });
});

test('bad usage exits 2 with the reason and the usage', () => {
  const unknown = cli('no-such-example', '--assembly', assemblyDir);
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toContain("unknown example 'no-such-example'");
  expect(unknown.stderr).toContain('usage: npm start --');
  const missing = cli('--assembly', assemblyDir, '--input', 'nope.json');
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain('cannot read --input nope.json');
});
