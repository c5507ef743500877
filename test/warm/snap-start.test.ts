import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { SnapStartAlias, SnapStartAliasProps } from '../../lib';
import { expectValidationError } from '../support/validation-error';

/**
 * A Java function whose jar an imported bucket holds: Java takes no inline
 * code, and an S3 location keeps the test offline with no asset to build.
 */
function javaFunction(stack: Stack, functionProps: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(stack, 'Orders', {
    runtime: lambda.Runtime.JAVA_21,
    handler: 'example.OrdersHandler::handleRequest',
    code: lambda.Code.fromBucket(s3.Bucket.fromBucketName(stack, 'Artifacts', 'orders-artifacts'), 'orders-1.0.jar'),
    memorySize: 1024,
    snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS,
    ...functionProps,
  });
}

function messageOf(functionProps: Partial<lambda.FunctionProps>, props: Partial<SnapStartAliasProps> = {}, escapeHatch?: (cfn: lambda.CfnFunction) => void): string {
  const stack = new Stack(new App(), 'Test');
  const fn = javaFunction(stack, functionProps);
  escapeHatch?.(fn.node.defaultChild as lambda.CfnFunction);
  return expectValidationError(() => new SnapStartAlias(stack, 'Fast', { function: fn, ...props })).message;
}

const stack = new Stack(new App(), 'Test');
const fn = javaFunction(stack);
const fast = new SnapStartAlias(stack, 'Fast', { function: fn });
const template = Template.fromStack(stack);

test('publishes the current version of the SnapStart function and points the alias at it', () => {
  template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'java21', SnapStart: { ApplyOn: 'PublishedVersions' } });
  template.hasResourceProperties('AWS::Lambda::Version', { FunctionName: { Ref: Match.stringLikeRegexp('^Orders') } });
  template.hasResourceProperties('AWS::Lambda::Alias', {
    Name: 'live',
    FunctionName: { Ref: Match.stringLikeRegexp('^Orders') },
    FunctionVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersCurrentVersion'), 'Version'] },
    ProvisionedConcurrencyConfig: Match.absent(),
  });
  expect(fast.version).toBe(fn.currentVersion);
  expect(fast.alias.aliasName).toBe('live');
});

test("acknowledges CDK's publish-a-version warning, since it publishes one", () => {
  Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('SnapStart only supports published Lambda versions'));
  // Without the construct the function carries the warning (read from its metadata: synthesizing would report the missing version too).
  const unaliased = javaFunction(new Stack(new App(), 'Unaliased'));
  expect(unaliased.node.metadata.some((m) => m.type === 'aws:cdk:warning' && String(m.data).includes('SnapStart only supports published Lambda versions'))).toBe(true);
});

test('the stack matches its snapshot', () => {
  expect(template.toJSON()).toMatchSnapshot();
});

test('SnapStart runtimes beyond Java: Python 3.12+ and .NET 8+, on arm64 too', () => {
  const other = new Stack(new App(), 'Other');
  const python = new lambda.Function(other, 'Python', {
    runtime: lambda.Runtime.PYTHON_3_13,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return event\n'),
    snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS,
  });
  const dotnet = new lambda.Function(other, 'Dotnet', {
    runtime: lambda.Runtime.DOTNET_8,
    handler: 'Orders::Orders.Function::Handle',
    code: lambda.Code.fromBucket(s3.Bucket.fromBucketName(other, 'Artifacts', 'orders-artifacts'), 'orders-dotnet.zip'),
    snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS,
  });
  new SnapStartAlias(other, 'FastPython', { function: python, aliasName: 'prod' });
  new SnapStartAlias(other, 'FastDotnet', { function: dotnet });
  const t = Template.fromStack(other);
  t.resourceCountIs('AWS::Lambda::Alias', 2);
  t.hasResourceProperties('AWS::Lambda::Alias', { Name: 'prod', FunctionName: { Ref: Match.stringLikeRegexp('^Python') } });
});

test('passes cdk-nag AwsSolutions and Serverless with no finding of its own', () => {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  const nagStack = new Stack(app, 'Nag');
  // The fixture function follows the findings a real one would fix; what is left belongs to it, not to the construct.
  const role = new iam.Role(nagStack, 'OrdersRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const logGroup = new logs.LogGroup(nagStack, 'OrdersLogs', { retention: logs.RetentionDays.ONE_WEEK });
  logGroup.grantWrite(role);
  const orders = javaFunction(nagStack, {
    role,
    logGroup,
    runtime: lambda.Runtime.JAVA_25,
    tracing: lambda.Tracing.ACTIVE,
    timeout: Duration.seconds(10),
    reservedConcurrentExecutions: 10,
  });
  const notAsync = 'Test fixture: a function defined only to carry the SnapStartAlias; nothing invokes it asynchronously.';
  Validations.of(orders).acknowledge(
    { id: 'Serverless-LambdaDLQ', reason: notAsync },
    { id: 'Serverless-LambdaAsyncFailureDestination', reason: notAsync },
  );
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Test fixture: X-Ray active tracing; xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
  });
  new SnapStartAlias(nagStack, 'Fast', { function: orders });
  expect(() => app.synth()).not.toThrow();
});

describe('validation: one test per rule', () => {
  test('a runtime with SnapStart', () => {
    expect(messageOf({ runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'), snapStart: undefined }))
      .toBe("SnapStartAlias 'Test/Fast': function Test/Orders uses runtime nodejs24.x, which SnapStart does not support; "
        + 'SnapStart needs a managed Java 11+, Python 3.12+ or .NET 8+ runtime (use ProvisionedConcurrency for others)');
  });
  test('SnapStart on in the function', () => {
    expect(messageOf({ snapStart: undefined })).toBe("SnapStartAlias 'Test/Fast': function Test/Orders does not have SnapStart on (got no snapStart); "
      + 'define it with snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS');
  });
  test('at most 512 MiB of ephemeral storage', () => {
    // lambda.Function refuses both in its props; an escape hatch can still combine them.
    expect(messageOf({}, {}, (cfn) => { cfn.ephemeralStorage = { size: 1024 }; }))
      .toBe("SnapStartAlias 'Test/Fast': function Test/Orders has 1024 MiB of ephemeral storage; SnapStart supports at most 512 MiB");
  });
  test('no EFS file system', () => {
    expect(messageOf({}, {}, (cfn) => { cfn.fileSystemConfigs = [{ arn: 'arn:aws:elasticfilesystem:us-east-1:111122223333:access-point/fsap-1', localMountPath: '/mnt/data' }]; }))
      .toBe("SnapStartAlias 'Test/Fast': function Test/Orders mounts an EFS file system; SnapStart does not support Amazon EFS");
  });
  test('a valid alias name', () => {
    expect(messageOf({}, { aliasName: '$LATEST' }))
      .toBe("SnapStartAlias 'Test/Fast': aliasName must be 1..128 letters, digits, '-' or '_', and not only digits (got '$LATEST')");
  });
  test('no provisioned concurrency on the function, wherever it is added', () => {
    const synthError = (addProvisioned: (fn: lambda.Function, alias: SnapStartAlias) => void): string => {
      const s = new Stack(new App(), 'Test');
      const f = javaFunction(s);
      const alias = new SnapStartAlias(s, 'Fast', { function: f });
      addProvisioned(f, alias);
      try {
        Template.fromStack(s);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected synth to fail');
    };
    const rule = 'and Lambda does not support provisioned concurrency on SnapStart functions; remove it, or use ProvisionedConcurrency on a function without SnapStart';
    expect(synthError((f) => f.addAlias('warm', { provisionedConcurrentExecutions: 2 })))
      .toContain(`SnapStartAlias 'Test/Fast': Test/Orders/Aliaswarm/Resource sets provisioned concurrency on Test/Orders, ${rule}`);
    expect(synthError((_, alias) => alias.alias.addAutoScaling({ maxCapacity: 5 }).scaleOnSchedule('Day', { schedule: appscaling.Schedule.cron({ hour: '9', minute: '0' }), minCapacity: 2 })))
      .toContain(`SnapStartAlias 'Test/Fast': Test/Fast/Alias/AliasScaling/Target/Resource sets provisioned concurrency on Test/Orders, ${rule}`);
    expect(synthError((f) => new lambda.Version(f, 'Pinned', { lambda: f, provisionedConcurrentExecutions: 1 })))
      .toContain(`SnapStartAlias 'Test/Fast': Test/Orders/Pinned/Resource sets provisioned concurrency on Test/Orders, ${rule}`);
  });
});
