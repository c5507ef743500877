import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../tools/cli/sdp';
import { synthesizeNestedFixture } from '../support/nested-fixture-app';
import { bufferedIo } from './buffered-io';

// `sdp run` on the order orchestrator: a child per line (.sync:2), a failed line caught, a fire-and-forget notice.
const assemblyDir = synthesizeNestedFixture();

function inputFile(input: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-input-')), 'input.json');
  fs.writeFileSync(file, JSON.stringify(input));
  return file;
}

const lines = [{ sku: 'A', quantity: 2, unitCents: 150 }, { quantity: 1, unitCents: 99 }];

test('the children in the trace under the task that started them, with their states; the fire-and-forget child waited for', async () => {
  const { io, printed } = bufferedIo();
  expect(await main(['run', 'Orchestrator', '--assembly', assemblyDir, '--input', inputFile({ orderId: 'order-1', lines })], io)).toBe(0);
  const trace = printed.stderr.split('\n');
  const at = (pattern: RegExp) => trace.findIndex((l) => pattern.test(l));
  // Where the span's name starts: two more columns per level.
  const indent = (i: number) => trace[i].search(/\S+ \(\w+\)$/);
  const task = at(/SUCCEEDED\s+ProcessLine \(Task\)/);
  const child = at(/SUCCEEDED\s+[0-9a-f-]{36} \(ChildExecution\)/);
  const childState = at(/SUCCEEDED\s+Price \(Task\)/);
  expect([task, child, childState].every((i) => i >= 0)).toBe(true);
  expect(child).toBe(task + 1);
  expect(indent(child)).toBe(indent(task) + 2);
  expect(indent(childState)).toBe(indent(child) + 2);
  // The failed line's child failed under the task a catcher moved on from.
  expect(printed.stderr).toMatch(/CAUGHT\s+ProcessLine \(Task\)\n(.*\n)*?.*FAILED\s+[0-9a-f-]{36} \(ChildExecution\)\n.*error: MissingSku/);
  expect(printed.stderr).toMatch(/SUCCEEDED\s+order-1 \(ChildExecution\)/);
  expect(printed.stderr).toContain('child execution order-1 of NestedFixture/NotifyCustomer, started by Notify (startExecution): SUCCEEDED\n');
  expect(printed.stderr).toMatch(/child execution [0-9a-f-]{36} of NestedFixture\/ProcessOrder, started by ProcessLine \(startExecution.sync:2\): FAILED: MissingSku\n/);
});

test('--json lists the children with their status; the notice child wrote its record before the run reported', async () => {
  const { io, printed } = bufferedIo();
  expect(await main(['run', 'Orchestrator', '--assembly', assemblyDir, '--input', inputFile({ orderId: 'order-2', lines }), '--json'], io)).toBe(0);
  const document = JSON.parse(printed.stdout);
  expect(document.childExecutions).toEqual([
    expect.objectContaining({ state: 'ProcessLine', integration: 'startExecution.sync:2', stateMachine: 'NestedFixture/ProcessOrder', status: 'SUCCEEDED' }),
    expect.objectContaining({ state: 'ProcessLine', integration: 'startExecution.sync:2', status: 'FAILED', error: 'MissingSku' }),
    expect.objectContaining({ state: 'Notify', integration: 'startExecution', stateMachine: 'NestedFixture/NotifyCustomer', status: 'SUCCEEDED' }),
  ]);
  // One line stored by its child, and the notice.
  expect(Object.entries(document.tables).find(([table]) => table.includes('Orders'))?.[1]).toBe(2);
});

test('an Express state machine with a .sync task: refused before the run, naming the state and the rule', async () => {
  const { io, printed } = bufferedIo();
  expect(await main(['run', 'ExpressRunner', '--assembly', assemblyDir], io)).not.toBe(0);
  expect(printed.stderr).toContain('ProcessInExpress (Resource: an Express state machine takes Request Response integrations only');
});
