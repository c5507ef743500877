import { LocalApp } from '../../tools/local/local-app';
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
