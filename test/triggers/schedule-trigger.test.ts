import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { AlarmTopic, ScheduleService, ScheduleTrigger, ScheduleTriggerProps } from '../../lib';
import { cronProblem } from '../../lib/core/schedule-expressions';
import { expectValidationError } from '../support/validation-error';

function stackWithMachine() {
  const stack = new Stack(new App(), 'Test');
  const stateMachine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Nothing')) });
  return { stack, stateMachine };
}

function messageOf(props: Partial<ScheduleTriggerProps>): string {
  const { stack, stateMachine } = stackWithMachine();
  return expectValidationError(() => new ScheduleTrigger(stack, 'Every5', { stateMachine, ...props })).message;
}

test('every 5 minutes: a Scheduler schedule starting the state machine with a fixed input, retries and a dead-letter queue', () => {
  const { stack, stateMachine } = stackWithMachine();
  new ScheduleTrigger(stack, 'Every5', { stateMachine, rate: Duration.minutes(5), input: { jobId: 'scheduled' } });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Scheduler::Schedule', {
    ScheduleExpression: 'rate(5 minutes)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    State: 'ENABLED',
    Target: {
      Arn: { Ref: Match.stringLikeRegexp('^Machine') },
      Input: '{"jobId":"scheduled"}',
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Every5DeadLetterQueue'), 'Arn'] } },
    },
  });
  template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: Match.stringLikeRegexp('^Machine') } })]) },
  });
});

test('cron in a time zone with a flexible window; a function or a topic as target', () => {
  const stack = new Stack(new App(), 'Targets');
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
  const topic = new sns.Topic(stack, 'Topic');
  new ScheduleTrigger(stack, 'BusinessHours', { function: fn, cron: '0/20 9-17 ? * MON-FRI *', timeZone: 'Asia/Seoul', flexibleWindow: Duration.minutes(5) });
  new ScheduleTrigger(stack, 'Once', { topic, at: new Date('2027-01-01T00:00:00Z') });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Scheduler::Schedule', {
    ScheduleExpression: 'cron(0/20 9-17 ? * MON-FRI *)',
    ScheduleExpressionTimezone: 'Asia/Seoul',
    FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5 },
    Target: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Fn'), 'Arn'] } },
  });
  template.hasResourceProperties('AWS::Scheduler::Schedule', {
    ScheduleExpression: 'at(2027-01-01T00:00:00)',
    Target: { Arn: { Ref: Match.stringLikeRegexp('^Topic') } },
  });
});

test('with an alarm topic, a dead-lettered run raises an alarm that notifies it', () => {
  const { stack, stateMachine } = stackWithMachine();
  new ScheduleTrigger(stack, 'Every5', { stateMachine, rate: Duration.minutes(5), alarmTopic: new AlarmTopic(stack, 'Alarms') });
  Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
  });
});

describe('ScheduleService.RULE: a scheduled EventBridge rule instead of a Scheduler schedule', () => {
  const stack = new Stack(new App(), 'Rules');
  const stateMachine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Nothing')) });
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
  const topic = new AlarmTopic(stack, 'Alarms').topic;
  const toMachine = new ScheduleTrigger(stack, 'Every5', { service: ScheduleService.RULE, stateMachine, rate: Duration.minutes(5), input: { jobId: 'scheduled' } });
  new ScheduleTrigger(stack, 'Nightly', { service: ScheduleService.RULE, function: fn, cron: '0 18 ? * MON-FRI *', retryAttempts: 5, maxEventAge: Duration.minutes(30) });
  new ScheduleTrigger(stack, 'Hourly', { service: ScheduleService.RULE, topic, rate: Duration.hours(1) });
  const template = Template.fromStack(stack);

  test('a state machine target: fixed input, a role that may start only it, retries and the dead-letter queue', () => {
    expect(toMachine.schedule).toBeUndefined();
    expect(stack.resolve(toMachine.rule!.ruleName)).toEqual({ Ref: Object.keys(template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: 'rate(5 minutes)' } }))[0] });
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('^Machine') },
        Input: '{"jobId":"scheduled"}',
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Every5Role'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Every5DeadLetterQueue'), 'Arn'] } },
      })],
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' } })] },
    });
    // EventBridge may write to the dead-letter queue, for this rule only.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^Every5Rule'), 'Arn'] } } },
      })]) },
    });
  });

  test('a function target: invoked through its resource policy for this rule, with the retry settings given', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 18 ? * MON-FRI *)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Fn'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 1800 } })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NightlyRule'), 'Arn'] },
    });
  });

  test('an encrypted topic target: published through a role that may use the topic key', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^AlarmsTopic') }, RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HourlyRole'), 'Arn'] } })],
    });
    const hourlyPolicy = Object.values<any>(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes('HourlyRole'));
    expect(JSON.stringify(hourlyPolicy.Properties.PolicyDocument)).toMatch(/sns:Publish.*kms:GenerateDataKey|kms:.*sns:Publish/);
  });
});

test('passes cdk-nag AwsSolutions and Serverless with its acknowledgements, Scheduler and rule alike', () => {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  const stack = new Stack(app, 'Nag', { env: { account: '111111111111', region: 'ap-northeast-2' } });
  const topic = new AlarmTopic(stack, 'Alarms');
  new ScheduleTrigger(stack, 'Every5', { topic: topic.topic, rate: Duration.minutes(5) });
  new ScheduleTrigger(stack, 'Every10', { service: ScheduleService.RULE, topic: topic.topic, rate: Duration.minutes(10) });
  // A function target's role may invoke the function and its versions (`:*`), which the trigger acknowledges.
  const fn = lambda.Function.fromFunctionAttributes(stack, 'Elsewhere', {
    functionArn: 'arn:aws:lambda:ap-northeast-2:111111111111:function:elsewhere', sameEnvironment: true,
  });
  new ScheduleTrigger(stack, 'Every15', { function: fn, rate: Duration.minutes(15) });
  expect(() => app.synth()).not.toThrow();
});

describe('validation: one test per rule', () => {
  test('exactly one schedule', () => {
    expect(messageOf({})).toBe("ScheduleTrigger 'Test/Every5': give exactly one of rate, cron or at (got 0)");
    expect(messageOf({ rate: Duration.minutes(5), cron: '0 * ? * * *' })).toContain('give exactly one of rate, cron or at (got 2)');
  });
  test('exactly one target', () => {
    expect(messageOf({ rate: Duration.minutes(5), topic: new sns.Topic(new Stack(), 'T') }))
      .toBe("ScheduleTrigger 'Test/Every5': give exactly one target: stateMachine, function or topic (got 2)");
  });
  test('a rate of whole minutes, at least one', () => {
    expect(messageOf({ rate: Duration.seconds(30) })).toBe("ScheduleTrigger 'Test/Every5': rate must be a whole number of minutes, at least 1 (got 30 seconds)");
    expect(messageOf({ rate: Duration.seconds(90) })).toContain('rate must be a whole number of minutes, at least 1 (got 1 minute 30 seconds)');
  });
  test('an invalid cron expression', () => {
    expect(messageOf({ cron: '*/5 * * * *' })).toBe("ScheduleTrigger 'Test/Every5': cron '*/5 * * * *' has 5 fields; it needs 6: minutes hours day-of-month month day-of-week year");
    expect(messageOf({ cron: '0 9 * * MON *' })).toContain("needs '?' in exactly one of day-of-month and day-of-week");
    expect(messageOf({ cron: '0 9 ? * MON% *' })).toContain("field 'MON%' is not a value, range, step, list or wildcard");
  });
  test('an unknown time zone', () => {
    expect(messageOf({ cron: '0 9 ? * MON *', timeZone: 'Mars/Olympus' }))
      .toBe("ScheduleTrigger 'Test/Every5': timeZone must be an IANA time zone such as 'Asia/Seoul' (got 'Mars/Olympus')");
  });
  test('a flexible window of 1..1440 minutes', () => {
    expect(messageOf({ rate: Duration.minutes(5), flexibleWindow: Duration.hours(25) })).toContain('flexibleWindow must be between 1 minute and 1 day (got 1 day 1 hour)');
  });
  test('rules cannot run once or in a flexible window', () => {
    const message = messageOf({ service: ScheduleService.RULE, at: new Date('2027-01-01T00:00:00Z'), flexibleWindow: Duration.minutes(5) });
    expect(message).toContain('at needs ScheduleService.SCHEDULER; EventBridge rules cannot do it');
    expect(message).toContain('flexibleWindow needs ScheduleService.SCHEDULER; EventBridge rules cannot do it');
  });
  test('rules run in UTC only', () => {
    expect(messageOf({ service: ScheduleService.RULE, cron: '0 9 ? * MON *', timeZone: 'Asia/Seoul' }))
      .toBe("ScheduleTrigger 'Test/Every5': timeZone must be UTC for ScheduleService.RULE; EventBridge rules run in UTC (got 'Asia/Seoul')");
  });
  test('retry attempts 0..185', () => {
    expect(messageOf({ rate: Duration.minutes(5), retryAttempts: 200 })).toContain('retryAttempts must be an integer 0..185 (got 200)');
  });
  test('max event age 1 minute..24 hours', () => {
    expect(messageOf({ rate: Duration.minutes(5), maxEventAge: Duration.days(2) })).toContain('maxEventAge must be between 1 minute and 1 day (got 2 days)');
  });
});

test.each(['0/5 9-17 ? * MON-FRI *', '15 10 ? * 6L 2027-2030', '0 18 L * ? *', '0 12 ? * 2#1 *', '0 0 1,15 * ? *'])('accepts the cron %s', (cron) => {
  expect(cronProblem(cron)).toBeUndefined();
});
