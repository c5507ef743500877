import { main } from '../../tools/cli/sdp';
import { synthesizeIntegrationsFixture } from '../support/integrations-fixture-app';
import { bufferedIo } from './buffered-io';
import { inputFile } from './input-file';

// `sdp run` on an app in the style of the public samples: its service integrations run on the local engines.
const assemblyDir = synthesizeIntegrationsFixture();

test('a workflow sending an order to SQS: the worker stores it before the run reports', async () => {
  const { io, printed } = bufferedIo();
  const input = inputFile({ order: { orderId: 'o-42', total: 5 } });
  expect(await main(['run', 'PlaceOrder', '--assembly', assemblyDir, '--input', input, '--json'], io)).toBe(0);
  const document = JSON.parse(printed.stdout);
  expect(document).toMatchObject({ status: 'SUCCEEDED', output: { MessageId: expect.any(String) } });
  expect(Object.values(document.queues)).toEqual([expect.objectContaining({ messages: 1, processed: 1 })]);
  expect(Object.entries(document.tables).find(([table]) => table.includes('Records'))?.[1]).toBe(1);
});

test('events:putEvents: each event on stderr and in the --json document, with the rules it matched (none in this app)', async () => {
  const { io, printed } = bufferedIo();
  const input = inputFile({ order: { orderId: 'o-43' } });
  expect(await main(['run', 'AnnounceOne', '--assembly', assemblyDir, '--input', input, '--json'], io)).toBe(0);
  expect(printed.stderr).toContain('event sample.orders OrderPlaced put by AnnounceOrder on the default bus: no rule matched\n');
  const { output, putEvents } = JSON.parse(printed.stdout);
  expect(putEvents).toEqual([{
    state: 'AnnounceOrder', eventId: output.Entries[0].EventId, entry: { Source: 'sample.orders', DetailType: 'OrderPlaced', Detail: { orderId: 'o-43' } }, rules: [],
  }]);
});
