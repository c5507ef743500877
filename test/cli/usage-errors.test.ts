import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { COMMANDS } from '../../tools/cli/commands/index';
import { main } from '../../tools/cli/sdp';
import { bufferedIo } from './buffered-io';
import { greeterApp } from './greeter-app';

// Every command: an unknown option, an extra argument or a bad option value is a usage error — exit 2,
// the reason, then the command's usage — found when the arguments are parsed: before the app is
// synthesized (run, diagram, cost, serve) and before any AWS client is built (start, status, trace).

const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:WordLengthWorkflow1A2B-xyz:job-42';
const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:WordLengthWorkflow1A2B-xyz';

const app = greeterApp();
fs.writeFileSync(path.join(app.dir, 'input.json'), '{"word":"apple"}');
afterAll(() => app.remove());

async function sdp(argv: string[]) {
  const { io, printed } = bufferedIo(app.host);
  let clients = 0;
  const code = await main(argv, io, () => {
    clients++;
    return {} as SFNClient;
  });
  return { code, ...printed, clients };
}

/** A valid command line of each command, which the cases below spoil. */
const VALID: Record<string, string[]> = {
  run: ['run'],
  diagram: ['diagram'],
  cost: ['cost', '--input', 'input.json'],
  start: ['start', STATE_MACHINE, '--input', 'input.json'],
  status: ['status', EXECUTION],
  trace: ['trace', EXECUTION],
  serve: ['serve'],
};

test('the table covers every command', () => {
  expect(Object.keys(VALID).sort()).toEqual(Object.keys(COMMANDS).sort());
});

const cases: Array<[string, string[], string]> = [
  ...Object.entries(VALID).map(([name, argv]): [string, string[], string] => [name, [...argv, '--frobnicate'], "Unknown option '--frobnicate'"]),
  ['run', ['run', 'One', 'Two'], 'run takes at most one state machine (got 2)'],
  ['run', ['run', '--input', 'nope.json'], 'cannot read --input nope.json'],
  ['run', ['run', '--input', 'input.json', '--scheduled'], '--scheduled --input <file>: the file must hold { "items": [...] }'],
  ['run', ['run', '--visibility-timeout', '43201'], "--visibility-timeout must be a whole number of seconds, 0..43200 (got '43201')"],
  ['run', ['run', '--name', 'a/b'], '--name must not contain'],
  ['run', ['run', '--time-scale', '0'], "--time-scale must be a factor more than 0 and at most 1, e.g. 0.01 (got '0')"],
  ['run', ['run', '--time-scale', '2'], "--time-scale must be a factor more than 0 and at most 1, e.g. 0.01 (got '2')"],
  ['run', ['run', '--time-scale', 'fast'], "--time-scale must be a factor more than 0 and at most 1, e.g. 0.01 (got 'fast')"],
  ['run', ['run', '--json', 'yes', 'extra'], 'run takes at most one state machine (got 2)'],
  ['diagram', ['diagram', 'One', 'Two'], 'diagram takes at most one state machine (got 2)'],
  ['diagram', ['diagram', '--svg', 'no-such-dir/out.svg'], '--svg no-such-dir/out.svg: there is no directory'],
  ['cost', [...VALID.cost, 'One', 'Two'], 'cost takes at most one pipeline (got 2)'],
  ['cost', ['cost'], 'cost needs a sample job: --input <file.json> (or --input <pipeline>=<file.json> for each of several pipelines), or --items-file <key>=<items file>'],
  ['cost', ['cost', '--input', 'nope.json'], 'cannot read --input nope.json'],
  ['cost', [...VALID.cost, '--input', 'input.json'], '--input <file> given twice'],
  ['cost', ['cost', '--input', 'A=input.json', '--input', 'input.json'], 'give --input <file.json> for one pipeline, or --input <pipeline>=<file.json> for each, not both'],
  ['cost', [...VALID.cost, '--items-file', 'jobs/a.json'], "--items-file must be <key>=<items file> (got 'jobs/a.json')"],
  ['cost', [...VALID.cost, '--items-file', 'jobs/a.json=nope.json'], 'cannot read --items-file nope.json'],
  ['cost', [...VALID.cost, '--items', '0'], "--items must be a whole number >= 1 (got '0')"],
  ['cost', [...VALID.cost, '--sample', '1.5'], "--sample must be a whole number >= 1 (got '1.5')"],
  ['cost', [...VALID.cost, '--region', 'mars-1'], '--region mars-1: tools/cost/prices.json has prices for us-east-1, ap-northeast-2'],
  ['start', [...VALID.start, 'extra'], 'start takes one state machine, an ARN or a name (got 2)'],
  ['start', ['start', STATE_MACHINE], 'start needs --input <file.json>'],
  ['start', ['start', STATE_MACHINE, '--input', 'nope.json'], 'cannot read --input nope.json'],
  ['start', [...VALID.start, '--name', 'x'.repeat(81)], '--name must be 1..80 characters (got 81)'],
  ['start', [...VALID.start, '--request-timeout', 'soon'], "--request-timeout must be a positive number of seconds (got 'soon')"],
  ['status', [...VALID.status, 'extra'], 'status takes one execution ARN (got 2)'],
  ['status', ['status', 'job-42'], 'status needs an execution ARN'],
  ['status', [...VALID.status, '--connect-timeout', '0'], "--connect-timeout must be a positive number of seconds (got '0')"],
  ['trace', [...VALID.trace, 'extra'], 'trace takes one execution ARN (got 2)'],
  ['trace', [...VALID.trace, '--max-iterations', '1.5'], "--max-iterations must be a whole number (got '1.5')"],
  ['trace', [...VALID.trace, '--max-iterations', ''], "--max-iterations must be a whole number (got '')"],
  ['serve', ['serve', 'extra'], "Unexpected argument 'extra'"],
  ['serve', ['serve', '--port', '70000'], "--port must be a port number 0..65535, 0 for any free port (got '70000')"],
  ['serve', ['serve', '--view-port', 'web'], "--view-port must be a port number 0..65535, 0 for any free port (got 'web')"],
  ['serve', ['serve', '--schedules', 'sometimes'], "--schedules must be off, on, fast (got 'sometimes')"],
  ['serve', ['serve', '--time-scale', '1.5'], "--time-scale must be a factor more than 0 and at most 1, e.g. 0.01 (got '1.5')"],
  ['serve', ['serve', '--visibility-timeout', '1.5'], "--visibility-timeout must be a whole number of seconds, 0..43200 (got '1.5')"],
  ['serve', ['serve', '--put-object', 'bucket-only'], "--put-object must be <bucket>/<key>=<file>"],
];

test.each(cases)('%s %j: exit 2, the reason and the usage; nothing synthesized, no AWS client', async (name, argv, reason) => {
  const result = await sdp(argv);
  expect({ code: result.code, stdout: result.stdout, clients: result.clients }).toEqual({ code: 2, stdout: '', clients: 0 });
  expect(result.stderr).toContain(reason);
  expect(result.stderr).toContain(`\n\nusage: sdp ${name} `);
  expect(app.synths()).toBe(0);
});
