import { Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { fixtureApp, fixtureFunction } from './fixture-function';

export const TIME_SCALE_FIXTURE_STACK = 'Reminders';

/**
 * A user's reminder app in the style of the public samples, none of this library's constructs: a reminder waits
 * 3 seconds three times (a fixed `Seconds`, a `SecondsPath`, a `TimestampPath`), then is sent by a function that
 * fails on its first two attempts, retried after 60 s, then 120 s (`PlainReminder`, JSONPath). `JsonataReminder` does the
 * same with JSONata `Seconds` and `Timestamp` expressions, its retries of 60 s then 120 s capped at 90 s by
 * MaxDelaySeconds, with full jitter; `ReminderList` waits in a Map's iterations. Synthesized into a temporary assembly; returns its directory.
 */
export function synthesizeTimeScaleFixture(): string {
  const { assemblyDir, app } = fixtureApp('time-scale');
  const stack = new Stack(app, TIME_SCALE_FIXTURE_STACK);
  // Fails while the attempt's $$.State.RetryCount is below succeedOn.
  const send = fixtureFunction(stack, 'SendReminder', 'fails-until-retry.ts', { timeout: Duration.seconds(5) });

  const sendJsonPath = new tasks.LambdaInvoke(stack, 'Send', {
    lambdaFunction: send,
    payload: sfn.TaskInput.fromObject({ retryCount: sfn.JsonPath.numberAt('$$.State.RetryCount'), succeedOn: 2 }),
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
  });
  sendJsonPath.addRetry({ errors: ['NotYet'], interval: Duration.seconds(60), backoffRate: 2, maxAttempts: 3 });
  new sfn.StateMachine(stack, 'PlainReminder', {
    definitionBody: sfn.DefinitionBody.fromChainable(
      new sfn.Wait(stack, 'Pause', { time: sfn.WaitTime.duration(Duration.seconds(3)) })
        .next(new sfn.Wait(stack, 'PauseFromInput', { time: sfn.WaitTime.secondsPath('$.delaySeconds') }))
        .next(new sfn.Wait(stack, 'PauseUntil', { time: sfn.WaitTime.timestampPath('$.remindAt') }))
        .next(sendJsonPath),
    ),
  });

  const sendJsonata = tasks.LambdaInvoke.jsonata(stack, 'SendJsonata', {
    lambdaFunction: send,
    payload: sfn.TaskInput.fromObject({ retryCount: '{% $states.context.State.RetryCount %}', succeedOn: 2 }),
    outputs: '{% $states.result.Payload %}',
    retryOnServiceExceptions: false,
  });
  sendJsonata.addRetry({ errors: ['NotYet'], interval: Duration.seconds(60), backoffRate: 2, maxDelay: Duration.seconds(90), jitterStrategy: sfn.JitterType.FULL, maxAttempts: 2 });
  new sfn.StateMachine(stack, 'JsonataReminder', {
    queryLanguage: sfn.QueryLanguage.JSONATA,
    definitionBody: sfn.DefinitionBody.fromChainable(
      sfn.Wait.jsonata(stack, 'PauseSeconds', { time: sfn.WaitTime.seconds('{% $states.input.delaySeconds %}') })
        .next(sfn.Wait.jsonata(stack, 'PauseTimestamp', { time: sfn.WaitTime.timestamp('{% $states.input.remindAt %}') }))
        .next(sendJsonata),
    ),
  });
  // Each reminder of a list after its own delay, two at a time: the waits of a Map's iterations.
  const each = new sfn.Map(stack, 'Each', { itemsPath: '$.reminders', maxConcurrency: 2 });
  each.itemProcessor(new sfn.Wait(stack, 'PauseEach', { time: sfn.WaitTime.secondsPath('$.delaySeconds') }));
  new sfn.StateMachine(stack, 'ReminderList', { definitionBody: sfn.DefinitionBody.fromChainable(each) });
  app.synth();
  return assemblyDir;
}
