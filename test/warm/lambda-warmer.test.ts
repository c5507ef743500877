import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { AlarmTopic, LambdaWarmer, LambdaWarmerProps } from '../../lib';
import { standInFunction } from '../support/stand-in-function';
import { expectValidationError } from '../support/validation-error';

const targetFunction = (scope: Stack, id: string, options: { reserved?: number; code?: string } = {}): lambda.Function =>
  standInFunction(scope, id, { code: options.code, reservedConcurrency: options.reserved });

const schedules = (template: Template) => Object.values(template.findResources('AWS::Scheduler::Schedule'));
const inputOf = (schedule: any) => joinedInput(schedule.Properties.Target.Input);

/** The schedule input with each token shown as `<LogicalId>` or `<LogicalId.Attr>`, parsed. */
function joinedInput(input: any): any {
  const parts: any[] = input['Fn::Join'][1];
  return JSON.parse(parts.map((p) => typeof p === 'string' ? p : p.Ref ? `<${p.Ref}>` : `<${p['Fn::GetAtt'].join('.')}>`).join(''));
}

/** An app that skips bundling the warmer: for tests that read the template, not the code. */
const unbundledApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const logicalId = (stack: Stack, fn: lambda.IFunction) => stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);

/** The business-hours warmer of seed 001: N=10 in office hours, 1 at night, over a function, an alias and a version. */
function businessHoursStack(app: App) {
  const stack = new Stack(app, 'Warm');
  const words = targetFunction(stack, 'Words', { reserved: 10 });
  const reduce = targetFunction(stack, 'Reduce');
  const live = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: reduce.currentVersion });
  const splitter = targetFunction(stack, 'Splitter');
  const pinned = new lambda.Version(stack, 'Pinned', { lambda: splitter });
  const warmer = new LambdaWarmer(stack, 'Warmer', {
    targets: [{ function: words }, { function: live }, { function: pinned, concurrency: 2 }],
    windows: [
      { cron: '0/5 9-17 ? * MON-FRI *', timeZone: 'Asia/Seoul', concurrency: 10 },
      { cron: '0/5 0-8,18-23 ? * * *', timeZone: 'Asia/Seoul', concurrency: 1 },
    ],
    preWarm: true,
    alarmTopic: new AlarmTopic(stack, 'Alarms'),
  });
  return { stack, words, reduce, live, splitter, pinned, warmer };
}

const { stack, words, reduce, live, splitter, pinned, warmer } = businessHoursStack(new App());
const template = Template.fromStack(stack);

test('passes cdk-nag AwsSolutions and Serverless with its acknowledgements', () => {
  const app = unbundledApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  businessHoursStack(app);
  expect(() => app.synth()).not.toThrow();
});

test('snapshot of the business-hours warmer', () => {
  expect(template.toJSON()).toMatchSnapshot();
});

test('by default: one schedule every 5 minutes warming each target once, holding 200 ms', () => {
  const defaults = new Stack(unbundledApp(), 'Defaults');
  const fn = targetFunction(defaults, 'Fn');
  const rateWarmer = new LambdaWarmer(defaults, 'Warmer', { targets: [{ function: fn }] });
  const t = Template.fromStack(defaults);
  expect(rateWarmer.schedules).toHaveLength(1);
  t.resourceCountIs('AWS::Scheduler::Schedule', 1);
  t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(5 minutes)' });
  expect(inputOf(schedules(t)[0])).toEqual({ targets: [{ functionName: `<${logicalId(defaults, fn)}.Arn>`, concurrency: 1 }], holdMs: 200 });
  t.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 2, Timeout: 31, Runtime: 'nodejs24.x' });
  t.resourceCountIs('AWS::CloudFormation::CustomResource', 0);
  t.resourceCountIs('Custom::LambdaPreWarm', 0);
});

test('one schedule per window, each with its own N; a target\'s own concurrency wins; aliases and versions are called by qualifier', () => {
  expect(warmer.schedules).toHaveLength(2);
  const byCron = Object.fromEntries(schedules(template).map((s: any) => [s.Properties.ScheduleExpression, s]));
  const business = byCron['cron(0/5 9-17 ? * MON-FRI *)'];
  expect(business.Properties.ScheduleExpressionTimezone).toBe('Asia/Seoul');
  const wordsArn = `<${logicalId(stack, words)}.Arn>`;
  const reduceArn = `<${logicalId(stack, reduce)}.Arn>`;
  const splitterArn = `<${logicalId(stack, splitter)}.Arn>`;
  const pinnedVersion = `<${stack.getLogicalId(pinned.node.defaultChild as lambda.CfnVersion)}.Version>`;
  expect(inputOf(business)).toEqual({
    targets: [
      { functionName: wordsArn, concurrency: 10 },
      { functionName: reduceArn, qualifier: 'live', concurrency: 10 },
      { functionName: splitterArn, qualifier: pinnedVersion, concurrency: 2 },
    ],
    holdMs: 200,
  });
  expect(inputOf(byCron['cron(0/5 0-8,18-23 ? * * *)']).targets.map((t: any) => t.concurrency)).toEqual([1, 1, 2]);
  // Each schedule keeps retries and a dead-letter queue whose alarm notifies the topic.
  for (const schedule of schedules(template)) expect(schedule.Properties.Target.DeadLetterConfig).toBeDefined();
  template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
});

test('the warmer\'s role may invoke exactly its targets: no wildcard, no other function', () => {
  const warmerRole = (warmer.function.role!.node.defaultChild as any);
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === stack.getLogicalId(warmerRole)));
  const invokeResources = policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => [s.Action].flat().includes('lambda:InvokeFunction'))
    .flatMap((s: any) => [s.Resource].flat());
  expect(invokeResources).toEqual([
    { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack, words), 'Arn'] }, ':$LATEST']] },
    { 'Fn::GetAtt': [logicalId(stack, words), 'Arn'] },
    { Ref: stack.getLogicalId(live.node.defaultChild as lambda.CfnAlias) },
    { Ref: stack.getLogicalId(pinned.node.defaultChild as lambda.CfnVersion) },
  ]);
});

test('pre-warm: a custom resource served by the warmer, with each target\'s largest N, re-run when a target changes', () => {
  const [preWarm] = Object.values(template.findResources('Custom::LambdaPreWarm')) as any[];
  expect(preWarm.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [logicalId(stack, warmer.function), 'Arn'] });
  expect(joinedInput(preWarm.Properties.Input).targets.map((t: any) => t.concurrency)).toEqual([10, 10, 2]);
  expect(preWarm.Properties.Fingerprint).toMatch(/^[0-9a-f]{64}$/);

  const fingerprintWith = (code: string) => {
    const s = new Stack(unbundledApp(), 'Changed');
    new LambdaWarmer(s, 'Warmer', { targets: [{ function: targetFunction(s, 'Words', { code }) }], preWarm: true });
    return Object.values(Template.fromStack(s).findResources('Custom::LambdaPreWarm'))[0].Properties.Fingerprint;
  };
  const before = fingerprintWith('exports.handler = async () => 1');
  expect(fingerprintWith('exports.handler = async () => 1')).toBe(before);
  expect(fingerprintWith('exports.handler = async () => 2')).not.toBe(before);
});

describe('validation: one test per rule', () => {
  function messageOf(props: Partial<LambdaWarmerProps>, options: { reserved?: number } = {}): string {
    const s = new Stack(new App(), 'Invalid');
    const fn = targetFunction(s, 'Fn', options);
    return expectValidationError(() => new LambdaWarmer(s, 'Warmer', { targets: [{ function: fn }], ...props })).message;
  }
  const window = { cron: '0/5 9-17 ? * MON-FRI *', concurrency: 10 };

  test('at least one target', () => {
    expect(messageOf({ targets: [] })).toBe("LambdaWarmer 'Invalid/Warmer': targets must name at least one function (got 0)");
  });
  test('rate or windows, not both', () => {
    expect(messageOf({ rate: Duration.minutes(5), windows: [window] })).toBe("LambdaWarmer 'Invalid/Warmer': give either rate or windows, not both");
  });
  test('concurrency belongs to the rate schedule', () => {
    expect(messageOf({ concurrency: 2, windows: [window] }))
      .toBe("LambdaWarmer 'Invalid/Warmer': concurrency is the number of the rate schedule; with windows, give each window its concurrency");
  });
  test('windows, when given, are not empty', () => {
    expect(messageOf({ windows: [] })).toBe("LambdaWarmer 'Invalid/Warmer': windows must hold at least one window when given (got 0)");
  });
  test('concurrency 1..100', () => {
    expect(messageOf({ concurrency: 0 })).toBe("LambdaWarmer 'Invalid/Warmer': concurrency must be an integer 1..100 (got 0)");
  });
  test('a target\'s concurrency 1..100', () => {
    const s = new Stack(new App(), 'T');
    expect(() => new LambdaWarmer(s, 'Warmer', { targets: [{ function: targetFunction(s, 'Fn'), concurrency: 101 }] }))
      .toThrow("LambdaWarmer 'T/Warmer': targets[0].concurrency must be an integer 1..100 (got 101)");
  });
  test('a window\'s concurrency 1..100', () => {
    expect(messageOf({ windows: [{ ...window, concurrency: 1.5 }] })).toBe("LambdaWarmer 'Invalid/Warmer': windows[0].concurrency must be an integer 1..100 (got 1.5)");
  });
  test('a window\'s cron is an EventBridge Scheduler cron', () => {
    expect(messageOf({ windows: [{ ...window, cron: '*/5 9-17 * * *' }] }))
      .toBe("LambdaWarmer 'Invalid/Warmer': windows[0].cron '*/5 9-17 * * *' has 5 fields; it needs 6: minutes hours day-of-month month day-of-week year");
  });
  test('a rate of whole minutes, at least one', () => {
    expect(messageOf({ rate: Duration.seconds(30) })).toBe("LambdaWarmer 'Invalid/Warmer': rate must be a whole number of minutes, at least 1 (got 30 seconds)");
    expect(messageOf({ rate: Duration.seconds(90) })).toContain('rate must be a whole number of minutes, at least 1 (got 1 minute 30 seconds)');
  });
  test('a hold of 0..5000 ms', () => {
    expect(messageOf({ hold: Duration.seconds(6) })).toBe("LambdaWarmer 'Invalid/Warmer': hold must be 0..5000 milliseconds (got 6 seconds)");
  });
  test('the warmer\'s reserved concurrency 1..1000', () => {
    expect(messageOf({ reservedConcurrency: 0 })).toBe("LambdaWarmer 'Invalid/Warmer': reservedConcurrency must be an integer 1..1000 (got 0)");
  });
  test('each target once', () => {
    const s = new Stack(new App(), 'T');
    const fn = targetFunction(s, 'Fn');
    expect(() => new LambdaWarmer(s, 'Warmer', { targets: [{ function: fn }, { function: fn, concurrency: 3 }] }))
      .toThrow("LambdaWarmer 'T/Warmer': targets[1] (T/Fn) repeats targets[0]; give each function, version or alias once");
  });
  test('a reserved concurrency below the largest N it is warmed with', () => {
    expect(messageOf({ windows: [window, { ...window, concurrency: 1 }] }, { reserved: 5 })).toBe("LambdaWarmer 'Invalid/Warmer': targets[0] (Invalid/Fn) "
      + 'is warmed with 10 concurrent calls but its reserved concurrency is 5; the calls beyond the reserve would be throttled. Lower the warm-up concurrency or raise its reserved concurrency');
    // Through an alias, the reserve of the function behind it counts.
    const s = new Stack(new App(), 'T');
    const alias = new lambda.Alias(s, 'Live', { aliasName: 'live', version: targetFunction(s, 'Fn', { reserved: 1 }).currentVersion });
    expect(() => new LambdaWarmer(s, 'Warmer', { targets: [{ function: alias, concurrency: 2 }] }))
      .toThrow('targets[0] (T/Live) is warmed with 2 concurrent calls but its reserved concurrency is 1');
  });
  test('a hold shorter than each target\'s timeout', () => {
    const s = new Stack(new App(), 'T');
    const fn = new lambda.Function(s, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
    expect(() => new LambdaWarmer(s, 'Warmer', { targets: [{ function: fn }], hold: Duration.seconds(4) }))
      .toThrow("LambdaWarmer 'T/Warmer': targets[0] (T/Fn) times out after 3 seconds, before the hold of 4000 ms ends; shorten the hold");
  });
  test('at most 500 calls per run', () => {
    const s = new Stack(new App(), 'T');
    const targets = Array.from({ length: 6 }, (_, i) => ({ function: targetFunction(s, `Fn${i}`), concurrency: 100 }));
    expect(() => new LambdaWarmer(s, 'Warmer', { targets }))
      .toThrow("LambdaWarmer 'T/Warmer': the targets are warmed with 600 calls per run; one run sends at most 500. Split them over several LambdaWarmers");
  });
  test('all problems are reported together', () => {
    expect(messageOf({ concurrency: 0, hold: Duration.seconds(9) })).toBe("LambdaWarmer 'Invalid/Warmer': invalid props:\n"
      + ' - concurrency must be an integer 1..100 (got 0)\n - hold must be 0..5000 milliseconds (got 9 seconds)');
  });
});
