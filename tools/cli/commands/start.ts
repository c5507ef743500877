import { DescribeExecutionOutput, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  AWS_OPTIONS, AwsOptions, awsOptions, CommandDeps, CommandError, defineCommand, EXIT, Host, parseCommandLine, processHost, readJson,
  UsageError, Writer,
} from './command';
import { executionNameProblem } from '../../local/execution-name';
import {
  AwsCallError, callSfn, describeExecution, executionArn, parseJson, printLine, regionOfArn,
  resolveStateMachine, STOPPED_STATUSES,
} from './sfn';

export interface StartOptions extends AwsOptions {
  /** A state machine ARN (unqualified, version or alias), or its name or part of it. */
  readonly stateMachine: string;
  /** The JSON file holding the execution input. */
  readonly inputFile: string;
  /** Its content, read and parsed when the arguments are. */
  readonly input: unknown;
  /** The execution name, the idempotency key. @default - Step Functions generates a UUID */
  readonly name?: string;
  /** Waits until the execution stops and prints its output. @default false */
  readonly wait?: boolean;
}

const POLL_FIRST_DELAY_MS = 1_000;
const POLL_MAX_DELAY_MS = 5_000;
const POLL_GROWTH = 1.5;
/** How often the spinner turns on a terminal; polls stay on their own, slower schedule. */
const SPINNER_INTERVAL_MS = 250;
const SPINNER_FRAMES = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';

export function parseStartArgs(args: readonly string[], host: Pick<Host, 'cwd'> = processHost()): StartOptions {
  const { values, positionals } = parseCommandLine({
    args: [...args],
    allowPositionals: true,
    options: { input: { type: 'string' }, name: { type: 'string' }, wait: { type: 'boolean' }, ...AWS_OPTIONS },
  });
  if (positionals.length !== 1) throw new UsageError(`start takes one state machine, an ARN or a name (got ${positionals.length})`);
  if (values.input === undefined) throw new UsageError('start needs --input <file.json>, the execution input');
  const nameProblem = values.name === undefined ? undefined : executionNameProblem(values.name);
  if (nameProblem) throw new UsageError(nameProblem);
  return {
    stateMachine: positionals[0],
    inputFile: values.input,
    input: readJson(values.input, '--input', host.cwd),
    name: values.name,
    wait: values.wait ?? false,
    region: values.region ?? regionOfArn(positionals[0]),
    ...awsOptions(values),
  };
}

/**
 * Starts an execution and prints its ARN on stdout; with `wait`, polls until it stops and
 * prints its output as one JSON line. Returns the exit status: 0 succeeded (or started),
 * 1 the execution failed, timed out or was aborted.
 */
export async function start(options: StartOptions, deps: CommandDeps): Promise<number> {
  const { input } = options;
  const stateMachineArn = await resolveStateMachine(deps, options.stateMachine);
  // With a name, StartExecution is idempotent for Standard workflows: the same name and input
  // return the execution started before, so a retried `start` does not run the work twice.
  const started = await callSfn(deps, 'StartExecution', () => deps.client.send(new StartExecutionCommand({
    stateMachineArn, name: options.name, input: JSON.stringify(input),
  }))).catch((error: unknown) => {
    throw error instanceof AwsCallError && error.errorName === 'ExecutionAlreadyExists' && options.name !== undefined
      ? alreadyExists(stateMachineArn, options.name, error)
      : error;
  });
  deps.stdout.write(`${started.executionArn}\n`);
  if (!options.wait) return EXIT.succeeded;

  const execution = await waitForExecution(deps, started.executionArn!);
  if (execution.status === 'SUCCEEDED') {
    deps.stdout.write(`${JSON.stringify(parseJson(execution.output))}\n`);
    return EXIT.succeeded;
  }
  printLine(deps.stderr, `execution ${execution.status}: ${execution.error ?? '(no error)'}\ncause: ${execution.cause ?? '(no cause)'}`);
  return EXIT.failed;
}

export const startCommand = defineCommand({
  synopsis: 'start <state machine> --input <file.json> [--name <idempotency key>] [--wait]',
  description: [
    'Starts an execution of a deployed state machine (its ARN, or its name or part of it) and prints the execution ARN.',
    '  --input <file>  the execution input (JSON)',
    '  --name <key>    the execution name: starting again with the same name and input returns the same execution',
    '                  (Standard workflows); with another input, or after it stopped, the name is taken for 90 days',
    '  --wait          wait until the execution stops, showing its status on stderr, then print the output as one JSON line',
  ].join('\n'),
  parse: parseStartArgs,
  run: start,
});

/**
 * Polls DescribeExecution with a growing delay until the execution stops, showing
 * progress on stderr: a spinner with the elapsed time on a terminal, else a line per status change.
 */
async function waitForExecution(deps: CommandDeps, arn: string): Promise<DescribeExecutionOutput> {
  const progress = new Progress(deps.stderr, deps.now);
  let delay = POLL_FIRST_DELAY_MS;
  try {
    for (;;) {
      const execution = await describeExecution(deps, arn);
      const stopped = STOPPED_STATUSES.has(execution.status!);
      progress.update(execution.status!, stopped);
      if (stopped) return execution;
      await progress.wait(delay, deps.sleep);
      delay = Math.min(delay * POLL_GROWTH, POLL_MAX_DELAY_MS);
    }
  } finally {
    progress.clear();
  }
}

class Progress {
  private readonly startedAt: number;
  private status?: string;
  private frame = 0;

  constructor(private readonly stream: Writer, private readonly now: () => number) {
    this.startedAt = now();
  }

  update(status: string, stopped: boolean): void {
    const changed = status !== this.status;
    this.status = status;
    if (stopped || (changed && !this.stream.isTTY)) printLine(this.stream, `execution ${status} (${this.elapsed()})`);
    else if (this.stream.isTTY) this.draw();
  }

  /** Sleeps `ms`; on a terminal in short steps, turning the spinner. */
  async wait(ms: number, sleep: (ms: number) => Promise<void>): Promise<void> {
    if (!this.stream.isTTY) return sleep(ms);
    for (let left = ms; left > 0; left -= SPINNER_INTERVAL_MS) {
      await sleep(Math.min(SPINNER_INTERVAL_MS, left));
      this.frame++;
      this.draw();
    }
  }

  /** Leaves the terminal's line empty, also when waiting ends with an error. */
  clear(): void {
    if (this.stream.isTTY) this.stream.write('\r\x1b[2K');
  }

  private draw(): void {
    this.stream.write(`\r\x1b[2K${SPINNER_FRAMES[this.frame % SPINNER_FRAMES.length]} ${this.status} ${this.elapsed()}`);
  }

  private elapsed(): string {
    const seconds = Math.floor((this.now() - this.startedAt) / 1000);
    return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  }
}

function alreadyExists(stateMachineArn: string, name: string, error: AwsCallError): CommandError {
  return new CommandError([
    `StartExecution failed: ExecutionAlreadyExists: an execution named '${name}' exists with a different input, or stopped less than 90 days ago,`,
    'so this key cannot start another one. Use another --name to start a new execution, or look at the existing one:',
    `  sdp status ${executionArn(stateMachineArn, name)}`,
  ].join('\n'), { cause: error });
}
