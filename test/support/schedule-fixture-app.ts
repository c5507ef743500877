import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { ScheduleService, ScheduleTrigger } from '../../lib';
import { fixtureApp } from './fixture-function';

export const SCHEDULE_FIXTURE_STACK = 'ScheduleFixture';

/**
 * Schedules the example app has not: a scheduled rule made by ScheduleTrigger, a rule whose target
 * gets the scheduled event, one whose target gets an InputTransformer's object, a disabled trigger, a Scheduler
 * universal target and a rule whose target is an event bus (which sdp serve does not deliver to); synthesized into a
 * temporary assembly.
 */
export function synthesizeScheduleFixture(): string {
  const { assemblyDir, app } = fixtureApp('schedules');
  const stack = new Stack(app, SCHEDULE_FIXTURE_STACK);
  const fn = new lambda.Function(stack, 'Report', {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
  new ScheduleTrigger(stack, 'Nightly', { service: ScheduleService.RULE, function: fn, cron: '0 2 * * ? *', input: { report: 'nightly' } });
  new events.Rule(stack, 'Hourly', { schedule: events.Schedule.rate(Duration.hours(1)), targets: [new eventTargets.LambdaFunction(fn)] });
  new ScheduleTrigger(stack, 'Paused', { function: fn, rate: Duration.minutes(10), enabled: false });
  new events.Rule(stack, 'Digest', {
    schedule: events.Schedule.rate(Duration.days(7)),
    targets: [new eventTargets.LambdaFunction(fn, { event: events.RuleTargetInput.fromObject({ at: events.EventField.time, rule: '<aws.events.rule-name>' }) })],
  });
  new events.Rule(stack, 'Forward', { schedule: events.Schedule.rate(Duration.days(1)), targets: [new eventTargets.EventBus(new events.EventBus(stack, 'Bus'))] });
  new scheduler.CfnSchedule(stack, 'Universal', {
    scheduleExpression: 'rate(1 hour)',
    flexibleTimeWindow: { mode: 'OFF' },
    target: { arn: 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage', roleArn: 'arn:aws:iam::000000000000:role/any', input: '{}' },
  });
  app.synth();
  return assemblyDir;
}
