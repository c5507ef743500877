import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { LocalApp } from '../../tools/local/local-app';
import { handlerEnvironment } from '../../tools/local/local-lambda';
import { synthesizeEventsFixture } from '../support/events-fixture-app';
import { useLocalRunner } from '../support/use-local-runner';

// The local bus on the order pipeline of events-fixture-app.ts: events put by a workflow's task and by a handler's
// PutEvents, matched against the app's rules and delivered to a state machine, a queue, a topic and a function.
const assemblyDir = synthesizeEventsFixture();

describe('a run', () => {
  const runner = useLocalRunner(() => ({ assemblyDir, visibilityTimeoutSeconds: 2 }));

  async function order(orderId: string) {
    const { Item } = await runner().dynamodb.client.send(new GetItemCommand({ TableName: runner().tableName('Orders'), Key: { id: { S: orderId } } }));
    return Item;
  }

  /** Runs PlaceOrder with the order, then waits for what its event started (the queue's worker included). */
  async function placeOrder(orderId: string, total: number) {
    const execution = await runner().execute({ stateMachine: 'PlaceOrder', input: { order: { orderId, total } } });
    await runner().settleDeliveries(30_000);
    await runner().drainQueues();
    await runner().settleDeliveries(30_000);
    return execution;
  }

  test("an order's event starts the fulfilment workflow with the InputTransformer's input, and only the rules that match see it", async () => {
    const execution = await placeOrder('o-1', 25);
    expect(execution.status).toBe('SUCCEEDED');
    const { published } = execution.putEvents[0];
    expect(published.rules.map((r) => r.rule)).toEqual(['ShopEvents/StartFulfilment']);
    const [delivery] = published.rules[0].deliveries;
    expect(delivery.executionArn).toMatch(/:execution:Fulfilment\w*:/);
    const fulfilment = runner().stepFunctions.list().find((r) => r.executionArn === delivery.executionArn)!;
    expect(fulfilment).toMatchObject({ status: 'SUCCEEDED', startedBy: 'rule ShopEvents/StartFulfilment' });
    // The rule's name is its logical id locally (CloudFormation would generate one).
    expect(JSON.parse(fulfilment.input)).toEqual({ orderId: 'o-1', total: 25, rule: expect.stringMatching(/^StartFulfilment/) });
    expect(await order('o-1')).toMatchObject({ status: { S: 'reserved' }, reservedBy: { S: expect.stringMatching(/^StartFulfilment/) } });
  });

  test("a large order goes to the review queue (InputPath: the detail); its worker's PutEvents reaches the rule of the app's bus, which invokes RecordReview with the event", async () => {
    const execution = await placeOrder('o-2', 1500);
    expect(execution.putEvents[0].published.rules.map((r) => r.rule)).toEqual(['ShopEvents/StartFulfilment', 'ShopEvents/LargeOrders']);
    expect(execution.putEvents[0].published.rules[1].deliveries.map((d) => d.error)).toEqual([undefined, undefined]);
    const reviewed = runner().eventBus.events().find((e) => e.event['detail-type'] === 'OrderReviewed' && (e.event.detail as { orderId: string }).orderId === 'o-2')!;
    expect(reviewed).toMatchObject({ putBy: 'the EventBridge API', busName: expect.stringMatching(/^ShopEventsShopBus/), unknownBus: false });
    expect(reviewed.rules).toEqual([{ rule: 'ShopEvents/RecordReviews', deliveries: [expect.objectContaining({ target: 'Target0', arn: expect.stringMatching(/:function:RecordReview/) })] }]);
    expect(await order('o-2')).toMatchObject({ status: { S: 'reserved' }, approved: { BOOL: true }, reviewEvent: { S: reviewed.event.id } });
  });

  test("the topic target gets the InputTransformer's text: the template's JSON string, quotes and all", async () => {
    const inbox = [...runner().snsSqs!.queues.values()].find((q) => q.logicalId.startsWith('AlertInbox'))!;
    const { Messages = [] } = await runner().snsSqs!.sqs.send(new ReceiveMessageCommand({ QueueUrl: inbox.url, WaitTimeSeconds: 0, MaxNumberOfMessages: 10 }));
    expect(Messages.map((m) => m.Body)).toEqual(['"large order o-2"']);
  });

  test('a disabled rule matches nothing: the audit queue stays empty', async () => {
    await placeOrder('o-3', 2);
    const audit = [...runner().snsSqs!.queues.values()].find((q) => q.logicalId.startsWith('AuditQueue'))!;
    const { Messages = [] } = await runner().snsSqs!.sqs.send(new ReceiveMessageCommand({ QueueUrl: audit.url, WaitTimeSeconds: 0 }));
    expect(Messages).toEqual([]);
  });

  describe('the PutEvents endpoint', () => {
    const client = () => new EventBridgeClient({ endpoint: handlerEnvironment.AWS_ENDPOINT_URL_EVENTBRIDGE, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

    test('answers an EventId per entry taken, and an error per entry refused, in order, with FailedEntryCount', async () => {
      const answer = await client().send(new PutEventsCommand({
        Entries: [
          { Source: 'shop.payments', DetailType: 'Audit', Detail: '{"n":1}' },
          { Source: 'shop.payments', Detail: '{"n":2}' },
          { Source: 'shop.payments', DetailType: 'Audit', Detail: '{not json' },
          { Source: 'shop.payments', DetailType: 'Audit', Detail: '{"n":4}', EventBusName: 'NoSuchBus' },
        ],
      }));
      expect(answer.FailedEntryCount).toBe(2);
      expect(answer.Entries).toEqual([
        { EventId: expect.any(String) },
        { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' },
        { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
        // AWS accepts an event for a bus that does not exist (https://github.com/aws/aws-sdk/issues/186); nothing sees it.
        { EventId: expect.any(String) },
      ]);
      const lost = runner().eventBus.events().find((e) => e.event.id === answer.Entries![3].EventId)!;
      expect(lost).toMatchObject({ busName: 'NoSuchBus', unknownBus: true, rules: [] });
    });

    test('more than 10 entries are refused whole with ValidationException', async () => {
      const entries = Array.from({ length: 11 }, (_, n) => ({ Source: 'shop.payments', DetailType: 'Audit', Detail: JSON.stringify({ n }) }));
      await expect(client().send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({ name: 'ValidationException' });
    });
  });
});

// `sdp serve`'s engine: an execution started as an API or a schedule would start it puts its event, which the app's
// rules deliver while the app serves; the log says what each did.
describe('sdp serve', () => {
  test('an order placed while serving starts the fulfilment workflow through its rule, and the log shows the event and the execution', async () => {
    const logs: string[] = [];
    const app = await LocalApp.start({ assemblyDir, port: 0, schedules: 'off', log: (line) => logs.push(line) });
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
});
