import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { listenOnLoopback, LoopbackServer } from './loopback-server';

/** A running Step Functions endpoint: handlers' `@aws-sdk/client-sfn` reach it through `AWS_ENDPOINT_URL_SFN`. */
export type StepFunctionsEndpoint = LoopbackServer;

/** What answers the endpoint's actions: the local Step Functions API (LocalStepFunctions.handle). */
export interface StepFunctionsApi {
  handle(action: string, body: string, startedBy?: string): Promise<{ statusCode: number; body: string }>;
}

/** The JSON 1.0 protocol's target header names the action: `AWSStepFunctions.<Action>`. */
const TARGET = /^AWSStepFunctions\.([A-Za-z]+)$/;

/**
 * The Step Functions API over HTTP on 127.0.0.1, as the AWS SDK calls it (the JSON 1.0 protocol: `POST /` with
 * `X-Amz-Target: AWSStepFunctions.<Action>`; errors as HTTP 400 and `{ "__type", "message" }`), so a handler that
 * starts an execution or answers a task token does it locally. What the actions do is the API's
 * ({@link StepFunctionsApi}); the endpoint only carries them. Hand-written for the same reason as the Lambda endpoint:
 * no package serves the Step Functions API in-process without Docker.
 */
export async function startStepFunctionsEndpoint(api: StepFunctionsApi): Promise<StepFunctionsEndpoint> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = TARGET.exec(String(request.headers['x-amz-target'] ?? ''));
      const answering = request.method === 'POST' && target
        ? api.handle(target[1], Buffer.concat(chunks).toString('utf8'), 'the Step Functions API')
        : Promise.resolve({ statusCode: 400, body: JSON.stringify({ __type: 'com.amazonaws.swf.service.v2.model#UnknownOperationException', message: `not a Step Functions API request (${request.method} ${request.url}, X-Amz-Target ${request.headers['x-amz-target']})` }) });
      void answering
        .catch((error: Error) => ({ statusCode: 500, body: JSON.stringify({ __type: 'com.amazonaws.swf.service.v2.model#InternalServerError', message: error.message }) }))
        .then(({ statusCode, body }) => {
          response.writeHead(statusCode, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': randomUUID() });
          response.end(body);
        });
    });
  });
  return listenOnLoopback(server);
}
