import { LocalRunner } from '../../tools/local/local-runner';
import { synthesizeNestedFixture } from '../support/nested-fixture-app';

// What runs when the engines stop goes with them: no Wait's or heartbeat's timer of an execution outlives the runner.
test('an execution still running when the runner stops ends ABORTED', async () => {
  const runner = await LocalRunner.start({ assemblyDir: synthesizeNestedFixture() });
  let record;
  try {
    const { executionArn } = runner.stepFunctions.startExecution({ stateMachineArn: runner.resourceArn('AWS::StepFunctions::StateMachine', 'SlowReview') });
    record = runner.stepFunctions.list().find((e) => e.executionArn === executionArn)!;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(record.status).toBe('RUNNING');
  } finally {
    await runner.stop();
  }
  expect(record.status).toBe('ABORTED');
});
