import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { isJsonata } from './jsonata';
import { nagArnReference } from './nag-names';

/** Settings for a state machine the library builds. */
export interface TracedStateMachineOptions {
  readonly definition: sfn.IChainable;
  readonly stateMachineType: sfn.StateMachineType;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly stateMachineName?: string;
  /**
   * Whether the log holds each state's input and output besides the events.
   * @default true
   */
  readonly includeExecutionData?: boolean;
  /**
   * The definition's top-level query language.
   * @default sfn.QueryLanguage.JSON_PATH
   */
  readonly queryLanguage?: sfn.QueryLanguage;
  /** The functions its tasks invoke, for the acknowledgement of their `:*` (versions and aliases) grants. */
  readonly invokedFunctions: readonly lambda.IFunction[];
}

/**
 * A state machine with X-Ray tracing and its full execution history (inputs and
 * outputs included) in a log group of its own, as cdk-nag's SF1/SF2 ask; its
 * role's wildcard findings acknowledged with the reason each is needed.
 */
export function createTracedStateMachine(scope: Construct, options: TracedStateMachineOptions): { stateMachine: sfn.StateMachine; logGroup: logs.LogGroup } {
  const logGroup = new logs.LogGroup(scope, 'ExecutionLogs', {
    retention: options.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineName: options.stateMachineName,
    stateMachineType: options.stateMachineType,
    definitionBody: sfn.DefinitionBody.fromChainable(options.definition),
    timeout: options.timeout,
    // JSONPath, the default, is left unwritten, so the definitions written before the option stay as they were.
    queryLanguage: isJsonata(options.queryLanguage) ? options.queryLanguage : undefined,
    tracingEnabled: true,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: options.includeExecutionData ?? true },
  });
  // Functions passed in from elsewhere are named by ARN, not by a logical id in this stack.
  const qualifiedInvokes = [...new Set(options.invokedFunctions)]
    .filter((fn) => lambda.CfnFunction.isCfnFunction(fn.node.defaultChild))
    .map((fn) => ({
      id: `AwsSolutions-IAM5[Resource::${nagArnReference(fn, fn.functionArn)}:*]`,
      reason: `lambda:InvokeFunction on ${fn.node.path} and its versions and aliases (the ':*' suffix), nothing else.`,
    }));
  Validations.of(stateMachine.role).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing and vended log delivery: xray:PutTraceSegments/GetSampling* and logs:CreateLogDelivery/DescribeResourcePolicies/... support no resource-level permissions.',
    },
    ...qualifiedInvokes,
  );
  return { stateMachine, logGroup };
}
