import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { createTracedStateMachine } from '../core/traced-state-machine';
import { PropValidator } from '../core/validation';
import { LAMBDA_TRANSIENT_ERRORS } from '../core/task-retries';
import { JobSplitter } from './job-splitter';

/** Properties for a {@link FanOutJobWorkflow}. */
export interface FanOutJobWorkflowProps {
  /** The splitter that cuts each job into chunks and publishes them. */
  readonly splitter: JobSplitter;
  /** Time after which an execution fails with States.Timeout. @default Duration.minutes(15) */
  readonly timeout?: Duration;
  /** Retention of the execution log. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Standard workflow that runs one fan-out job per execution, so schedules
 * and the API can start jobs the same way: the input is `{ items: [...] }` or
 * `{ itemsUri: "s3://bucket/key" }`, and the execution name is the job id.
 * Starting an execution twice with the same name (an API request's
 * Idempotency-Key) runs the job once; chunks already processed are skipped by
 * the workers' idempotency records even across runs of the same job id.
 */
export class FanOutJobWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** Log group of the execution history. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: FanOutJobWorkflowProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(15);
    const v = new PropValidator('FanOutJobWorkflow', id);
    v.wholeSecondsInRange('timeout', timeout, Duration.minutes(1), Duration.days(365));
    v.throwIfAny();

    const splitter = props.splitter.function;
    const split = (stateName: string, job: Record<string, unknown>) => new tasks.LambdaInvoke(this, stateName, {
      stateName,
      lambdaFunction: splitter,
      payload: sfn.TaskInput.fromObject({ jobId: sfn.JsonPath.executionName, ...job }),
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(splitter.timeout ?? Duration.minutes(1)),
    }).addRetry({
      errors: LAMBDA_TRANSIENT_ERRORS,
      interval: Duration.seconds(2),
      maxAttempts: 6,
      backoffRate: 2,
      maxDelay: Duration.seconds(60),
      jitterStrategy: sfn.JitterType.FULL,
    });

    // The splitter validates the job in depth; this only routes it, and names the error when there is nothing to route.
    const definition = new sfn.Choice(this, 'WhereAreTheItems', { stateName: 'WhereAreTheItems' })
      .when(sfn.Condition.isPresent('$.itemsUri'), split('SplitStoredJob', { itemsUri: sfn.JsonPath.stringAt('$.itemsUri') }))
      .when(sfn.Condition.isPresent('$.items'), split('SplitInlineJob', { items: sfn.JsonPath.listAt('$.items') }))
      .otherwise(new sfn.Fail(this, 'NoItems', {
        stateName: 'NoItems',
        error: 'JobValidationError',
        cause: 'The job input needs items (an array of work items) or itemsUri (s3://bucket/key of a JSON array).',
      }));

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = createTracedStateMachine(this, {
      definition,
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout,
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      invokedFunctions: [splitter],
    }));
  }

  /** Lets `grantee` start jobs. */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Jobs that failed to split or publish. */
  metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }
}
