import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DescribeExecutionCommand, DescribeExecutionOutput, ExecutionAlreadyExists, ExecutionDoesNotExist, ListStateMachinesCommand,
  SFNClient, SFNServiceException, StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsOptions, CommandIo } from '../../tools/cli/commands/command';
import { executionNameProblem } from '../../tools/local/execution-name';
import { executionArn, THROTTLE_ATTEMPTS } from '../../tools/cli/commands/sfn';
import { parseStartArgs } from '../../tools/cli/commands/start';
import { main } from '../../tools/cli/sdp';
import { bufferedIo } from './buffered-io';
import { parseStatusArgs } from '../../tools/cli/commands/status';

const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:WordLengthWorkflow1A2B-xyz';
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:WordLengthWorkflow1A2B-xyz:job-42';
const STARTED = new Date('2026-01-02T03:04:05.000Z');
const STOPPED = new Date('2026-01-02T03:04:09.000Z');

const sfn = mockClient(SFNClient);
beforeEach(() => sfn.reset());

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfn-commands-'));
const inputFile = path.join(dir, 'input.json');
fs.writeFileSync(inputFile, JSON.stringify({ items: [{ word: 'apple' }] }));
const notJsonFile = path.join(dir, 'not-json.json');
fs.writeFileSync(notJsonFile, '{"items": [');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `sdp <argv>` in-process, with buffers for stdout/stderr and a clock that only the (instant) sleeps advance. */
async function run(argv: string[], { tty = false } = {}) {
  let clock = 0;
  const printed = { stdout: '', stderr: '' };
  const sleeps: number[] = [];
  const clientOptions: AwsOptions[] = [];
  const io: CommandIo = {
    stdout: { write: (text: string) => (printed.stdout += text) },
    stderr: { write: (text: string) => (printed.stderr += text), isTTY: tty },
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
  };
  const code = await main(argv, io, (options) => {
    clientOptions.push(options);
    return new SFNClient({ region: options.region });
  });
  return { code, ...printed, sleeps, clientOptions };
}

const throttled = (name = 'ThrottlingException') =>
  new SFNServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });

const execution = (props: Partial<DescribeExecutionOutput>): DescribeExecutionOutput => ({
  executionArn: EXECUTION, stateMachineArn: STATE_MACHINE, name: 'job-42', status: 'RUNNING', startDate: STARTED, ...props,
});

describe('dispatch', () => {
  test('the first argument selects the command, which gets the arguments after it', async () => {
    sfn.on(DescribeExecutionCommand).resolves(execution({ status: 'SUCCEEDED', output: '{}' }));
    expect((await run(['status', EXECUTION])).code).toBe(0);
    expect(sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input)).toEqual([{ executionArn: EXECUTION }]);
  });

  test('sdp --help lists every command; no command or an unknown one exits 2 with that list', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['run', 'diagram', 'cost', 'start', 'status', 'trace']) expect(help.stderr).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(await run([])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('sdp needs a command\n\nusage: sdp <command>') });
    expect(await run(['deploy'])).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command 'deploy'\n\nusage: sdp <command>") });
  });

  test('a command\'s usage says sdp', async () => {
    expect((await run(['start', '--help'])).stderr).toContain('usage: sdp start <state machine> --input <file.json> [--name <idempotency key>] [--wait] [--region <region>]');
    expect((await run(['status', '--help'])).stderr).toContain('usage: sdp status <execution arn> [--region <region>] [--profile <profile>]');
  });

  test('without the Step Functions client, start, status and trace say what to install, before loading anything', async () => {
    const host = { cwd: dir, env: {}, nodeVersion: '24.0.0', hasPackage: (name: string) => name !== '@aws-sdk/client-sfn' };
    for (const command of ['start', 'status', 'trace']) {
      const { io, printed } = bufferedIo(host);
      expect(await main([command, EXECUTION], io)).toBe(2);
      expect(printed).toEqual({ stdout: '', stderr: `error: sdp ${command} needs the AWS SDK's Step Functions client: npm install -D @aws-sdk/client-sfn\n` });
    }
  });
});

describe('start', () => {
  test('prints the execution ARN on stdout and passes the input file as the input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED });
    const result = await run(['start', STATE_MACHINE, '--input', inputFile]);
    expect(result).toMatchObject({ code: 0, stdout: `${EXECUTION}\n`, stderr: '' });
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: STATE_MACHINE, name: undefined, input: '{"items":[{"word":"apple"}]}' },
    ]);
    expect(sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(0);
  });

  test('--name is passed as the execution name, and the same name and input print the existing execution', async () => {
    // StartExecution is idempotent: the same name and input return the execution that already runs.
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED });
    const first = await run(['start', STATE_MACHINE, '--input', inputFile, '--name', 'job-42']);
    const again = await run(['start', STATE_MACHINE, '--input', inputFile, '--name', 'job-42']);
    expect([first.code, first.stdout, again.code, again.stdout]).toEqual([0, `${EXECUTION}\n`, 0, `${EXECUTION}\n`]);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual(['job-42', 'job-42']);
  });

  test('the region comes from --region, else from an ARN, else the AWS config chain', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED });
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ name: 'WordLength', stateMachineArn: STATE_MACHINE, type: 'STANDARD', creationDate: STARTED }] });
    const fromArn = await run(['start', STATE_MACHINE, '--input', inputFile, '--profile', 'prod']);
    const fromOption = await run(['start', STATE_MACHINE, '--input', inputFile, '--region', 'us-west-2']);
    const byName = await run(['start', 'WordLength', '--input', inputFile]);
    expect([fromArn.code, fromOption.code, byName.code]).toEqual([0, 0, 0]);
    expect(fromArn.clientOptions).toEqual([{
      stateMachine: STATE_MACHINE, inputFile, input: { items: [{ word: 'apple' }] }, name: undefined, wait: false, region: 'eu-west-1', profile: 'prod',
    }]);
    expect(fromOption.clientOptions[0].region).toBe('us-west-2');
    expect(byName.clientOptions[0].region).toBeUndefined();
  });

  test('--wait prints a progress line per status change on stderr, then the output on stdout, polling ever less often', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED });
    sfn.on(DescribeExecutionCommand)
      .resolvesOnce(execution({}))
      .resolvesOnce(execution({}))
      .resolvesOnce(execution({}))
      .resolvesOnce(execution({}))
      .resolvesOnce(execution({}))
      .resolvesOnce(execution({}))
      .resolves(execution({ status: 'SUCCEEDED', stopDate: STOPPED, output: '{"totalLength":39}' }));
    const result = await run(['start', STATE_MACHINE, '--input', inputFile, '--wait']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${EXECUTION}\n{"totalLength":39}\n`);
    expect(result.stderr).toBe('execution RUNNING (0 s)\nexecution SUCCEEDED (18 s)\n');
    expect(result.sleeps).toEqual([1000, 1500, 2250, 3375, 5000, 5000]);
    expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input).toEqual({ executionArn: EXECUTION });
  });

  test('--wait on a terminal turns a spinner with the elapsed time and leaves the final status on its line', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED });
    sfn.on(DescribeExecutionCommand)
      .resolvesOnce(execution({}))
      .resolves(execution({ status: 'SUCCEEDED', output: '{}' }));
    const result = await run(['start', STATE_MACHINE, '--input', inputFile, '--wait'], { tty: true });
    expect(result.code).toBe(0);
    // Polled after 1 s, in four steps of the spinner.
    expect(result.sleeps).toEqual([250, 250, 250, 250]);
    expect(result.stderr).toContain('\r\x1b[2K⠋ RUNNING 0 s');
    expect(result.stderr).toContain('\r\x1b[2K⠙ RUNNING 0 s');
    expect(result.stderr).toContain('\r\x1b[2K⠼ RUNNING 1 s');
    expect(result.stderr).toMatch(/\r\x1b\[2Kexecution SUCCEEDED \(1 s\)\n\r\x1b\[2K$/);
  });

  test.each([
    ['FAILED', { error: 'WordValidationError', cause: '{"errorMessage":"item.word must be a string (got undefined)"}' }],
    ['TIMED_OUT', {}],
    ['ABORTED', {}],
  ] as const)('--wait on an execution that ends %s prints the status, error and cause on stderr and exits 1', async (status, details) => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED });
    sfn.on(DescribeExecutionCommand).resolves(execution({ status, stopDate: STOPPED, ...details }));
    const result = await run(['start', STATE_MACHINE, '--input', inputFile, '--wait']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${EXECUTION}\n`);
    expect(result.stderr).toBe(`execution ${status} (0 s)\nexecution ${status}: ${'error' in details ? details.error : '(no error)'}\n`
      + `cause: ${'cause' in details ? details.cause : '(no cause)'}\n`);
  });

  test('ExecutionAlreadyExists names the key and says what to do, with the existing execution\'s ARN, exit 2', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ $metadata: {}, message: `Execution Already Exists: '${EXECUTION}'` }));
    const result = await run(['start', STATE_MACHINE, '--input', inputFile, '--name', 'job-42', '--wait']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("error: StartExecution failed: ExecutionAlreadyExists: an execution named 'job-42' exists");
    expect(result.stderr).toContain('Use another --name');
    expect(result.stderr).toContain(`sdp status ${EXECUTION}\n`);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  test('throttled twice, StartExecution is retried with backoff and then succeeds', async () => {
    sfn.on(StartExecutionCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled('TooManyRequestsException'))
      .resolves({ executionArn: EXECUTION, startDate: STARTED });
    const result = await run(['start', STATE_MACHINE, '--input', inputFile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${EXECUTION}\n`);
    expect(result.stderr).toBe('StartExecution throttled (ThrottlingException), retrying in 1 s\n'
      + 'StartExecution throttled (TooManyRequestsException), retrying in 2 s\n');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(3);
  });

  test('throttled beyond the limit, the command gives up with a clear error, exit 2', async () => {
    sfn.on(StartExecutionCommand).rejects(throttled());
    const result = await run(['start', STATE_MACHINE, '--input', inputFile]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: StartExecution was still throttled after ${THROTTLE_ATTEMPTS} attempts (ThrottlingException: Rate exceeded)`);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(THROTTLE_ATTEMPTS);
    expect(result.sleeps).toEqual([1000, 2000, 4000, 8000]);
  });

  test('throttling while waiting is retried too', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED });
    sfn.on(DescribeExecutionCommand).rejectsOnce(throttled()).resolves(execution({ status: 'SUCCEEDED', output: '[1]' }));
    const result = await run(['start', STATE_MACHINE, '--input', inputFile, '--wait']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${EXECUTION}\n[1]\n`);
    expect(result.stderr).toContain('DescribeExecution throttled (ThrottlingException), retrying in 1 s\n');
  });

  test('other AWS errors name the call and the error, exit 2', async () => {
    sfn.on(StartExecutionCommand).rejects(new SFNServiceException({
      name: 'StateMachineDoesNotExist', $fault: 'client', $metadata: {}, message: 'State Machine Does Not Exist',
    }));
    const result = await run(['start', STATE_MACHINE, '--input', inputFile]);
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: 'error: StartExecution failed: StateMachineDoesNotExist: State Machine Does Not Exist\n' });
  });

  describe('a state machine given by name', () => {
    const machine = (name: string) => ({
      name, stateMachineArn: `arn:aws:states:eu-west-1:123456789012:stateMachine:${name}`, type: 'STANDARD' as const, creationDate: STARTED,
    });

    test('is looked up through every page of ListStateMachines', async () => {
      sfn.on(ListStateMachinesCommand)
        .resolvesOnce({ stateMachines: [machine('Reporting'), machine('FanOutJob')], nextToken: 'page-2' })
        .resolves({ stateMachines: [machine('WordLengthWorkflow1A2B-xyz')] });
      sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED });
      const result = await run(['start', 'wordlength', '--input', inputFile]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${EXECUTION}\n`);
      expect(result.stderr).toBe(`state machine ${STATE_MACHINE}\n`);
      expect(sfn.commandCalls(ListStateMachinesCommand).map((c) => c.args[0].input.nextToken)).toEqual([undefined, 'page-2']);
      expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.stateMachineArn).toBe(STATE_MACHINE);
    });

    test('an exact name wins over names that contain it', async () => {
      sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [machine('Words'), machine('WordsNightly')] });
      sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED });
      expect((await run(['start', 'Words', '--input', inputFile])).code).toBe(0);
      expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.stateMachineArn).toBe(machine('Words').stateMachineArn);
    });

    test('matching several is an error listing the candidates, and nothing starts', async () => {
      sfn.on(ListStateMachinesCommand)
        .resolvesOnce({ stateMachines: [machine('WordLengthWorkflowA'), machine('Other')], nextToken: 't' })
        .resolves({ stateMachines: [machine('WordLengthWorkflowB')] });
      const result = await run(['start', 'WordLength', '--input', inputFile]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe("error: 'WordLength' matches 2 state machines; give the full name or the ARN:\n"
        + `  WordLengthWorkflowA  ${machine('WordLengthWorkflowA').stateMachineArn}\n`
        + `  WordLengthWorkflowB  ${machine('WordLengthWorkflowB').stateMachineArn}\n`);
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    });

    test('matching none is an error listing what there is', async () => {
      sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [machine('Reporting')] });
      const result = await run(['start', 'WordLength', '--input', inputFile]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("error: no state machine matches 'WordLength'; the account has, in this region:\n  Reporting  ");
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    });

    test('no state machine at all points at the region and profile', async () => {
      sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
      const result = await run(['start', 'WordLength', '--input', inputFile]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('there are none in this account and region (check --region and --profile)');
    });
  });

  test.each([
    ['', '--name must be 1..80 characters (got 0)'],
    ['x'.repeat(81), '--name must be 1..80 characters (got 81)'],
    ['job 42', `(got 'job 42', which has " ")`],
    ['job:42', `(got 'job:42', which has ":")`],
    ['job/42', `(got 'job/42', which has "/")`],
    ['job*', `(got 'job*', which has "*")`],
    ['job\u0007', 'which has "\\u0007"'],
  ])('--name %j is rejected before any AWS call', async (name, message) => {
    const result = await run(['start', 'WordLength', '--input', inputFile, '--name', name]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: sdp start <state machine>');
    expect(sfn.calls()).toHaveLength(0);
  });

  test('valid names: 80 characters, the CloudWatch-safe ones and other unicode', () => {
    expect(['x'.repeat(80), 'job-42_retry', 'étape.1', 'ジョブ'].map((name) => executionNameProblem(name))).toEqual([undefined, undefined, undefined, undefined]);
  });

  test.each([
    [path.join(dir, 'missing.json'), `cannot read --input ${path.join(dir, 'missing.json')}: ENOENT`],
    [notJsonFile, `--input ${notJsonFile} is not JSON: `],
  ])('a bad --input file %s exits 2 with the reason, before any AWS call', async (file, message) => {
    const result = await run(['start', 'WordLength', '--input', file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(sfn.calls()).toHaveLength(0);
  });

  test.each([
    [['start', '--input', 'x.json'], 'start takes one state machine, an ARN or a name (got 0)'],
    [['start', 'A', 'B', '--input', 'x.json'], 'start takes one state machine, an ARN or a name (got 2)'],
    [['start', 'A'], 'start needs --input <file.json>'],
    [['start', 'A', '--input', 'x.json', '--wiat'], "Unknown option '--wiat'"],
  ])('bad usage %j exits 2 with the reason and the usage', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: sdp start <state machine> --input <file.json> [--name <idempotency key>] [--wait]');
    expect(sfn.calls()).toHaveLength(0);
  });

  test('--help prints the usage and exits 0', async () => {
    const result = await run(['start', '--help']);
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toMatch(/^usage: sdp start /);
  });

  test('parseStartArgs: defaults; the input file is read relative to the working directory', () => {
    expect(parseStartArgs(['WordLength', '--input', 'input.json'], { cwd: dir })).toEqual({
      stateMachine: 'WordLength', inputFile: 'input.json', input: { items: [{ word: 'apple' }] }, name: undefined, wait: false,
      region: undefined, profile: undefined, connectTimeoutMs: undefined, requestTimeoutMs: undefined,
    });
    expect(parseStartArgs(['WordLength', '--input', 'input.json', '--connect-timeout', '2', '--request-timeout', '0.5'], { cwd: dir }))
      .toMatchObject({ connectTimeoutMs: 2_000, requestTimeoutMs: 500 });
  });
});

describe('status', () => {
  test('a running execution: one JSON line, absent fields null, exit 0', async () => {
    sfn.on(DescribeExecutionCommand).resolves(execution({}));
    const result = await run(['status', EXECUTION]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${JSON.stringify({
      status: 'RUNNING', name: 'job-42', startDate: '2026-01-02T03:04:05.000Z', stopDate: null, output: null, error: null, cause: null,
    })}\n`);
    expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input).toEqual({ executionArn: EXECUTION });
  });

  test('a succeeded execution: the output parsed, exit 0', async () => {
    sfn.on(DescribeExecutionCommand).resolves(execution({ status: 'SUCCEEDED', stopDate: STOPPED, output: '{"totalLength":39}' }));
    const result = await run(['status', EXECUTION]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'SUCCEEDED', name: 'job-42', startDate: STARTED.toISOString(), stopDate: STOPPED.toISOString(),
      output: { totalLength: 39 }, error: null, cause: null,
    });
  });

  test('a failed execution: error and cause, exit 1', async () => {
    sfn.on(DescribeExecutionCommand).resolves(execution({ status: 'FAILED', stopDate: STOPPED, error: 'States.Timeout', cause: 'took too long' }));
    const result = await run(['status', EXECUTION]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'FAILED', output: null, error: 'States.Timeout', cause: 'took too long' });
  });

  test('a nonexistent execution: a clear message, exit 2', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ $metadata: {}, message: 'Execution Does Not Exist' }));
    const result = await run(['status', EXECUTION]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`error: DescribeExecution failed: ExecutionDoesNotExist: there is no execution ${EXECUTION} `
      + 'for these credentials; check the ARN and --profile\n');
  });

  test('throttled beyond the limit: a clear error, exit 2', async () => {
    sfn.on(DescribeExecutionCommand).rejects(throttled('TooManyRequestsException'));
    const result = await run(['status', EXECUTION]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: DescribeExecution was still throttled after ${THROTTLE_ATTEMPTS} attempts (TooManyRequestsException`);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(THROTTLE_ATTEMPTS);
  });

  test.each([
    [['status'], 'status takes one execution ARN (got 0)'],
    [['status', STATE_MACHINE], `status needs an execution ARN, arn:aws:states:<region>:<account>:execution:<state machine>:<name> (got '${STATE_MACHINE}')`],
    [['status', 'job-42'], "(got 'job-42')"],
  ])('bad usage %j exits 2 before any AWS call', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: sdp status <execution arn>');
    expect(sfn.calls()).toHaveLength(0);
  });

  test('the region comes from the ARN unless --region says otherwise', () => {
    expect(parseStatusArgs([EXECUTION])).toEqual({ executionArn: EXECUTION, region: 'eu-west-1', profile: undefined });
    expect(parseStatusArgs([EXECUTION, '--region', 'us-east-1', '--profile', 'p'])).toMatchObject({ region: 'us-east-1', profile: 'p' });
  });
});

test('executionArn: the execution of a state machine, also when given by a version or alias ARN', () => {
  expect(executionArn(STATE_MACHINE, 'job-42')).toBe(EXECUTION);
  expect(executionArn(`${STATE_MACHINE}:7`, 'job-42')).toBe(EXECUTION);
  expect(executionArn(`${STATE_MACHINE}:PROD`, 'job-42')).toBe(EXECUTION);
});
