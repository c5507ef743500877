import { LocalApp } from '../../tools/local/local-app';
import { synthesizeEventsFixture } from '../support/events-fixture-app';

// `sdp serve`'s engine on the order pipeline of events-fixture-app.ts: an execution started as an API or a schedule
// would start it puts its event, which the app's rules deliver while the app serves; the log says what each did.
test('an order placed while serving starts the fulfilment workflow through its rule, and the log shows the event and the execution', async () => {
  const logs: string[] = [];
  const app = await LocalApp.start({ assemblyDir: synthesizeEventsFixture(), port: 0, schedules: 'off', log: (line) => logs.push(line) });
  try {
    app.stepFunctions.startExecution({ stateMachineArn: app.runner.resourceArn('AWS::StepFunctions::StateMachine', 'PlaceOrder'), input: JSON.stringify({ order: { orderId: 'o-5', total: 40 } }) });
  } finally {
    // Stopping waits for the execution, then for the one its event started.
    expect(await app.stop()).toBe(0);
  }
  expect(logs).toContain('event shop.orders OrderPlaced put by AnnounceOrder on the default bus: 1 rule(s) matched');
  expect(logs).toContainEqual(expect.stringMatching(/^execution [\w-]+ SUCCEEDED in [\d.]+ s \(started by rule ShopEvents\/StartFulfilment\)$/));
  expect(app.summary().executions).toEqual({ SUCCEEDED: 2 });
});
