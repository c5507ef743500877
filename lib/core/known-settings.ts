import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

// Settings of a function read at synth. Through the L1 resource and aws-cdk-lib's type guards, not
// `instanceof`: they hold when the app's aws-cdk-lib is another copy than the library's (a linked install).

/** The `AWS::Lambda::Function` resource behind a function, version or alias defined in this app; undefined for an imported one. */
export function functionResource(fn: lambda.IFunction): lambda.CfnFunction | undefined {
  const underlying = (fn as Partial<lambda.IVersion>).lambda ?? fn;
  const cfn = underlying.node.defaultChild;
  return lambda.CfnFunction.isCfnFunction(cfn) ? cfn : undefined;
}

/**
 * The reserved concurrency of a function, version or alias when it is known at
 * synth (a function defined in this app with a resolved value), else undefined.
 */
export function knownReservedConcurrency(fn: lambda.IFunction): number | undefined {
  const cfn = functionResource(fn);
  if (!cfn) return undefined;
  const reserved = cfn.reservedConcurrentExecutions;
  return typeof reserved === 'number' && !Token.isUnresolved(reserved) ? reserved : undefined;
}

/** The timeout of a function, version or alias in seconds when it is known at synth (Lambda's default is 3 seconds). */
export function knownTimeoutSeconds(fn: lambda.IFunction): number | undefined {
  const cfn = functionResource(fn);
  if (!cfn) return undefined;
  const timeout = cfn.timeout ?? 3;
  return Token.isUnresolved(timeout) ? undefined : timeout;
}
