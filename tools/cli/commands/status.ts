import { AWS_OPTIONS, AwsOptions, awsOptions, CommandDeps, CommandError, defineCommand, EXIT, parseCommandLine } from './command';
import { AwsCallError, describeExecution, executionArnArgument, FAILED_STATUSES, parseJson, regionOfArn } from './sfn';

export interface StatusOptions extends AwsOptions {
  /** The execution's ARN, as `start` prints it. */
  readonly executionArn: string;
}

export function parseStatusArgs(args: readonly string[]): StatusOptions {
  const { values, positionals } = parseCommandLine({ args: [...args], allowPositionals: true, options: AWS_OPTIONS });
  const arn = executionArnArgument('status', positionals);
  return { executionArn: arn, region: values.region ?? regionOfArn(arn), ...awsOptions(values) };
}

/**
 * Prints an execution's `{ status, name, startDate, stopDate, output, error, cause }` as one JSON
 * line (output parsed, absent fields null). Returns 0 when it succeeded or is still running,
 * 1 when it failed, timed out or was aborted.
 */
export async function status(options: StatusOptions, deps: CommandDeps): Promise<number> {
  const execution = await describeExecution(deps, options.executionArn).catch((error: unknown) => {
    throw error instanceof AwsCallError && error.errorName === 'ExecutionDoesNotExist'
      ? new CommandError(`DescribeExecution failed: ExecutionDoesNotExist: there is no execution ${options.executionArn} `
        + 'for these credentials; check the ARN and --profile', { cause: error })
      : error;
  });
  deps.stdout.write(`${JSON.stringify({
    status: execution.status,
    name: execution.name ?? null,
    startDate: execution.startDate?.toISOString() ?? null,
    stopDate: execution.stopDate?.toISOString() ?? null,
    output: parseJson(execution.output),
    error: execution.error ?? null,
    cause: execution.cause ?? null,
  })}\n`);
  return FAILED_STATUSES.has(execution.status!) ? EXIT.failed : EXIT.succeeded;
}

export const statusCommand = defineCommand({
  synopsis: 'status <execution arn>',
  description: 'Prints an execution\'s { status, name, startDate, stopDate, output, error, cause } as one JSON line.',
  parse: parseStatusArgs,
  run: status,
});
