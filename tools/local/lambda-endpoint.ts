import type * as http from 'node:http';
import { ApiAnswer, LoopbackServer, serveApiOnLoopback } from './loopback-server';
import { LambdaFunctionError, LambdaServiceError, LocalLambdaRuntime } from './local-lambda';

/** A running Lambda endpoint: handlers' `@aws-sdk/client-lambda` reach it through `AWS_ENDPOINT_URL_LAMBDA`. */
export type LambdaEndpoint = LoopbackServer;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * The Invoke action of the Lambda API (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) over the local
 * runtime, on 127.0.0.1, so a handler that invokes another function (the warmer) does it locally. `RequestResponse`
 * answers 200 with the result, or with `X-Amz-Function-Error: Unhandled` and `{ errorType, errorMessage, trace }`;
 * `Event` answers 202 and runs in the background (Lambda's queue and its two retries are not modelled); `DryRun` 204.
 * Refusals answer as the REST-JSON protocol does: the status, `x-amzn-ErrorType` and `{ Type, message }`. Only Invoke:
 * other actions answer 404 UnknownOperationException. Hand-written: no package serves the Lambda API in-process
 * without Docker.
 */
export async function startLambdaEndpoint(lambda: LocalLambdaRuntime): Promise<LambdaEndpoint> {
  const background = new Set<Promise<unknown>>();
  async function answer(request: http.IncomingMessage, text: string): Promise<ApiAnswer> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = request.method === 'POST' ? INVOKE_PATH.exec(url.pathname) : null;
    if (!match) return refusal(404, 'UnknownOperationException', `sdp's local Lambda serves Invoke only (got ${request.method} ${url.pathname})`);
    const qualifier = url.searchParams.get('Qualifier');
    const functionName = decodeURIComponent(match[1]) + (qualifier ? `:${qualifier}` : '');
    const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    let payload: unknown;
    try {
      payload = text === '' ? {} : JSON.parse(text);
    } catch {
      return refusal(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    try {
      lambda.logicalIdOf(functionName);
      if (type === 'DryRun') return { status: 204, body: '' };
      if (type === 'Event') {
        // The function's errors show in its stats and on stderr, as they would in its log group.
        const run = lambda.invoke(functionName, payload).catch(() => undefined);
        background.add(run);
        void run.finally(() => background.delete(run));
        return { status: 202, body: '' };
      }
      const result = await lambda.invoke(functionName, payload);
      return { status: 200, headers: { 'X-Amz-Executed-Version': '$LATEST' }, body: JSON.stringify(result) };
    } catch (error) {
      if (error instanceof LambdaServiceError) {
        return refusal(error.statusCode, error.errorCode, error.message, error.reason && { Reason: error.reason });
      }
      if (error instanceof LambdaFunctionError) return { status: 200, headers: { 'X-Amz-Function-Error': 'Unhandled' }, body: error.message };
      return refusal(500, 'ServiceException', (error as Error).message);
    }
  }

  const listening = await serveApiOnLoopback('application/json', answer, (error) => refusal(500, 'ServiceException', error.message));
  return {
    endpoint: listening.endpoint,
    close: async () => {
      await Promise.allSettled([...background]);
      await listening.close();
    },
  };
}

function refusal(status: number, type: string, message: string, extra?: Record<string, string>) {
  return { status, headers: { 'x-amzn-ErrorType': type }, body: JSON.stringify({ Type: 'User', message, ...extra }) };
}
