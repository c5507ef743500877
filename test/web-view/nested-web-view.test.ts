import { LocalApp } from '../../tools/local/local-app';
import type { LoopbackServer } from '../../tools/local/loopback-server';
import type { ExecutionView } from '../../tools/web-view/execution-view';
import { startWebView } from '../../tools/web-view/web-view-server';
import { NESTED_FIXTURE_STACK, synthesizeNestedFixture } from '../support/nested-fixture-app';

// The served execution view of an orchestrator whose Map runs a child execution per order line (states:startExecution
// .sync:2): each child under its task with its own states, as the trace shows them.
let app: LocalApp;
let view: LoopbackServer;

beforeAll(async () => {
  app = await LocalApp.start({ assemblyDir: synthesizeNestedFixture(), stackName: NESTED_FIXTURE_STACK, port: 0, schedules: 'off' });
  view = await startWebView(app, 0);
});
afterAll(async () => {
  await view?.close();
  await app?.stop();
});

test("an execution's page data: each nested execution under its task with its own states; the parent's states take only their own outcomes", async () => {
  const stateMachineArn = app.runner.resourceArn('AWS::StepFunctions::StateMachine', 'Orchestrator');
  const line = (sku: string | undefined) => ({ ...sku !== undefined && { sku }, quantity: 1, unitCents: 100 });
  app.runner.stepFunctions.startExecution({ stateMachineArn, name: 'web-run', input: JSON.stringify({ orderId: 'order-web', lines: [line('A'), line(undefined)] }) });
  expect(await app.runner.settleDeliveries(30_000)).toBe(0);
  const answer = await fetch(`${view.endpoint}/api/executions/web-run`);
  const execution = await answer.json() as ExecutionView;
  expect(execution.status).toBe('SUCCEEDED');
  const parentOf = (row: { parentId?: string }) => execution.rows.find((r) => r.id === row.parentId);
  const children = execution.rows.filter((row) => row.kind === 'ChildExecution');
  // One per order line under ProcessLine (one priced, one failing for its missing sku), and the notice under Notify.
  expect(children.map((child) => `${parentOf(child)?.name} ${child.status}`).sort()).toEqual(['Notify SUCCEEDED', 'ProcessLine FAILED', 'ProcessLine SUCCEEDED']);
  for (const child of children.filter((c) => parentOf(c)?.name === 'ProcessLine')) {
    // Not folded into a summary row of its task (a succeeded iteration of the Map may be), with its own states under it.
    expect(execution.rows.some((row) => row.id === `${child.parentId}/succeeded`)).toBe(false);
    expect(execution.rows.some((row) => row.parentId === child.id && row.name === 'Price')).toBe(true);
  }
  // The child's states (Price, Store) are not the orchestrator's: the diagram's states are the parent's only.
  expect(execution.states.map((state) => state.name)).not.toContain('Price');
  expect(execution.states.find((state) => state.name === 'ProcessLine')).toMatchObject({ outcome: 'caught', entered: 2 });
});
