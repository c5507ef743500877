import type * as http from 'node:http';
import { LoopbackServer, serveApiOnLoopback } from '../loopback-server';
import type { LocalEventBus } from './local-event-bus';

/** A running EventBridge endpoint: handlers' `@aws-sdk/client-eventbridge` reach it through `AWS_ENDPOINT_URL_EVENTBRIDGE`. */
export type EventBridgeEndpoint = LoopbackServer;

/** PutEvents takes 1 to 10 entries: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html */
export const MAX_PUT_EVENTS_ENTRIES = 10;

/** The API's validation message for a PutEvents call of `count` entries, or undefined when the count is allowed. */
export function entryCountProblem(count: number): string | undefined {
  return count === 0 || count > MAX_PUT_EVENTS_ENTRIES
    ? `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_PUT_EVENTS_ENTRIES} (got ${count})`
    : undefined;
}

/** Who puts the events a handler sends through the endpoint, in the bus's records. */
export const EVENTBRIDGE_API = 'the EventBridge API';

/**
 * The PutEvents action of the EventBridge API over the local bus, on 127.0.0.1, so a handler that puts an event reaches
 * the app's rules. The AWS JSON 1.1 protocol, as the SDK calls it: `POST /` with `X-Amz-Target: AWSEvents.PutEvents`;
 * refusals as HTTP 400 and `{ "__type", "message" }`. Only PutEvents: other actions answer UnknownOperationException.
 * Hand-written for the reason the Lambda and Step Functions endpoints are: no package serves the API in-process.
 */
export function startEventBridgeEndpoint(bus: LocalEventBus): Promise<EventBridgeEndpoint> {
  return serveApiOnLoopback('application/x-amz-json-1.1', async (request, body) => {
    const { statusCode, body: answered } = await answer(bus, request, body);
    return { status: statusCode, body: JSON.stringify(answered) };
  }, (error) => ({ status: 500, body: JSON.stringify({ __type: 'InternalException', message: error.message }) }));
}

async function answer(bus: LocalEventBus, request: http.IncomingMessage, text: string): Promise<{ statusCode: number; body: unknown }> {
  const target = String(request.headers['x-amz-target'] ?? '');
  if (request.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
    return refusal('UnknownOperationException', `sdp's local EventBridge serves PutEvents only (got ${request.method} ${request.url}, X-Amz-Target ${target})`);
  }
  let entries: unknown;
  try {
    entries = JSON.parse(text || '{}').Entries;
  } catch {
    return refusal('SerializationException', 'Start of structure or map found where not expected.');
  }
  const list = Array.isArray(entries) ? entries : [];
  const countProblem = entryCountProblem(list.length);
  if (countProblem !== undefined) return refusal('ValidationException', countProblem);
  const { Entries, FailedEntryCount } = await bus.putEvents(list, EVENTBRIDGE_API);
  return { statusCode: 200, body: { Entries, FailedEntryCount } };
}

function refusal(type: string, message: string) {
  return { statusCode: 400, body: { __type: type, message } };
}
