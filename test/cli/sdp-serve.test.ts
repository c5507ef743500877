import * as path from 'node:path';
import type { CommandIo } from '../../tools/cli/commands/command';
import { main } from '../../tools/cli/sdp';
import { exampleAssembly } from '../support/example-app';
import { bufferedIo } from './buffered-io';

// `sdp serve` in-process on the example app's assembly: usage errors, the stack it serves, what it prints at start, the
// request log and the summary when it is stopped (the test stops it, as Ctrl-C would).
const { assemblyDir } = exampleAssembly();
const JOB = path.join(__dirname, '..', '..', 'examples', 'inputs', 'scheduled-job.json');

async function serve(args: string[], whileServing: (printed: { stderr: string }) => Promise<void> = async () => undefined) {
  const { io, printed } = bufferedIo();
  const served: CommandIo = {
    ...io,
    now: Date.now,
    interrupted: async () => {
      await whileServing(printed);
      return 'test';
    },
  };
  // Any free port for the web view: test files run side by side.
  const code = await main(['serve', '--assembly', assemblyDir, '--view-port', '0', ...args], served);
  return { code, ...printed };
}

// Usage errors: test/cli/usage-errors.test.ts, with every command's.
test('a stack that does not exist is named with the stacks there are', async () => {
  expect(await serve(['--stack', 'Nope'])).toMatchObject({
    code: 2, stderr: expect.stringContaining("error: the app has no stack 'Nope' (stacks: WordLengthExample, FanOutExample, DistributedExample)"),
  });
});

test('a stack with nothing to serve is refused, pointing to sdp run', async () => {
  expect(await serve(['--stack', 'WordLengthExample'])).toEqual({
    code: 2, stdout: '', stderr: "error: stack WordLengthExample has no REST API or schedule to serve; 'sdp run' runs its state machines\n",
  });
});

test('serves the one stack with an API and schedules: the routes and next firings, a log line per request, the summary on stop', async () => {
  const result = await serve(['--port', '0', '--put-object', `JobsBucket/jobs/scheduled.json=${JOB}`], async (printed) => {
    const url = /API \S+ at (http:\/\/127\.0\.0\.1:\d+)/.exec(printed.stderr)![1];
    const response = await fetch(`${url}/executions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"unknown":1}' });
    expect(response.status).toBe(400);
  });
  expect(result.code).toBe(0);
  expect(result.stderr).toContain('serving FanOutExample locally; Ctrl-C stops');
  expect(result.stderr).toMatch(/API FanOutExample\/RunJobApi\/Api at http:\/\/127\.0\.0\.1:\d+ .*\n {2}POST \/executions\n {2}GET \/executions\/\{id\}\n/);
  expect(result.stderr).toMatch(/schedules: on; next firings:\n {2}\S+Z {2}FanOutExample\/\S+ {2}(rate|cron)\(/);
  expect(result.stderr).toMatch(/\d\d:\d\d:\d\d POST \/executions 400 \d+ ms \(.+\)\n/);
  expect(result.stderr).toContain('test: stopping');
  const summary = JSON.parse(result.stdout);
  expect(summary).toMatchObject({ requests: { 400: 1 }, schedules: { 'FanOutExample/Every5Minutes/Schedule': expect.any(Object) } });
});
