import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalApp } from '../../tools/local/local-app';
import { exampleAssembly } from '../support/example-app';

// `sdp serve`'s schedules on seed 004's stack, as a user sees them: the 5-minute Scheduler schedule fires when serving
// starts (a Scheduler rate without StartDate starts at once) and runs the stored job file through the job workflow.
let app: LocalApp;
const logs: string[] = [];
const JOB = path.join(__dirname, '..', '..', 'examples', 'inputs', 'scheduled-job.json');

beforeAll(async () => {
  app = await LocalApp.start({
    assemblyDir: exampleAssembly().assemblyDir, stackName: 'FanOutExample', port: 0, schedules: 'fast', maxWaitSeconds: 0.2,
    putObjects: [{ bucket: 'JobsBucket', key: 'jobs/scheduled.json', body: fs.readFileSync(JOB) }],
    log: (line) => logs.push(line),
  });
});
afterAll(async () => {
  await app?.stop();
});

/** Until `done` holds: the schedule's runs happen on their own, so the test waits for them as a user watches the log. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 50));
}

test('the 5-minute schedule runs the stored job file on its own; its counts reconcile', async () => {
  const scheduled = () => app.stepFunctions.list().filter((e) => e.startedBy === 'FanOutExample/Every5Minutes/Schedule');
  await until(() => scheduled().some((e) => e.status !== 'RUNNING'));
  const [run] = scheduled().filter((e) => e.status !== 'RUNNING');
  expect(run).toMatchObject({ status: 'SUCCEEDED', result: { output: { items: 7, stored: 7, failed: 0, deadLettered: 0 } } });
  expect(logs).toContainEqual(expect.stringMatching(/^FanOutExample\/Every5Minutes\/Schedule \S+ → arn:aws:states:\S+:stateMachine:RunJob\S+: delivered$/));
  const every5 = app.summary().schedules['FanOutExample/Every5Minutes/Schedule'];
  expect(every5.fired).toBeGreaterThanOrEqual(1);
  expect(every5.fired).toBe(every5.delivered + every5.deadLettered + every5.dropped + every5.stopped);
});

test('stop closes every local endpoint: the APIs and the Lambda API', async () => {
  const endpoints = [...app.apis.map((api) => api.url), app.runner.lambdaEndpoint.endpoint];
  await app.stop();
  for (const endpoint of endpoints) await expect(fetch(endpoint)).rejects.toThrow();
  app = undefined as unknown as LocalApp;
});
