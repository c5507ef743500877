import * as path from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { AlarmTopic, ProvisionedConcurrency, ProvisionedConcurrencyProps } from '../../lib';
import { entryCode } from '../../lib/core/handler-code';
import { createHandlerFunction } from '../../lib/core/handler-function';
import { expectValidationError } from '../support/validation-error';

function stackWithFunction(functionProps: Partial<lambda.FunctionProps> = {}) {
  const stack = new Stack(new App(), 'Test');
  const fn = new lambda.Function(stack, 'Api', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ ok: true });'),
    reservedConcurrentExecutions: 20,
    ...functionProps,
  });
  return { stack, fn };
}

/** 10 instances on weekdays from 09:00 in Seoul, 1 from 19:00; none set by the deploy itself. */
function businessHours(fn: lambda.Function): ProvisionedConcurrencyProps {
  return {
    function: fn,
    provisionedConcurrency: 0,
    autoScaling: {
      maxCapacity: 10,
      schedules: [
        { name: 'BusinessHours', cron: '0 9 ? * MON-FRI *', timeZone: 'Asia/Seoul', minCapacity: 10 },
        { name: 'Night', cron: '0 19 ? * MON-FRI *', timeZone: 'Asia/Seoul', minCapacity: 1 },
      ],
    },
  };
}

function messageOf(props: Partial<ProvisionedConcurrencyProps>, functionProps: Partial<lambda.FunctionProps> = {}): string {
  const { stack, fn } = stackWithFunction(functionProps);
  return expectValidationError(() => new ProvisionedConcurrency(stack, 'Warm', { function: fn, provisionedConcurrency: 5, ...props })).message;
}

const { stack: businessStack, fn: businessFn } = stackWithFunction();
const businessHoursConstruct = new ProvisionedConcurrency(businessStack, 'Warm', businessHours(businessFn));
const businessTemplate = Template.fromStack(businessStack);

test('a fixed count: the current version is published and its alias keeps that many instances, with no auto scaling', () => {
  const { stack, fn } = stackWithFunction();
  const warm = new ProvisionedConcurrency(stack, 'Warm', { function: fn, provisionedConcurrency: 5 });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::Lambda::Version', 1);
  template.hasResourceProperties('AWS::Lambda::Alias', {
    Name: 'live',
    FunctionName: { Ref: Match.stringLikeRegexp('^Api') },
    FunctionVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiCurrentVersion'), 'Version'] },
    ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 5 },
  });
  template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
  expect(warm.autoScaling).toBeUndefined();
  expect(warm.scalableTarget).toBeUndefined();
  expect(warm.version).toBe(fn.currentVersion);
});

test('business hours in Seoul: scheduled actions in the time zone pin 10 by day and 1 at night; the alias itself sets none', () => {
  businessTemplate.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', ProvisionedConcurrencyConfig: Match.absent() });
  businessTemplate.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
    ServiceNamespace: 'lambda',
    ScalableDimension: 'lambda:function:ProvisionedConcurrency',
    // Named through the alias's ARN, so the target waits for the alias.
    ResourceId: { 'Fn::Join': ['', ['function:', { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: businessStack.getLogicalId(businessHoursConstruct.alias.node.defaultChild as lambda.CfnAlias) }] }] }, ':live']] },
    MinCapacity: 0,
    MaxCapacity: 10,
    ScheduledActions: [
      { ScheduledActionName: 'BusinessHours', Schedule: 'cron(0 9 ? * MON-FRI *)', Timezone: 'Asia/Seoul', ScalableTargetAction: { MinCapacity: 10, MaxCapacity: 10 } },
      { ScheduledActionName: 'Night', Schedule: 'cron(0 19 ? * MON-FRI *)', Timezone: 'Asia/Seoul', ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 1 } },
    ],
  });
  // Lambda's service-linked role scales the alias; the construct creates no role of its own.
  businessTemplate.resourceCountIs('AWS::IAM::Role', 1);
  expect(businessHoursConstruct.scalableTarget).toBeInstanceOf(appscaling.ScalableTarget);
  expect(businessStack.resolve(businessHoursConstruct.scalableTarget!.scalableTargetId))
    .toEqual({ Ref: businessStack.getLogicalId(businessTemplateTarget()) });
});

function businessTemplateTarget() {
  return businessStack.node.findAll().find((c) => c instanceof appscaling.CfnScalableTarget) as appscaling.CfnScalableTarget;
}

test('the business-hours stack matches its snapshot', () => {
  expect(businessTemplate.toJSON()).toMatchSnapshot();
});

test('a base count with utilization tracking: the range starts at the base and a target-tracking policy follows utilization', () => {
  const { stack, fn } = stackWithFunction();
  new ProvisionedConcurrency(stack, 'Warm', {
    function: fn,
    aliasName: 'prod',
    provisionedConcurrency: 2,
    autoScaling: {
      maxCapacity: 20,
      utilizationTarget: 0.7,
      schedules: [{ name: 'Morning', cron: '30 8 ? * MON-FRI *', minCapacity: 5, maxCapacity: 20 }],
    },
  });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'prod', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 } });
  template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
    MinCapacity: 2,
    MaxCapacity: 20,
    ScheduledActions: [{ ScheduledActionName: 'Morning', Schedule: 'cron(30 8 ? * MON-FRI *)', Timezone: 'UTC', ScalableTargetAction: { MinCapacity: 5, MaxCapacity: 20 } }],
  });
  template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: 0.7,
      PredefinedMetricSpecification: { PredefinedMetricType: 'LambdaProvisionedConcurrencyUtilization' },
    },
  });
});

test('metrics of the alias: spillover (sum) and utilization (maximum), by function name and alias', () => {
  const spillover = businessHoursConstruct.metricProvisionedConcurrencySpilloverInvocations();
  const utilization = businessHoursConstruct.metricProvisionedConcurrencyUtilization();
  const functionRef = { Ref: businessStack.getLogicalId(businessFn.node.defaultChild as lambda.CfnFunction) };
  for (const [metric, name, statistic, seconds] of [
    [spillover, 'ProvisionedConcurrencySpilloverInvocations', 'Sum', 300],
    [utilization, 'ProvisionedConcurrencyUtilization', 'Maximum', 60],
  ] as const) {
    expect({ namespace: metric.namespace, name: metric.metricName, statistic: metric.statistic, seconds: metric.period.toSeconds() })
      .toEqual({ namespace: 'AWS/Lambda', name, statistic, seconds });
    const dimensions = businessStack.resolve(metric.dimensions);
    expect(dimensions).toEqual({ FunctionName: functionRef, Resource: { 'Fn::Join': ['', [functionRef, ':live']] } });
  }
});

test('with an alarm topic, any spillover raises an alarm that notifies it', () => {
  const { stack, fn } = stackWithFunction();
  const warm = new ProvisionedConcurrency(stack, 'Warm', { function: fn, provisionedConcurrency: 5, alarmTopic: new AlarmTopic(stack, 'Alarms') });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'AWS/Lambda',
    MetricName: 'ProvisionedConcurrencySpilloverInvocations',
    Statistic: 'Sum',
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 0,
    TreatMissingData: 'notBreaching',
    AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
  });
  expect(stack.resolve(warm.spilloverAlarm!.alarmArn)).toEqual({ 'Fn::GetAtt': [Object.keys(template.findResources('AWS::CloudWatch::Alarm'))[0], 'Arn'] });
});

test('passes cdk-nag AwsSolutions and Serverless with no finding of its own', () => {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  const stack = new Stack(app, 'Nag');
  const fn = createHandlerFunction(stack, 'Api', {
    code: entryCode(path.join(__dirname, '..', 'fixtures', 'handlers', 'sleepy.ts')),
    timeout: Duration.seconds(10),
    memorySize: 256,
    logRetention: logs.RetentionDays.ONE_WEEK,
    invokedBy: 'the test',
    reservedConcurrency: 20,
  });
  new ProvisionedConcurrency(stack, 'Warm', { ...businessHours(fn), alarmTopic: new AlarmTopic(stack, 'Alarms') });
  expect(() => app.synth()).not.toThrow();
});

describe('validation: one test per rule', () => {
  test('provisionedConcurrency a whole number of at least 0', () => {
    expect(messageOf({ provisionedConcurrency: 2.5 })).toBe("ProvisionedConcurrency 'Test/Warm': provisionedConcurrency must be a whole number of at least 0 (got 2.5)");
    expect(messageOf({ provisionedConcurrency: -1 })).toContain('provisionedConcurrency must be a whole number of at least 0 (got -1)');
  });
  test('provisionedConcurrency 0 only with auto scaling', () => {
    expect(messageOf({ provisionedConcurrency: 0 })).toBe("ProvisionedConcurrency 'Test/Warm': provisionedConcurrency 0 provisions nothing by itself; "
      + 'give a positive count, or autoScaling with schedules or a utilizationTarget');
  });
  test('a valid alias name', () => {
    expect(messageOf({ aliasName: '42' })).toBe("ProvisionedConcurrency 'Test/Warm': aliasName must be 1..128 letters, digits, '-' or '_', and not only digits (got '42')");
    expect(messageOf({ aliasName: 'live:1' })).toContain("(got 'live:1')");
  });
  test('no provisioned concurrency on a SnapStart function', () => {
    expect(messageOf({}, {
      runtime: lambda.Runtime.PYTHON_3_13, handler: 'index.handler', code: lambda.Code.fromInline('def handler(e, c): return e'), snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS,
    })).toBe("ProvisionedConcurrency 'Test/Warm': function Test/Api has SnapStart on, and Lambda does not support provisioned concurrency on SnapStart functions; "
      + 'use SnapStartAlias for it, or turn snapStart off');
  });
  test('auto scaling capacities are whole numbers, the maximum at least 1', () => {
    expect(messageOf({ autoScaling: { minCapacity: -1, maxCapacity: 0, utilizationTarget: 0.5 } })).toBe("ProvisionedConcurrency 'Test/Warm': invalid props:\n"
      + ' - autoScaling.minCapacity must be a whole number of at least 0 (got -1)\n - autoScaling.maxCapacity must be a whole number of at least 1 (got 0)');
  });
  test('minCapacity not above maxCapacity', () => {
    expect(messageOf({ autoScaling: { minCapacity: 8, maxCapacity: 4, utilizationTarget: 0.5 } }))
      .toBe("ProvisionedConcurrency 'Test/Warm': autoScaling.minCapacity must not exceed autoScaling.maxCapacity (got 8 > 4)");
  });
  test('a base count inside the auto scaling range', () => {
    expect(messageOf({ provisionedConcurrency: 5, autoScaling: { minCapacity: 1, maxCapacity: 3, utilizationTarget: 0.5 } }))
      .toBe("ProvisionedConcurrency 'Test/Warm': provisionedConcurrency must lie in autoScaling's range 1..3 (got 5); "
        + 'outside it Application Auto Scaling moves the capacity and every deploy moves it back');
  });
  test('auto scaling needs schedules or a utilization target', () => {
    expect(messageOf({ autoScaling: { maxCapacity: 10 } }))
      .toBe("ProvisionedConcurrency 'Test/Warm': autoScaling needs schedules or a utilizationTarget; a range alone never changes the capacity");
  });
  test('a utilization target of 0.1..0.9', () => {
    expect(messageOf({ autoScaling: { maxCapacity: 10, utilizationTarget: 0.95 } }))
      .toBe("ProvisionedConcurrency 'Test/Warm': autoScaling.utilizationTarget must be between 0.1 and 0.9 (got 0.95)");
  });
  test('with a base count, the capacity never reaches 0', () => {
    expect(messageOf({ autoScaling: { minCapacity: 0, maxCapacity: 10, schedules: [{ name: 'Night', cron: '0 19 ? * * *', minCapacity: 0 }] } }))
      .toBe("ProvisionedConcurrency 'Test/Warm': with provisionedConcurrency 5, the capacity must never reach 0 (allowed by autoScaling.minCapacity, schedule 'Night'): "
        + 'once scaling removes the configuration, the next deploy fails with ProvisionedConcurrencyConfigNotFoundException; '
        + 'set provisionedConcurrency to 0 to let the schedules own the capacity');
  });
  test('unique schedule names', () => {
    const schedule = { name: 'Day', cron: '0 9 ? * * *', minCapacity: 5 };
    expect(messageOf({ autoScaling: { maxCapacity: 10, schedules: [schedule, schedule] } }))
      .toBe("ProvisionedConcurrency 'Test/Warm': schedule names must be unique (repeated: 'Day')");
  });
  test('schedule names Application Auto Scaling accepts', () => {
    expect(messageOf({ autoScaling: { maxCapacity: 10, schedules: [{ name: 'day/night', cron: '0 9 ? * * *', minCapacity: 5 }] } }))
      .toBe("ProvisionedConcurrency 'Test/Warm': schedule 'day/night': name must be 1..256 characters without ':', '/', '|', control characters or spaces at either end");
  });
  test('a valid cron expression per schedule', () => {
    expect(messageOf({ autoScaling: { maxCapacity: 10, schedules: [{ name: 'Day', cron: '0 9 * * 1-5', minCapacity: 5 }] } }))
      .toBe("ProvisionedConcurrency 'Test/Warm': schedule 'Day': cron '0 9 * * 1-5' has 5 fields; it needs 6: minutes hours day-of-month month day-of-week year");
  });
  test('a known time zone per schedule', () => {
    expect(messageOf({ autoScaling: { maxCapacity: 10, schedules: [{ name: 'Day', cron: '0 9 ? * * *', timeZone: 'Seoul', minCapacity: 5 }] } }))
      .toBe("ProvisionedConcurrency 'Test/Warm': schedule 'Day': timeZone must be an IANA time zone such as 'Asia/Seoul' (got 'Seoul')");
  });
  test('schedule capacities are whole numbers', () => {
    expect(messageOf({ autoScaling: { maxCapacity: 10, schedules: [{ name: 'Day', cron: '0 9 ? * * *', minCapacity: 5.5 }] } }))
      .toBe("ProvisionedConcurrency 'Test/Warm': schedule 'Day': minCapacity and maxCapacity must be whole numbers of at least 0 (got 5.5..5.5)");
  });
  test('a schedule minCapacity not above its maxCapacity', () => {
    expect(messageOf({ autoScaling: { maxCapacity: 10, schedules: [{ name: 'Day', cron: '0 9 ? * * *', minCapacity: 8, maxCapacity: 6 }] } }))
      .toBe("ProvisionedConcurrency 'Test/Warm': schedule 'Day': minCapacity must not exceed maxCapacity (got 8 > 6)");
  });
  test("schedules inside the auto scaling range", () => {
    expect(messageOf({ autoScaling: { maxCapacity: 10, schedules: [{ name: 'Peak', cron: '0 12 ? * * *', minCapacity: 12 }] } }))
      .toBe("ProvisionedConcurrency 'Test/Warm': schedule 'Peak': capacity 12..12 must lie in autoScaling's range 5..10");
  });
  test("the most provisioned concurrency within the function's reserved concurrency", () => {
    expect(messageOf({ autoScaling: { maxCapacity: 30, utilizationTarget: 0.6 } }))
      .toBe("ProvisionedConcurrency 'Test/Warm': autoScaling.maxCapacity 30 exceeds the reserved concurrency 20 of Test/Api; "
        + 'Lambda rejects provisioned concurrency above reserved concurrency at deploy, so raise the reservation or lower the capacity');
    expect(messageOf({ provisionedConcurrency: 25 })).toContain('provisionedConcurrency 25 exceeds the reserved concurrency 20 of Test/Api');
    const unreserved = stackWithFunction({ reservedConcurrentExecutions: undefined });
    expect(() => new ProvisionedConcurrency(unreserved.stack, 'Warm', { function: unreserved.fn, provisionedConcurrency: 25 })).not.toThrow();
  });
});
