import { Duration, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface StandInFunctionOptions {
  /** Inline handler code. @default - returns `{}` */
  readonly code?: string;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default - none */
  readonly reservedConcurrency?: number;
}

/**
 * A stand-in for a user's function: inline code, so building it costs no bundling.
 * Its cdk-nag findings are acknowledged, since only the constructs around it are under test.
 */
export function standInFunction(scope: Construct, id: string, options: StandInFunctionOptions = {}): lambda.Function {
  const fn = new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(options.code ?? 'exports.handler = async () => ({})'),
    memorySize: 128,
    timeout: options.timeout ?? Duration.seconds(10),
    tracing: lambda.Tracing.ACTIVE,
    reservedConcurrentExecutions: options.reservedConcurrency,
  });
  const reason = 'Test fixture standing in for a user\'s function; only the constructs around it are under test.';
  Validations.of(fn).acknowledge(
    ...['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'Serverless-LambdaDLQ', 'AwsSolutions-IAM5[Resource::*]'].map((ruleId) => ({ id: ruleId, reason })),
  );
  return fn;
}
