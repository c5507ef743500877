import { DescribeExecutionCommand, SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { LocalApp } from '../../tools/local/local-app';
import { handlerEnvironment } from '../../tools/local/local-lambda';
import { REST_API_FIXTURE_STACK, synthesizeRestApiFixture } from '../support/rest-api-fixture-app';

// `sdp serve` on an app of two REST APIs, through real HTTP: each on its own port; an ApiTrigger with
// `synchronous: true` and `authorization: 'API_KEY'` answered by a real Express execution on the local engine.
let app: LocalApp;

beforeAll(async () => {
  app = await LocalApp.start({ assemblyDir: synthesizeRestApiFixture(), stackName: REST_API_FIXTURE_STACK, port: 0, schedules: 'off' });
});
afterAll(async () => {
  await app?.stop();
});

const quotes = () => app.apis.find((api) => api.path.startsWith(`${REST_API_FIXTURE_STACK}/Quotes`))!;

test('every REST API of the stack is served on its own port; the routes an integration cannot run are named', () => {
  expect(app.apis.map((api) => api.path).sort()).toEqual([`${REST_API_FIXTURE_STACK}/ItemsApi`, `${REST_API_FIXTURE_STACK}/Quotes/Api`]);
  expect(new Set(app.apis.map((api) => api.url)).size).toBe(2);
  expect(app.apis.find((api) => api.path.endsWith('ItemsApi'))!.unsupported).toEqual([expect.stringMatching(/^GET \/elsewhere: .*HTTP/)]);
});

test('an API-key method answers 403 without x-api-key; with one, StartSyncExecution runs the Express workflow and answers its output', async () => {
  const post = (headers: Record<string, string>) => fetch(`${quotes().url}/executions`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ orderId: 'o-1' }),
  });
  const refused = await post({});
  expect({ status: refused.status, body: await refused.json() }).toEqual({ status: 403, body: { message: 'Forbidden' } });
  const answered = await post({ 'x-api-key': 'any-key-stands-for-the-generated-one' });
  expect({ status: answered.status, body: await answered.json() }).toEqual({
    status: 200, body: { executionArn: expect.stringMatching(/:express:QuoteMachine[^:]*:[^:]+:[0-9a-f-]{36}$/), status: 'SUCCEEDED', output: { orderId: 'o-1' } },
  });
  // No describe route with a synchronous API: DescribeExecution does not serve Express workflows.
  expect((await fetch(`${quotes().url}/executions/x`, { headers: { 'x-api-key': 'k' } })).status).toBe(403);
});

test("the handlers' Step Functions SDK reaches the run's Step Functions API (AWS_ENDPOINT_URL_SFN): actions answer, refusals keep their names", async () => {
  // StartSyncExecution's host prefix (`sync-`) would make the host sync-127.0.0.1, which no resolver knows.
  const sfn = new SFNClient({
    endpoint: handlerEnvironment.AWS_ENDPOINT_URL_SFN, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, disableHostPrefix: true,
  });
  const stateMachineArn = app.runner.resourceArn('AWS::StepFunctions::StateMachine', 'QuoteMachine');
  const answered = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn, input: JSON.stringify({ orderId: 'o-2' }) }));
  expect({ status: answered.status, output: JSON.parse(answered.output!), startDate: answered.startDate instanceof Date }).toEqual({ status: 'SUCCEEDED', output: { orderId: 'o-2' }, startDate: true });
  const missing = stateMachineArn.replace(':stateMachine:', ':execution:') + ':nothing-ran';
  await expect(sfn.send(new DescribeExecutionCommand({ executionArn: missing }))).rejects.toMatchObject({ name: 'ExecutionDoesNotExist', $metadata: { httpStatusCode: 400 } });
  sfn.destroy();
});
