import { StepFunctionsApiError } from './local-step-functions';
import { LoopbackServer, serveApiOnLoopback } from './loopback-server';

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
export function startStepFunctionsEndpoint(api: StepFunctionsApi): Promise<StepFunctionsEndpoint> {
  return serveApiOnLoopback('application/x-amz-json-1.0', async (request, body) => {
    const target = TARGET.exec(String(request.headers['x-amz-target'] ?? ''));
    const { statusCode, body: answer } = request.method === 'POST' && target
      ? await api.handle(target[1], body, 'the Step Functions API')
      : { statusCode: 400, body: apiError('UnknownOperationException', `not a Step Functions API request (${request.method} ${request.url}, X-Amz-Target ${request.headers['x-amz-target']})`) };
    return { status: statusCode, body: answer };
  }, (error) => ({ status: 500, body: apiError('InternalServerError', error.message) }));
}

/** The JSON protocol's error body. */
function apiError(name: string, message: string): string {
  return JSON.stringify(new StepFunctionsApiError(name, message));
}
