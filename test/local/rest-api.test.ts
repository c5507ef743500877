import * as fs from 'node:fs';
import * as net from 'node:net';
import { AssemblyStack, constructPath, readCloudAssembly, resourcesOfType, selectStack } from '../../tools/assembly/cloud-assembly';
import { IntrinsicResolver } from '../../tools/assembly/intrinsics';
import {
  ApiRequest, LocalRestApi, readRestApis, renderMappingTemplate, RequestLogEntry, RestApiBackends, RestApiDefinition, startRestApiServer,
} from '../../tools/local/rest-api';
import { exampleAssembly } from '../support/example-app';
import { KNOWN_API_KEY, REST_API_FIXTURE_STACK, synthesizeRestApiFixture } from '../support/rest-api-fixture-app';

// API Gateway's behaviour, as its developer guide documents it:
// - routes and gateway responses: https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
// - request validation: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
// - passthrough behaviour: https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
// - integration responses (selectionPattern matches the status code, or a Lambda function's error message):
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration-responses.html
// - Lambda proxy integration input and output: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html

const EXECUTION_TYPE = 'com.amazonaws.swf.service.v2.model';

type Answer = { statusCode: number; body: string };
/** A Step Functions stand-in that records each call and answers what the test queued, as the service's HTTP API would. */
class FakeStepFunctions {
  readonly calls: Array<{ action: string; request: any }> = [];
  private readonly answers: Answer[] = [];

  answerNext(statusCode: number, body: object): this {
    this.answers.push({ statusCode, body: JSON.stringify(body) });
    return this;
  }

  readonly stepFunctions = async (action: string, body: string): Promise<Answer> => {
    this.calls.push({ action, request: JSON.parse(body) });
    const answer = this.answers.shift();
    if (!answer) throw new Error(`no answer queued for ${action}`);
    return answer;
  };
}
const sfnError = (type: string, message = 'details') => ({ __type: `${EXECUTION_TYPE}#${type}`, message });

/** A function stand-in: records each invocation and answers with `reply`. */
function fakeFunctions(reply: (payload: any) => unknown) {
  const invocations: Array<{ functionArn: string; payload: any }> = [];
  const invokeFunction: RestApiBackends['invokeFunction'] = async (functionArn, payload) => {
    invocations.push({ functionArn, payload });
    return reply(payload);
  };
  return { invocations, invokeFunction };
}
const noFunctions: RestApiBackends['invokeFunction'] = async (name) => { throw new Error(`unexpected invocation of ${name}`); };

function request(method: string, path: string, options: Partial<ApiRequest> & { json?: unknown } = {}): ApiRequest {
  const { json, ...rest } = options;
  return { method, path, query: {}, headers: {}, body: json === undefined ? '' : JSON.stringify(json), ...rest };
}

/** The logical id of the resource of `type` whose construct path ends with `suffix`. */
function logicalIdOf(stack: AssemblyStack, type: string, suffix: string): string {
  const ids = resourcesOfType(stack.template, type).filter((id) => constructPath(stack, id).endsWith(suffix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

function apiOf(stack: AssemblyStack, apiPathSuffix: string): RestApiDefinition {
  const definitions = readRestApis(stack, new IntrinsicResolver(stack.template));
  const found = definitions.filter((d) => d.constructPath.endsWith(apiPathSuffix));
  expect(found).toHaveLength(1);
  return found[0];
}

// Read once for the file: the example app's assembly (made by jest's global setup) and the fixture, synthesized once.
const fanOut = selectStack(readCloudAssembly(exampleAssembly().assemblyDir), 'FanOutExample');
const runJobApi = apiOf(fanOut, 'RunJobApi/Api');
const runJobMachineArn = new IntrinsicResolver(fanOut.template).arn(logicalIdOf(fanOut, 'AWS::StepFunctions::StateMachine', 'RunJob/StateMachine'));
const fixtureDir = synthesizeRestApiFixture();
const fixture = selectStack(readCloudAssembly(fixtureDir), REST_API_FIXTURE_STACK);
afterAll(() => fs.rmSync(fixtureDir, { recursive: true, force: true }));

const job = { items: [{ word: 'alpha' }, { word: 'beta' }] };
const executionArn = (name: string) => `${runJobMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

describe('the example app\'s RunJobApi, read from the template', () => {
  test('stage v1, POST /executions and GET /executions/{id} with IAM authorization, their validator, model and parameters; no API keys', () => {
    expect(runJobApi).toMatchObject({ constructPath: 'FanOutExample/RunJobApi/Api', stageName: 'v1', apiKeys: [] });
    const byRoute = Object.fromEntries(runJobApi.routes.map((r) => [`${r.httpMethod} ${r.path}`, r]));
    expect(Object.keys(byRoute).sort()).toEqual(['GET /executions/{id}', 'POST /executions']);
    expect(byRoute['POST /executions']).toMatchObject({
      authorizationType: 'AWS_IAM', apiKeyRequired: false, validateRequestBody: true, validateRequestParameters: true,
      requestParameters: { 'method.request.header.Idempotency-Key': false },
      requestModels: { 'application/json': expect.objectContaining({ additionalProperties: false, minProperties: 1, maxProperties: 1 }) },
      integration: { type: 'AWS', uri: 'arn:aws:apigateway:us-east-1:states:action/StartExecution', passthroughBehavior: 'NEVER' },
    });
    expect(byRoute['GET /executions/{id}'].requestParameters).toEqual({ 'method.request.path.id': true });
    expect(byRoute['GET /executions/{id}'].integration.integrationResponses.map((r) => [r.statusCode, r.selectionPattern]))
      .toEqual([['200', undefined], ['400', '4\\d{2}'], ['500', '5\\d{2}']]);
    // The state machine's ARN in the request template is the local one.
    expect(byRoute['POST /executions'].integration.requestTemplates['application/json']).toContain(`"stateMachineArn": "${runJobMachineArn}"`);
  });

  test('every route is one sdp serve runs', () => {
    const api = new LocalRestApi(runJobApi, { stepFunctions: new FakeStepFunctions().stepFunctions, invokeFunction: noFunctions });
    expect(api.unsupportedRoutes()).toEqual([]);
    expect(api.routes()).toEqual(expect.arrayContaining([
      { method: 'POST', path: '/executions', integration: 'Step Functions StartExecution' },
      { method: 'GET', path: '/executions/{id}', integration: 'Step Functions DescribeExecution' },
    ]));
  });
});

describe('RunJobApi served locally (Step Functions answering through a fake)', () => {
  let sfn: FakeStepFunctions;
  let api: LocalRestApi;
  beforeEach(() => {
    sfn = new FakeStepFunctions();
    api = new LocalRestApi(runJobApi, { stepFunctions: sfn.stepFunctions, invokeFunction: noFunctions });
  });

  test('POST /executions with an Idempotency-Key → StartExecution named by it → 200 { executionArn, startDate }; IAM is not checked', async () => {
    sfn.answerNext(200, { executionArn: executionArn('job-1'), startDate: 1764495261.123 });
    const response = await api.handle(request('POST', '/executions', { json: job, headers: { 'idempotency-key': 'job-1' } }));
    expect(sfn.calls).toEqual([{ action: 'StartExecution', request: { stateMachineArn: runJobMachineArn, name: 'job-1', input: JSON.stringify(job) } }]);
    expect(response).toMatchObject({ statusCode: 200, executionArn: executionArn('job-1') });
    expect(JSON.parse(response.body)).toEqual({ executionArn: executionArn('job-1'), startDate: 1764495261.123 });
    expect(response.headers).toEqual({ 'Content-Type': 'application/json', 'x-amzn-RequestId': expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  test('the path may carry the stage, as the deployed URL does: POST /v1/executions', async () => {
    sfn.answerNext(200, { executionArn: executionArn('x'), startDate: 1 });
    expect((await api.handle(request('POST', '/v1/executions', { json: job }))).statusCode).toBe(200);
    expect(sfn.calls[0].request).toEqual({ stateMachineArn: runJobMachineArn, input: JSON.stringify(job) }); // no key, no name
  });

  test('a repeated Idempotency-Key: ExecutionAlreadyExists (400) → 409 with the request id', async () => {
    sfn.answerNext(400, sfnError('ExecutionAlreadyExists', 'Execution Already Exists: ...'));
    const response = await api.handle(request('POST', '/executions', { json: job, headers: { 'idempotency-key': 'job-1' } }));
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body)).toEqual({
      error: 'ExecutionAlreadyExists',
      message: expect.stringContaining('GET /executions/{Idempotency-Key}'),
      requestId: response.headers['x-amzn-RequestId'],
    });
    expect(response.headers['x-amzn-ErrorType']).toBeUndefined(); // the integration's answer, not a gateway response
  });

  test('ThrottlingException (400) → 429; a Step Functions 500 → 500 InternalError', async () => {
    sfn.answerNext(400, sfnError('ThrottlingException')).answerNext(500, sfnError('InternalFailure'));
    const throttled = await api.handle(request('POST', '/executions', { json: job }));
    expect([throttled.statusCode, JSON.parse(throttled.body).error]).toEqual([429, 'Throttled']);
    const failed = await api.handle(request('POST', '/executions', { json: job }));
    expect([failed.statusCode, JSON.parse(failed.body).error]).toEqual([500, 'InternalError']);
  });

  test('GET /executions/{id} → DescribeExecution of <state machine>:<id> → 200 with the output as JSON', async () => {
    sfn.answerNext(200, {
      executionArn: executionArn('job-1'), stateMachineArn: runJobMachineArn, name: 'job-1', status: 'SUCCEEDED',
      startDate: 1764495261.1, stopDate: 1764495262.5, input: JSON.stringify(job), output: '{"chunks":1}',
    });
    const response = await api.handle(request('GET', '/executions/job-1'));
    expect(sfn.calls).toEqual([{ action: 'DescribeExecution', request: { executionArn: executionArn('job-1') } }]);
    expect([response.statusCode, JSON.parse(response.body), response.executionArn]).toEqual([200, {
      executionArn: executionArn('job-1'), name: 'job-1', status: 'SUCCEEDED', startDate: 1764495261.1, stopDate: 1764495262.5,
      output: { chunks: 1 }, error: null, cause: null,
    }, executionArn('job-1')]);
  });

  test('GET of an unknown execution: ExecutionDoesNotExist (400) → 404', async () => {
    sfn.answerNext(400, sfnError('ExecutionDoesNotExist'));
    const response = await api.handle(request('GET', '/v1/executions/nope'));
    expect([response.statusCode, JSON.parse(response.body).error]).toEqual([404, 'ExecutionDoesNotExist']);
    expect(response.executionArn).toBe(executionArn('nope')); // from the request, for the log
  });

  test('a path parameter reaches the template percent-decoded', async () => {
    sfn.answerNext(400, sfnError('ExecutionDoesNotExist'));
    await api.handle(request('GET', '/executions/job%201%3A2'));
    expect(sfn.calls[0].request).toEqual({ executionArn: executionArn('job 1:2') });
  });

  test.each([
    ['an unknown field (additionalProperties: false)', { items: [{}], priority: 'high' }],
    ['no field (minProperties: 1)', {}],
    ['both fields (maxProperties: 1)', { items: [{}], itemsUri: 's3://bucket/key' }],
    ['an empty items array (minItems: 1)', { items: [] }],
  ])('a body with %s → 400 Invalid request body before Step Functions is called', async (_, body) => {
    const response = await api.handle(request('POST', '/executions', { json: body }));
    expect(response).toMatchObject({ statusCode: 400, body: '{"message":"Invalid request body"}', headers: { 'x-amzn-ErrorType': 'BadRequestException' } });
    expect(response.error).toEqual(expect.any(String)); // ajv's reason, for the request log
    expect(sfn.calls).toEqual([]);
  });

  test('a body that is not JSON, or none (validated as {}: minProperties 1) → 400 Invalid request body', async () => {
    const response = await api.handle(request('POST', '/executions', { body: '{"items":', headers: { 'content-type': 'application/json' } }));
    expect([response.statusCode, response.body]).toEqual([400, '{"message":"Invalid request body"}']);
    const empty = await api.handle(request('POST', '/executions'));
    expect([empty.statusCode, empty.error]).toEqual([400, '(body) must NOT have fewer than 1 properties']);
  });

  test.each([
    ['GET', '/nothing'], ['DELETE', '/executions'], ['GET', '/executions'], ['POST', '/v2/executions'], ['GET', '/executions/a/b'],
  ])('%s %s (no such route) → 403 Missing Authentication Token', async (method, path) => {
    const response = await api.handle(request(method, path));
    expect(response).toMatchObject({
      statusCode: 403, body: '{"message":"Missing Authentication Token"}', headers: { 'x-amzn-ErrorType': 'MissingAuthenticationTokenException' },
    });
  });

  test('a Content-Type without a request template (PassthroughBehavior NEVER) → 415; no Content-Type or a charset is JSON', async () => {
    const xml = await api.handle(request('POST', '/executions', { body: '<job/>', headers: { 'content-type': 'application/xml' } }));
    expect(xml).toMatchObject({ statusCode: 415, body: '{"message":"Unsupported Media Type"}', headers: { 'x-amzn-ErrorType': 'UnsupportedMediaTypeException' } });
    expect(sfn.calls).toEqual([]);
    sfn.answerNext(200, { executionArn: executionArn('a'), startDate: 1 }).answerNext(200, { executionArn: executionArn('b'), startDate: 1 });
    expect((await api.handle(request('POST', '/executions', { json: job }))).statusCode).toBe(200);
    expect((await api.handle(request('POST', '/executions', { json: job, headers: { 'content-type': 'Application/JSON; charset=utf-8' } }))).statusCode).toBe(200);
  });
});

describe('the fixture\'s APIs: API keys, StartSyncExecution, MOCK, Lambda proxy, what is not run', () => {
  const quotesApi = apiOf(fixture, 'Quotes/Api');
  const itemsApi = apiOf(fixture, 'ItemsApi');

  test('the keys usage plans link to each API: Quotes\' generated key (value unknown), Items\' key with its value', () => {
    expect(quotesApi.apiKeys).toEqual([{ logicalId: expect.stringMatching(/^QuotesApiKey/), value: undefined, enabled: true }]);
    expect(itemsApi.apiKeys).toEqual([{ logicalId: expect.stringMatching(/^ItemsApiItemsKey/), value: KNOWN_API_KEY, enabled: true }]);
    expect([itemsApi.stageName, itemsApi.stageVariables]).toEqual(['prod', { greeting: 'hi' }]);
  });

  describe('Quotes: synchronous Express workflow with API keys', () => {
    let sfn: FakeStepFunctions;
    let api: LocalRestApi;
    beforeEach(() => {
      sfn = new FakeStepFunctions();
      api = new LocalRestApi(quotesApi, { stepFunctions: sfn.stepFunctions, invokeFunction: noFunctions });
    });

    test('without x-api-key → 403 Forbidden, Step Functions not called', async () => {
      const response = await api.handle(request('POST', '/executions', { json: { orderId: '1' } }));
      expect(response).toMatchObject({ statusCode: 403, body: '{"message":"Forbidden"}', headers: { 'x-amzn-ErrorType': 'ForbiddenException' } });
      expect(sfn.calls).toEqual([]);
    });

    test('with a key (its value is generated at deployment, so any key stands for it) → StartSyncExecution, no name; SUCCEEDED → 200 with the output', async () => {
      const arn = 'arn:aws:states:us-east-1:000000000000:express:QuoteMachine:e1:e1';
      sfn.answerNext(200, { executionArn: arn, status: 'SUCCEEDED', output: '{"price":12.5}', startDate: 1, stopDate: 2 });
      const response = await api.handle(request('POST', '/executions', {
        json: { orderId: '1' }, headers: { 'x-api-key': 'whatever', 'idempotency-key': 'k' },
      }));
      expect(sfn.calls.map((c) => [c.action, Object.keys(c.request).sort()])).toEqual([['StartSyncExecution', ['input', 'stateMachineArn']]]);
      expect([response.statusCode, JSON.parse(response.body)]).toEqual([200, { executionArn: arn, status: 'SUCCEEDED', output: { price: 12.5 } }]);
    });

    test('an execution that outlasts the integration timeout (TimeoutInMillis, 29 s unless set) → 504 Endpoint request timed out', async () => {
      expect(quotesApi.routes[0].integration.timeoutInMillis).toBe(29_000);
      const shortTimeout = { ...quotesApi, routes: quotesApi.routes.map((r) => ({ ...r, integration: { ...r.integration, timeoutInMillis: 50 } })) };
      const never = new LocalRestApi(shortTimeout, { stepFunctions: () => new Promise(() => undefined), invokeFunction: noFunctions });
      const response = await never.handle(request('POST', '/executions', { json: { orderId: '1' }, headers: { 'x-api-key': 'k' } }));
      expect([response.statusCode, response.body]).toEqual([504, '{"message":"Endpoint request timed out"}']);
    });

    test('a FAILED execution (Step Functions answers 200) → 500 with its error and cause', async () => {
      const arn = 'arn:aws:states:us-east-1:000000000000:express:QuoteMachine:e2:e2';
      sfn.answerNext(200, { executionArn: arn, status: 'FAILED', error: 'States.TaskFailed', cause: 'boom', startDate: 1, stopDate: 2 });
      const response = await api.handle(request('POST', '/executions', { json: { orderId: '1' }, headers: { 'x-api-key': 'k' } }));
      expect([response.statusCode, JSON.parse(response.body)]).toEqual([500, { executionArn: arn, status: 'FAILED', error: 'States.TaskFailed', cause: 'boom' }]);
    });
  });

  describe('Items: MOCK with a known API key, Lambda proxy, an HTTP integration', () => {
    const functionArn = new IntrinsicResolver(fixture.template).arn(logicalIdOf(fixture, 'AWS::Lambda::Function', '/Items'));

    test('the HTTP integration is listed as not run, and answers 500 saying why', async () => {
      const api = new LocalRestApi(itemsApi, { stepFunctions: new FakeStepFunctions().stepFunctions, invokeFunction: noFunctions });
      expect(api.unsupportedRoutes()).toEqual([{ method: 'GET', path: '/elsewhere', reason: expect.stringMatching(/does not run HTTP_PROXY integrations \(https:\/\/example\.com\/\)/) }]);
      const response = await api.handle(request('GET', '/elsewhere'));
      expect(response).toMatchObject({ statusCode: 500, body: '{"message":"Internal server error"}', error: expect.stringContaining('HTTP_PROXY integrations') });
    });

    test('MOCK GET /status: a key other than the API\'s → 403; the required page parameter missing → 400; else the integration response', async () => {
      const api = new LocalRestApi(itemsApi, { stepFunctions: new FakeStepFunctions().stepFunctions, invokeFunction: noFunctions });
      expect((await api.handle(request('GET', '/status', { query: { page: '2' }, headers: { 'x-api-key': 'not-the-key' } }))).statusCode).toBe(403);
      const missing = await api.handle(request('GET', '/status', { headers: { 'x-api-key': KNOWN_API_KEY } }));
      expect(missing).toMatchObject({
        statusCode: 400, body: '{"message":"Missing required request parameters: [page]"}', headers: { 'x-amzn-ErrorType': 'BadRequestException' },
      });
      const response = await api.handle(request('GET', '/prod/status', { query: { page: '2' }, headers: { 'x-api-key': KNOWN_API_KEY } }));
      expect(response.statusCode).toBe(200);
      expect(response.headers['Cache-Control']).toBe('no-store');
      expect(JSON.parse(response.body)).toEqual({ status: 'up', page: '2', requestId: response.headers['x-amzn-RequestId'] });
    });

    test('the API\'s gateway responses: its own MISSING_AUTHENTICATION_TOKEN (404, template), DEFAULT_4XX\'s header on a 403', async () => {
      const api = new LocalRestApi(itemsApi, { stepFunctions: new FakeStepFunctions().stepFunctions, invokeFunction: noFunctions });
      const missing = await api.handle(request('POST', '/prod/status')); // /status has GET only; {proxy+} does not take it
      expect([missing.statusCode, JSON.parse(missing.body), missing.headers['Access-Control-Allow-Origin']])
        .toEqual([404, { error: 'Missing Authentication Token', type: 'MISSING_AUTHENTICATION_TOKEN', path: '/prod/status' }, undefined]);
      const forbidden = await api.handle(request('GET', '/status', { query: { page: '1' } }));
      expect([forbidden.statusCode, forbidden.body, forbidden.headers['Access-Control-Allow-Origin']]).toEqual([403, '{"message":"Forbidden"}', '*']);
    });

    test('ANY /{proxy+} → the function with the REST API proxy event; its statusCode, headers and body are the response', async () => {
      const functions = fakeFunctions(() => ({ statusCode: 201, headers: { 'X-Item': '42' }, body: '{"created":true}' }));
      const api = new LocalRestApi(itemsApi, { stepFunctions: new FakeStepFunctions().stepFunctions, invokeFunction: functions.invokeFunction });
      const response = await api.handle(request('PUT', '/prod/items/42', {
        query: { dryRun: 'false' }, headers: { 'content-type': 'application/json', 'user-agent': 'jest' }, json: { name: 'a' },
      }));
      expect([response.statusCode, response.body, response.headers['X-Item']]).toEqual([201, '{"created":true}', '42']);
      expect(functions.invocations).toHaveLength(1);
      expect(functions.invocations[0].functionArn).toBe(functionArn);
      expect(functions.invocations[0].payload).toEqual({
        resource: '/{proxy+}', path: '/items/42', httpMethod: 'PUT',
        headers: { 'content-type': 'application/json', 'user-agent': 'jest' },
        multiValueHeaders: { 'content-type': ['application/json'], 'user-agent': ['jest'] },
        queryStringParameters: { dryRun: 'false' }, multiValueQueryStringParameters: { dryRun: ['false'] },
        pathParameters: { proxy: 'items/42' }, stageVariables: { greeting: 'hi' },
        requestContext: expect.objectContaining({
          stage: 'prod', path: '/prod/items/42', resourcePath: '/{proxy+}', httpMethod: 'PUT',
          requestId: response.headers['x-amzn-RequestId'], identity: expect.objectContaining({ sourceIp: '127.0.0.1', userAgent: 'jest' }),
        }),
        body: '{"name":"a"}', isBase64Encoded: false,
      });
    });

    test('POST /legacy (Lambda, not proxy): the rendered template is the event; the result is the body, an error message matching a pattern its response', async () => {
      const functions = fakeFunctions((payload) => {
        if (payload.name === '') throw Object.assign(new Error('Invalid name: empty'), { name: 'ValidationError' });
        return { hello: payload.name, stage: payload.stage, greeting: payload.greeting };
      });
      const api = new LocalRestApi(itemsApi, { stepFunctions: new FakeStepFunctions().stepFunctions, invokeFunction: functions.invokeFunction });
      const ok = await api.handle(request('POST', '/legacy', { json: { name: 'ann' } }));
      expect([ok.statusCode, JSON.parse(ok.body)]).toEqual([200, { hello: 'ann', stage: 'prod', greeting: 'hi' }]);
      expect(functions.invocations.map((i) => i.functionArn)).toEqual([functionArn]);
      const invalid = await api.handle(request('POST', '/legacy', { json: { name: '' } }));
      expect([invalid.statusCode, JSON.parse(invalid.body)]).toEqual([400, { error: 'Invalid name: empty' }]);
    });

    test('a function error, or an answer that is no proxy response → 502 Internal server error', async () => {
      const failing = new LocalRestApi(itemsApi, { stepFunctions: new FakeStepFunctions().stepFunctions, invokeFunction: noFunctions });
      const failed = await failing.handle(request('GET', '/items'));
      expect(failed).toMatchObject({ statusCode: 502, body: '{"message":"Internal server error"}', error: expect.stringContaining('unexpected invocation') });
      const malformed = new LocalRestApi(itemsApi, { stepFunctions: new FakeStepFunctions().stepFunctions, invokeFunction: fakeFunctions(() => 'ok').invokeFunction });
      expect((await malformed.handle(request('GET', '/items'))).statusCode).toBe(502);
    });
  });
});

describe('mapping templates: the $util functions added for sdp serve', () => {
  test('urlEncode/urlDecode as Java\'s URLEncoder (form encoding), base64Encode/base64Decode of UTF-8', () => {
    const template = '$util.urlEncode($input.path(\'$.v\'))|$util.urlDecode("a+b%26c%C3%A9")|$util.base64Encode("héllo")|$util.base64Decode("aMOpbGxv")';
    expect(renderMappingTemplate(template, { body: JSON.stringify({ v: 'a b&c=d/é*~-_.' }) }).text)
      .toBe('a+b%26c%3Dd%2F%C3%A9*%7E-_.|a b&cé|aMOpbGxv|héllo');
  });
});

describe('the HTTP server', () => {
  test('serves the API on 127.0.0.1, logs each request, and close() leaves nothing listening', async () => {
    const sfn = new FakeStepFunctions().answerNext(200, { executionArn: executionArn('job-7'), startDate: 1 });
    const log: RequestLogEntry[] = [];
    const server = await startRestApiServer({
      api: new LocalRestApi(runJobApi, { stepFunctions: sfn.stepFunctions, invokeFunction: noFunctions }), port: 0, onRequest: (entry) => log.push(entry),
    });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const response = await fetch(`${server.url}/v1/executions?x=1`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'job-7' }, body: JSON.stringify(job),
    });
    expect([response.status, response.headers.get('x-amzn-requestid'), await response.json()])
      .toEqual([200, expect.any(String), { executionArn: executionArn('job-7'), startDate: 1 }]);
    const missing = await fetch(`${server.url}/nowhere`);
    expect([missing.status, missing.headers.get('x-amzn-errortype'), await missing.text()])
      .toEqual([403, 'MissingAuthenticationTokenException', '{"message":"Missing Authentication Token"}']);
    expect(log).toEqual([
      { method: 'POST', path: '/v1/executions', status: 200, executionName: 'job-7', ms: expect.any(Number) },
      { method: 'GET', path: '/nowhere', status: 403, ms: expect.any(Number) },
    ]);

    await server.close(); // fetch kept its connection alive: close() must end it
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => { socket.destroy(); resolve('connected'); });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
