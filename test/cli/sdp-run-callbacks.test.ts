import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../tools/cli/sdp';
import { synthesizeCallbackFixture } from '../support/callback-fixture-app';
import { bufferedIo } from './buffered-io';

// `sdp run` on the order-approval app: the workflow waits for its task token while the worker fed by the queue answers it.
const assemblyDir = synthesizeCallbackFixture();

function inputFile(input: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-input-')), 'input.json');
  fs.writeFileSync(file, JSON.stringify(input));
  return file;
}

/** The trace line of a span, and the note lines under it. */
function traceOf(stderr: string, span: string): string {
  const lines = stderr.split('\n');
  const at = lines.findIndex((line) => line.includes(` ${span} (`));
  const end = lines.findIndex((line, i) => i > at && / \S+ \((Task|Choice|Fail|Pass)\)$/.test(line));
  return lines.slice(at, end === -1 ? undefined : end).join('\n');
}

test('an approved order: the trace shows the wait for the token, the worker\'s decision is recorded', async () => {
  const { io, printed } = bufferedIo();
  const input = inputFile({ order: { orderId: 'o-1', total: 40 } });
  expect(await main(['run', 'OrderApproval', '--assembly', assemblyDir, '--input', input, '--json'], io)).toBe(0);
  const document = JSON.parse(printed.stdout);
  expect(document).toMatchObject({ status: 'SUCCEEDED', output: { approval: { decision: 'approved', approver: 'auto' } } });
  expect(Object.values(document.queues)).toEqual([expect.objectContaining({ messages: 1, processed: 1 })]);
  expect(Object.entries(document.tables).find(([table]) => table.includes('Decisions'))?.[1]).toBe(1);
  expect(traceOf(printed.stderr, 'RequestApproval')).toMatch(/SUCCEEDED .* RequestApproval \(Task\)\n +waited for its task token: \d+ (ms|s)$/);
});

test('no heartbeat within HeartbeatSeconds: the run fails with States.HeartbeatTimeout, the trace says no answer came', async () => {
  const { io, printed } = bufferedIo();
  const input = inputFile({ order: { orderId: 'o-2', total: 40, review: 'never' } });
  expect(await main(['run', 'OrderApproval', '--assembly', assemblyDir, '--input', input], io)).toBe(1);
  expect(printed.stderr).toContain('execution FAILED: States.HeartbeatTimeout\n');
  expect(traceOf(printed.stderr, 'RequestApproval')).toMatch(/FAILED .* RequestApproval \(Task\)\n +waited for its task token: [\d.]+ s \(no answer\)\n +error: States.HeartbeatTimeout/);
});

test('a token nothing in the run can answer: the run stops the execution and names the state, instead of waiting a year', async () => {
  const { io, printed } = bufferedIo();
  const input = inputFile({ orderId: 'o-3' });
  expect(await main(['run', 'ManualReview', '--assembly', assemblyDir, '--input', input], io)).toBe(1);
  expect(printed.stderr).toContain('execution ABORTED: sdp.UnansweredTaskToken\n');
  expect(printed.stderr).toMatch(/cause: the execution waits for the task token of 'AwaitReviewer' \(waiting [\d.]+ s\) and nothing in the local run can answer it/);
});

test('a fire-and-forget child waiting for a token nothing can answer: stopped too, the run does not wait for it', async () => {
  const { io, printed } = bufferedIo();
  expect(await main(['run', 'ReviewInBackground', '--assembly', assemblyDir, '--input', inputFile({ orderId: 'o-4' })], io)).toBe(0);
  expect(printed.stderr).toMatch(/child execution \S+ of CallbackFixture\/ManualReview, started by StartManualReview \(startExecution\): ABORTED: sdp.UnansweredTaskToken\n/);
}, 20_000);
