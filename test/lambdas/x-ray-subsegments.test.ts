import { spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { handlerBundlesDir } from '../../lib/core/handler-code';
import { constructPath, functionCodeDir, readCloudAssembly, selectStack } from '../../tools/assembly/cloud-assembly';
import { exampleAssembly } from '../support/example-app';

// The bundles as Lambda runs them, each in a process of its own with Lambda's environment: an X-Ray daemon stand-in
// (UDP) receives what the X-Ray SDK sends, an HTTP stand-in answers the AWS calls. A child process, because the
// X-Ray SDK's context tracking (an async hook) would stay enabled in the test worker.

/** X-Ray documents by trace id. */
const documents = new Map<string, Record<string, any>[]>();
const daemon = dgram.createSocket('udp4');
daemon.on('message', (message) => {
  // Each datagram is a header line, then one segment or subsegment document.
  for (const line of String(message).split('\n').slice(1)) {
    const document = JSON.parse(line);
    documents.set(document.trace_id, [...documents.get(document.trace_id) ?? [], document]);
  }
});

/** Answers each service's calls with the least its SDK client accepts. */
const aws = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => { body += chunk; });
  request.on('end', () => {
    if (request.url!.startsWith('/2015-03-31/functions/')) {
      const { instance, concurrency } = JSON.parse(body);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ warmed: true, instance, concurrency, coldStart: true }));
    } else if (String(request.headers['x-amz-target']).startsWith('DynamoDB_20120810.')) {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
    } else if (body.includes('Action=PublishBatch')) {
      response.writeHead(200, { 'content-type': 'text/xml' }).end('<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult>'
        + '<Successful><member><Id>0</Id><MessageId>m-0</MessageId></member></Successful><Failed/></PublishBatchResult></PublishBatchResponse>');
    } else if (request.method === 'GET' && request.url!.split('?')[0] === '/jobs/traced.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ word: 'apple' }, { word: 'fig' }]));
    } else {
      response.writeHead(400).end(`no stand-in for ${request.method} ${request.url}`);
    }
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => aws.listen(0, '127.0.0.1', resolve));
});
afterAll(() => {
  daemon.close();
  aws.close();
});

/** One trace per invocation, so each one's documents are told apart. */
const traceIds = {
  warmer: 'Root=1-6a000000-000000000000000000000001',
  splitter: 'Root=1-6a000000-000000000000000000000002',
  worker: 'Root=1-6a000000-000000000000000000000003',
  local: 'Root=1-6a000000-000000000000000000000004',
};
const PARENT = '53995c3f42cd8ad8';

/** Runs the bundle's handler once in a new process and returns its result. */
function invoke(bundle: string, event: unknown, traceId: string, environment: Record<string, string>, onLambda = true): Promise<unknown> {
  const endpoint = `http://127.0.0.1:${(aws.address() as AddressInfo).port}`;
  const env = {
    PATH: process.env.PATH!,
    // The bundles leave @aws-sdk/* to the runtime: here, this repository's.
    NODE_PATH: path.join(__dirname, '..', '..', 'node_modules'),
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', POWERTOOLS_LOG_LEVEL: 'ERROR',
    AWS_ENDPOINT_URL: endpoint,
    // What Lambda sets for a function with active tracing; without AWS_EXECUTION_ENV the Tracer is off.
    ...onLambda && { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', LAMBDA_TASK_ROOT: path.dirname(bundle) },
    _X_AMZN_TRACE_ID: `${traceId};Parent=${PARENT};Sampled=1`,
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    ...environment,
  };
  const context = '{ functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: "req", getRemainingTimeInMillis: () => 30000 }';
  const script = `require(${JSON.stringify(bundle)}).handler(${JSON.stringify(event)}, ${context}).then((result) => process.stdout.write(JSON.stringify(result)))`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`${path.basename(path.dirname(bundle))} exited ${code}: ${stderr}`))));
  });
}

/** The AWS calls of a trace, as X-Ray shows them: `Service Operation`, sorted. */
async function awsCalls(traceId: string, expected: number): Promise<string[]> {
  const root = traceId.slice('Root='.length);
  // The datagrams may trail the process's exit by a moment.
  for (let wait = 0; (documents.get(root)?.length ?? 0) < expected && wait < 50; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
  const calls = documents.get(root) ?? [];
  expect(calls.every((call) => call.type === 'subsegment' && call.parent_id === PARENT && call.namespace === 'aws')).toBe(true);
  return calls.map((call) => `${call.name} ${call.aws.operation}`).sort();
}

describe('the warmer, splitter and worker send each AWS call to X-Ray as a subsegment of the function\'s trace', () => {
  const warmerInput = { targets: [{ functionName: 'words', concurrency: 2 }], holdMs: 0 };
  let results: Record<keyof typeof traceIds, unknown>;

  // The four processes run at once: a second or two in all.
  beforeAll(async () => {
    const warmer = path.join(handlerBundlesDir(), 'warmer', 'index.js');
    const fanOut = selectStack(readCloudAssembly(exampleAssembly().assemblyDir), 'FanOutExample');
    const workerId = Object.keys(fanOut.template.Resources).find((id) => constructPath(fanOut, id) === 'FanOutExample/Work/Words/Worker')!;
    const worker = path.join(functionCodeDir(fanOut, workerId)!, 'index.js');
    const chunk = { jobId: 'traced', chunkIndex: 0, items: [{ word: 'apple' }, { word: 'fig' }] };
    const sqsEvent = { Records: [{ messageId: 'm-0', body: JSON.stringify(chunk), attributes: { ApproximateReceiveCount: '1' }, eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:work' }] };
    const [warmed, split, processed, warmedLocally] = await Promise.all([
      invoke(warmer, warmerInput, traceIds.warmer, { AWS_LAMBDA_FUNCTION_NAME: 'warmer' }),
      invoke(path.join(handlerBundlesDir(), 'split-job', 'index.js'), { jobId: 'traced', itemsUri: 's3://jobs/traced.json' }, traceIds.splitter, {
        AWS_LAMBDA_FUNCTION_NAME: 'splitter', JOB_TABLE_NAME: 'Jobs', TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:work',
      }),
      invoke(worker, sqsEvent, traceIds.worker, {
        AWS_LAMBDA_FUNCTION_NAME: 'worker', RESULT_TABLE_NAME: 'Results', IDEMPOTENCY_TABLE_NAME: 'Idempotency', JOB_TABLE_NAME: 'Jobs',
      }),
      invoke(warmer, warmerInput, traceIds.local, { AWS_LAMBDA_FUNCTION_NAME: 'warmer' }, false),
    ]);
    results = { warmer: warmed, splitter: split, worker: processed, local: warmedLocally };
  });

  test('the warmer: each Invoke', async () => {
    expect(results.warmer).toEqual([{ functionName: 'words', invoked: 2, warmed: 2, coldStarts: 2, failed: 0 }]);
    expect(await awsCalls(traceIds.warmer, 2)).toEqual(['Lambda Invoke', 'Lambda Invoke']);
  });

  test('the splitter: the job file read from S3, the job record, the publish', async () => {
    expect(results.splitter).toEqual({ jobId: 'traced', chunks: 1, items: 2 });
    expect(await awsCalls(traceIds.splitter, 3)).toEqual(['DynamoDB PutItem', 'S3 GetObject', 'SNS PublishBatch']);
  });

  test('the example\'s worker: the idempotency record (put, then updated), the results, the chunk record and its count', async () => {
    expect(results.worker).toEqual({ batchItemFailures: [] });
    expect(await awsCalls(traceIds.worker, 5)).toEqual(['DynamoDB BatchWriteItem', 'DynamoDB PutItem', 'DynamoDB PutItem', 'DynamoDB UpdateItem', 'DynamoDB UpdateItem']);
  });

  test('outside Lambda (no AWS_EXECUTION_ENV) the Tracer is off: the same calls answered, no X-Ray document', async () => {
    expect(results.local).toEqual(results.warmer);
    // Checked after the other traces' documents arrived (the tests run in order), which were sent at the same time.
    expect(await awsCalls(traceIds.local, 0)).toEqual([]);
  });
});
