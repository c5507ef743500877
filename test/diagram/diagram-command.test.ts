import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemblyStateMachines, stateMachineDiagram } from '../../tools/diagram/assembly';
import { main } from '../../tools/cli/sdp';
import { bufferedIo } from '../cli/buffered-io';
import { exampleAssembly } from '../support/example-app';

const { assemblyDir } = exampleAssembly();
const [wordLength, runJob, distributedJob] = assemblyStateMachines(assemblyDir).map(stateMachineDiagram);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diagram-command-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `sdp diagram ...` in-process, counting the AWS clients it asks for. */
async function run(args: string[]) {
  const { io, printed } = bufferedIo();
  let clients = 0;
  const code = await main(['diagram', ...args], io, () => {
    clients++;
    throw new Error('diagram must not build an AWS client');
  });
  return { code, ...printed, clients };
}

/** A PATH holding only `mmdc` with `script` as its body (or no mmdc at all), for the duration of `body`. */
async function withMmdc<T>(script: string | undefined, body: () => Promise<T>): Promise<T> {
  const bin = fs.mkdtempSync(path.join(dir, 'bin-'));
  if (script !== undefined) fs.writeFileSync(path.join(bin, 'mmdc'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  const saved = process.env.PATH;
  process.env.PATH = bin;
  try {
    return await body();
  } finally {
    process.env.PATH = saved;
  }
}

test('prints every state machine of the assembly as Mermaid, offline', async () => {
  const result = await run(['--assembly', assemblyDir]);
  expect(result).toEqual({ code: 0, stdout: `${wordLength}\n${runJob}\n${distributedJob}`, stderr: '', clients: 0 });
});

test('a state machine argument selects by a part of its id or logical id', async () => {
  expect((await run(['RunJob', '--assembly', assemblyDir])).stdout).toBe(runJob);
  expect((await run(['WordLengthStateMachine', '--assembly', assemblyDir])).stdout).toBe(wordLength);
});

test('none matching exits 2 naming the state machines there are', async () => {
  const result = await run(['Nope', '--assembly', assemblyDir]);
  expect([result.code, result.stdout]).toEqual([2, '']);
  expect(result.stderr).toBe("error: no state machine matches 'Nope' (state machines: WordLengthExample/WordLength "
    + '(WordLengthStateMachine5AE2E759), FanOutExample/RunJob (RunJobStateMachineC5380B43), DistributedExample/Job (JobStateMachineE2E0FF72))\n');
});

test('an assembly that is not there exits 2 naming it', async () => {
  const result = await run(['--assembly', path.join(dir, 'missing')]);
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(`error: --assembly ${path.join(dir, 'missing')}: no cloud assembly there (${path.join(dir, 'missing', 'manifest.json')} is missing)\n`);
});

test.each([
  [['A', 'B'], 'diagram takes at most one state machine (got 2)'],
  [['--region', 'eu-west-1'], "Unknown option '--region'"],
  [['--app', 'node app.js', '--assembly', 'cdk.out'], 'give --app or --assembly, not both'],
])('bad usage %j exits 2 with the reason and the usage, which has no AWS options', async (args, message) => {
  const result = await run(args);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(message);
  expect(result.stderr).toContain('usage: sdp diagram [<state machine>] [--app "<command>" | --assembly <dir>] [--synth] [--svg <file.svg>]\n');
  expect(result.stderr).not.toContain('--profile');
});

test('--help prints the usage and exits 0', async () => {
  const result = await run(['--help']);
  expect(result.code).toBe(0);
  expect(result.stderr).toMatch(/^usage: sdp diagram /);
});

describe('--svg', () => {
  test('without mmdc exits 2 saying how to install it, before reading anything', async () => {
    const result = await withMmdc(undefined, () => run(['RunJob', '--assembly', assemblyDir, '--svg', path.join(dir, 'none.svg')]));
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toContain('--svg needs mermaid-cli\'s mmdc, which is not installed: install it with `npm install -g @mermaid-js/mermaid-cli`');
  });

  test('renders the one matching state machine with mmdc --input <mmd> --output <svg>', async () => {
    const svg = path.join(dir, 'run-job.svg');
    // The stand-in "renders" by copying its input, so the test sees what mmdc was given.
    const result = await withMmdc('[ "$1" = --input ] && [ "$3" = --output ] && /bin/cp "$2" "$4"', () => run(['RunJob', '--assembly', assemblyDir, '--svg', svg]));
    expect(result).toEqual({ code: 0, stdout: runJob, stderr: `wrote ${svg}\n`, clients: 0 });
    expect(fs.readFileSync(svg, 'utf8')).toBe(runJob);
  });

  test('more than one match exits 2 asking for one', async () => {
    const result = await withMmdc('exit 0', () => run(['--assembly', assemblyDir, '--svg', path.join(dir, 'both.svg')]));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --svg renders one state machine, and 3 match (WordLengthExample/WordLength, FanOutExample/RunJob, DistributedExample/Job); name one');
  });

  test('a failing mmdc exits 2 with its message', async () => {
    const result = await withMmdc('echo "no browser" >&2; exit 1', () => run(['RunJob', '--assembly', assemblyDir, '--svg', path.join(dir, 'fail.svg')]));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: mmdc failed: no browser');
  });
});
