import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { checkReservedConcurrencyBudget } from './reserved-concurrency';

/** Settings for a handler function the library builds from a TypeScript entry file. */
export interface NodejsHandlerOptions {
  /** Path of the handler's TypeScript entry file; its export `handler` is invoked. */
  readonly entry: string;
  /** Function timeout. */
  readonly timeout: Duration;
  /** Memory in MiB. */
  readonly memorySize: number;
  /** How long the function's log group keeps logs. */
  readonly logRetention: logs.RetentionDays;
  /** Extra environment variables. */
  readonly environment?: Record<string, string>;
  /** What invokes the function synchronously, for the acknowledgement of the Lambda-DLQ finding. */
  readonly invokedBy: string;
  /**
   * For a function invoked asynchronously: why its failed invocations need no dead-letter queue,
   * which replaces the synchronous reason of the Lambda-DLQ acknowledgement.
   * @default - the function is invoked synchronously only
   */
  readonly noDeadLetterQueueReason?: string;
  /**
   * Reserved concurrency: the most instances the function may run, and the
   * capacity no other function can take from it. Every library function has one.
   */
  readonly reservedConcurrency: number;
}

/**
 * A Node.js 22 Lambda function bundled by the local esbuild (no Docker), with
 * X-Ray tracing, JSON logs and its own log group so retention is set without
 * the LogRetention custom-resource Lambda.
 *
 * Its role may write to that log group only, instead of the AWS managed
 * AWSLambdaBasicExecutionRole policy that allows every log group.
 */
export function createNodejsHandler(scope: Construct, id: string, options: NodejsHandlerOptions): nodejs.NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
    retention: options.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of ${scope.node.path}/${id}`,
  });
  logGroup.grantWrite(role);
  const fn = new nodejs.NodejsFunction(scope, id, {
    role,
    entry: options.entry,
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    reservedConcurrentExecutions: options.reservedConcurrency,
    tracing: lambda.Tracing.ACTIVE,
    loggingFormat: lambda.LoggingFormat.JSON,
    logGroup,
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      ...options.environment,
    },
    bundling: {
      forceDockerBundling: false,
      minify: true,
      logLevel: nodejs.LogLevel.WARNING,
      sourceMap: true,
      target: 'node22',
      // The runtime ships AWS SDK v3; bundling it would only grow the package.
      externalModules: ['@aws-sdk/*'],
    },
  });
  acknowledgeHandlerFindings(fn, role, options.noDeadLetterQueueReason
    ?? `Invoked synchronously by ${options.invokedBy}; a Lambda DLQ only receives failed asynchronous invocations.`);
  checkReservedConcurrencyBudget(scope);
  return fn;
}

function acknowledgeHandlerFindings(fn: nodejs.NodejsFunction, role: iam.Role, noDeadLetterQueueReason: string): void {
  const runtimeReason = 'Pinned to nodejs22.x on purpose: the local run executes these handlers on Node 22 (the node@22 devDependency), so tests and Lambda share one major version.';
  Validations.of(fn).acknowledge(
    { id: 'AwsSolutions-L1', reason: runtimeReason },
    { id: 'Serverless-LambdaLatestVersion', reason: runtimeReason },
    { id: 'Serverless-LambdaDLQ', reason: noDeadLetterQueueReason },
  );
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
  });
}
