import * as net from 'node:net';
import { LocalApp } from '../../tools/local/local-app';
import { readSchedules } from '../../tools/local/schedules';
import { exampleAssembly } from '../support/example-app';

// `sdp serve`'s engine on seed 004's stack, through real HTTP requests: the API built from the synthesized
// AWS::ApiGateway::* resources, its mapping templates rendered, its direct Step Functions integration answered by the
// local Step Functions, the job run by the real splitter and workers on the local engines.
let app: LocalApp;
let base: string;
const logs: string[] = [];

beforeAll(async () => {
  app = await LocalApp.start({
    assemblyDir: exampleAssembly().assemblyDir, stackName: 'FanOutExample', port: 0, schedules: 'off', maxWaitSeconds: 0.2,
    visibilityTimeoutSeconds: 5, log: (line) => logs.push(line),
  });
  base = app.apis[0].url;
});
afterAll(async () => {
  await app?.stop();
});

const post = (body: unknown, headers: Record<string, string> = {}) => fetch(`${base}/executions`, {
  method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body),
});
const answer = async (response: Response) => ({ status: response.status, body: await response.json() as any });

/** GET /executions/{name} until the execution stopped: a poll, as a client of the API does. */
async function finished(name: string): Promise<{ status: number; body: any }> {
  for (;;) {
    const described = await answer(await fetch(`${base}/executions/${name}`));
    if (described.body.status !== 'RUNNING') return described;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The warmer's schedule input, from the template, given to the real warmer bundle: it invokes the splitter through the
// AWS SDK's Lambda client, which reaches the local Lambda endpoint; the splitter's instances it starts serve the next
// burst of jobs without a cold start.
test("the warmer's calls start the splitter's instances; the next burst of jobs has no cold start", async () => {
  const windows = readSchedules(app.runner.stack, app.runner.resolver).filter((s) => s.path.includes('Warmer/Window1'));
  expect(windows).toHaveLength(1);
  const warmerInput = windows[0].targets[0].input as { targets: Array<{ functionName: string; concurrency: number }> };
  expect(warmerInput.targets).toEqual([{ functionName: app.runner.resourceArn('AWS::Lambda::Function', 'Splitter'), concurrency: 2 }]);
  await expect(app.runner.invokeFunction('WarmerFunction', warmerInput)).resolves.toEqual([
    expect.objectContaining({ invoked: 2, warmed: 2, coldStarts: 2, failed: 0 }),
  ]);
  const splitter = () => app.runner.lambda.stats()[app.runner.findResource('AWS::Lambda::Function', 'Splitter')];
  expect(splitter()).toMatchObject({ warmUps: 2, coldStarts: 2, instances: 2, coldStartsSaved: 0 });
  await Promise.all(['burst-1', 'burst-2'].map((jobId) => app.runner.invokeFunction('Splitter', { jobId, items: [{ word: jobId }] })));
  expect(splitter()).toMatchObject({ invocations: 4, coldStarts: 2, coldStartsSaved: 2 });
});

test('the routes of the stage, from the template', () => {
  expect(app.apis).toEqual([expect.objectContaining({
    path: 'FanOutExample/RunJobApi/Api', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    routes: ['POST /executions', 'GET /executions/{id}'], unsupported: [],
  })]);
});

test('POST /executions with an Idempotency-Key runs the job; GET answers SUCCEEDED with its counts; the same POST again is 409', async () => {
  const job = { items: [{ word: 'apple' }, { word: 'fig' }, { word: 'grape' }] };
  const started = await answer(await post(job, { 'Idempotency-Key': 'job-1' }));
  expect(started).toEqual({ status: 200, body: { executionArn: expect.stringMatching(/:execution:.+:job-1$/), startDate: expect.any(Number) } });
  // While it runs, the same request answers as the first (StartExecution is idempotent for a running execution).
  const retried = await answer(await post(job, { 'Idempotency-Key': 'job-1' }));
  expect(retried.body.executionArn).toBe(started.body.executionArn);

  const described = await finished('job-1');
  expect(described).toEqual({
    status: 200,
    body: {
      executionArn: started.body.executionArn, name: 'job-1', status: 'SUCCEEDED', startDate: started.body.startDate, stopDate: expect.any(Number),
      output: { jobId: 'job-1', items: 3, stored: 3, failed: 0, deadLettered: 0 }, error: null, cause: null,
    },
  });
  const again = await answer(await post(job, { 'Idempotency-Key': 'job-1' }));
  expect(again).toEqual({ status: 409, body: { error: 'ExecutionAlreadyExists', message: expect.stringContaining('already exists'), requestId: expect.any(String) } });
  expect(logs).toEqual(expect.arrayContaining([
    expect.stringMatching(/^POST \/executions 200 job-1 \d+ ms$/),
    expect.stringMatching(/^execution job-1 SUCCEEDED in [\d.]+ s \(started by FanOutExample\/RunJobApi\/Api\)$/),
  ]));
});

test('a body the model rejects is 400 before Step Functions is called; a bad key 400; an unknown execution 404', async () => {
  expect(await answer(await post({ items: [{ word: 'a' }], extra: true }))).toEqual({ status: 400, body: { message: 'Invalid request body' } });
  expect(await answer(await post({}))).toEqual({ status: 400, body: { message: 'Invalid request body' } });
  expect(await answer(await post({ items: [{ word: 'a' }] }, { 'Idempotency-Key': 'has space' }))).toMatchObject({ status: 400, body: { error: 'InvalidIdempotencyKey' } });
  expect(await answer(await fetch(`${base}/executions/nobody`))).toMatchObject({ status: 404, body: { error: 'ExecutionDoesNotExist' } });
  expect(app.stepFunctions.list().map((e) => e.name)).not.toContain('has space');
});

test('a job that fails is FAILED with its error and cause', async () => {
  const started = await answer(await post({ itemsUri: 's3://nosuchbucket/job.json' }, { 'Idempotency-Key': 'missing-file' }));
  expect(started.status).toBe(200);
  const described = await finished('missing-file');
  expect(described.body).toMatchObject({ status: 'FAILED', output: null, error: expect.any(String), cause: expect.any(String) });
});

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html#API_StartExecution_Errors and
// API_StartSyncExecution.html, API_DescribeExecution.html: the errors the API's error table maps.
test('the local Step Functions answers errors as the service does, with their __type', async () => {
  const arn = app.runner.resourceArn('AWS::StepFunctions::StateMachine', 'RunJob');
  const call = async (action: string, request: object) => {
    const { statusCode, body } = await app.stepFunctions.handle(action, JSON.stringify(request));
    return { statusCode, type: (JSON.parse(body) as { __type: string }).__type.split('#')[1] };
  };
  expect(await call('StartSyncExecution', { stateMachineArn: arn, input: '{}' })).toEqual({ statusCode: 400, type: 'StateMachineTypeNotSupported' });
  expect(await call('StartExecution', { stateMachineArn: `${arn}Gone` })).toEqual({ statusCode: 400, type: 'StateMachineDoesNotExist' });
  expect(await call('StartExecution', { stateMachineArn: arn, input: '{not json' })).toEqual({ statusCode: 400, type: 'InvalidExecutionInput' });
  expect(await call('StartExecution', { stateMachineArn: arn, input: JSON.stringify({ items: ['x'.repeat(256 * 1024)] }) })).toEqual({ statusCode: 400, type: 'InvalidExecutionInput' });
  expect(await call('DescribeExecution', { executionArn: 'job-1' })).toEqual({ statusCode: 400, type: 'InvalidArn' });
  expect(await call('DeleteStateMachine', {})).toEqual({ statusCode: 400, type: 'UnknownOperationException' });
});

test('stop leaves nothing listening', async () => {
  const { port } = new URL(base);
  await app.stop();
  const refused = await new Promise<boolean>((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(true));
  });
  expect(refused).toBe(true);
  app = undefined as unknown as LocalApp;
});
