import { main } from '../../tools/cli/sdp';
import { synthesizeEventsFixture } from '../support/events-fixture-app';
import { bufferedIo } from './buffered-io';
import { inputFile } from './input-file';

// `sdp run` on the order pipeline of events-fixture-app.ts: the events its workflow and its worker put are delivered
// to the app's rules, and the run reports what they started once it has finished.
const assemblyDir = synthesizeEventsFixture();

test('a large order: stderr shows each event with the rules it matched and what they delivered, then the executions they started, finished', async () => {
  const { io, printed } = bufferedIo();
  expect(await main(['run', 'PlaceOrder', '--assembly', assemblyDir, '--input', inputFile({ order: { orderId: 'o-7', total: 1200 } })], io)).toBe(0);
  const lines = printed.stderr.split('\n');
  const placed = lines.indexOf('event shop.orders OrderPlaced put by AnnounceOrder on the default bus: 2 rule(s) matched');
  expect(placed).toBeGreaterThan(-1);
  expect(lines.slice(placed + 1, placed + 4)).toEqual([
    expect.stringMatching(/^ {2}rule ShopEvents\/StartFulfilment → Target0 arn:aws:states:us-east-1:000000000000:stateMachine:Fulfilment\w+: started [\w-]+$/),
    expect.stringMatching(/^ {2}rule ShopEvents\/LargeOrders → Target0 arn:aws:sqs:us-east-1:000000000000:LargeOrderQueue\w+: delivered$/),
    expect.stringMatching(/^ {2}rule ShopEvents\/LargeOrders → Target1 arn:aws:sns:us-east-1:000000000000:OrderAlerts\w+: delivered$/),
  ]);
  expect(lines).toContain('event shop.review OrderReviewed put by the EventBridge API on the ShopEventsShopBusD985B12F bus: 1 rule(s) matched');
  expect(lines).toContainEqual(expect.stringMatching(/^ {2}rule ShopEvents\/RecordReviews → Target0 arn:aws:lambda:us-east-1:000000000000:function:RecordReview\w+: delivered$/));
  expect(lines).toContainEqual(expect.stringMatching(/^execution [\w-]+ of ShopEvents\/Fulfilment SUCCEEDED \(started by rule ShopEvents\/StartFulfilment\)$/));
  // RecordReview ran before the run reported: the bus's asynchronous invocations are waited for.
  expect(lines).toContainEqual(expect.stringMatching(/^function ShopEvents\/RecordReview: 1 invocation\(s\)/));
});

test('--json: the execution\'s events with their rules, every event of the run, and the executions the rules started', async () => {
  const { io, printed } = bufferedIo();
  expect(await main(['run', 'PlaceOrder', '--assembly', assemblyDir, '--input', inputFile({ order: { orderId: 'o-8', total: 30 } }), '--json'], io)).toBe(0);
  const document = JSON.parse(printed.stdout);
  expect(document.putEvents).toEqual([{
    state: 'AnnounceOrder', eventId: expect.any(String), entry: { Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: { orderId: 'o-8', total: 30 } },
    rules: [{ rule: 'ShopEvents/StartFulfilment', deliveries: [{ target: 'Target0', arn: expect.stringContaining(':stateMachine:Fulfilment'), executionArn: expect.any(String) }] }],
  }]);
  expect(document.events).toEqual([{
    eventId: document.putEvents[0].eventId, putBy: 'AnnounceOrder', bus: 'default', source: 'shop.orders', detailType: 'OrderPlaced', rules: document.putEvents[0].rules,
  }]);
  expect(document.deliveredExecutions).toEqual([{
    executionArn: document.putEvents[0].rules[0].deliveries[0].executionArn, stateMachine: expect.stringMatching(/^Fulfilment/), status: 'SUCCEEDED',
    startedBy: 'rule ShopEvents/StartFulfilment',
  }]);
});

test('an event no rule matches says so', async () => {
  const { io, printed } = bufferedIo();
  // An order id without the `o-` prefix: StartFulfilment does not match it, and nothing else does.
  expect(await main(['run', 'PlaceOrder', '--assembly', assemblyDir, '--input', inputFile({ order: { orderId: 'x-1', total: 3 } })], io)).toBe(0);
  expect(printed.stderr).toContain('event shop.orders OrderPlaced put by AnnounceOrder on the default bus: no rule matched\n');
});

test('an execution a rule started that fails fails the run, though the workflow run succeeded', async () => {
  const { io, printed } = bufferedIo();
  expect(await main(['run', 'PlaceOrder', '--assembly', assemblyDir, '--input', inputFile({ order: { orderId: 'o-9', total: 20_000 } })], io)).toBe(1);
  expect(printed.stderr).toMatch(/^execution [\w-]+ of ShopEvents\/Fulfilment FAILED: OutOfStock \(started by rule ShopEvents\/StartFulfilment\)$/m);
});
