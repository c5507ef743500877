import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';

/** What the library's workflows share, so other stacks and `PipelineMonitoring` use any of them alike. */
export interface IWorkflow extends IConstruct {
  /** The workflow's state machine. */
  readonly stateMachine: sfn.StateMachine;
  /**
   * What the workflow records of a failed execution besides its history (said in the failed-executions alarm).
   * @default - nothing
   */
  readonly failureRecord?: string;
  /** Lets `grantee` start executions. */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant;
  /** Lets `grantee` list and describe executions and read their history. */
  grantRead(grantee: iam.IGrantable): iam.Grant;
  /** Executions that failed. */
  metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Executions that succeeded. */
  metricSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Executions that timed out. */
  metricTimedOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Executions that were throttled. */
  metricThrottled(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** Whether `x` is one of the library's workflows (or another that keeps the {@link IWorkflow} contract), not a bare state machine. */
export function isWorkflow(x: unknown): x is IWorkflow {
  const candidate = x as Partial<IWorkflow> | null;
  return typeof candidate === 'object' && candidate !== null && candidate.stateMachine instanceof sfn.StateMachine
    && typeof candidate.grantStartExecution === 'function' && typeof candidate.metricFailed === 'function';
}

/** The grants and metrics every workflow has, each its state machine's, written once. */
export abstract class WorkflowBase extends Construct implements IWorkflow {
  abstract readonly stateMachine: sfn.StateMachine;
  readonly failureRecord?: string;

  protected constructor(scope: Construct, id: string, options: { readonly failureRecord?: string } = {}) {
    super(scope, id);
    this.failureRecord = options.failureRecord;
  }

  grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantRead(grantee);
  }

  /** @default - sum over 5 minutes */
  metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  /** @default - sum over 5 minutes */
  metricSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricSucceeded(props);
  }

  /** @default - sum over 5 minutes */
  metricTimedOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricTimedOut(props);
  }

  /** @default - sum over 5 minutes */
  metricThrottled(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricThrottled(props);
  }
}
