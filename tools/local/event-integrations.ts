import { randomUUID } from 'node:crypto';
import { optimisedIntegrationError } from './integration-responses';

type JsonValue = any;

/** An event a task put with `events:putEvents`: recorded, not delivered. */
export interface RecordedEvent {
  /** The execution whose task put it. */
  readonly executionArn: string;
  /** The Task state that put it. */
  readonly state: string;
  /** The id the task's result gave it. */
  readonly eventId: string;
  /** The entry as the task gave it (`Source`, `DetailType`, `Detail`, `EventBusName`, ...). */
  readonly entry: Record<string, unknown>;
}

/** PutEvents takes 1 to 10 entries: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html */
const MAX_ENTRIES = 10;

/**
 * `arn:aws:states:::events:putEvents`: records each entry for the execution and returns the PutEvents response
 * (`{ Entries: [{ EventId }], FailedEntryCount: 0 }`); a request of no entries or more than 10 fails as the API's
 * validation error, `EventBridge.AmazonEventBridgeException`.
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html
 */
export function putEvents(recorded: RecordedEvent[], executionArn: string, state: string, input: JsonValue): JsonValue {
  const entries: Record<string, unknown>[] = Array.isArray(input?.Entries) ? input.Entries : [];
  if (entries.length === 0 || entries.length > MAX_ENTRIES) {
    const invalid = Object.assign(new Error(`1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES} (got ${entries.length})`), { name: 'ValidationException' });
    throw optimisedIntegrationError(invalid, { prefix: 'EventBridge', javaService: 'AmazonEventBridge', baseException: 'AmazonEventBridgeException', named: () => false });
  }
  const ids = entries.map((entry) => {
    const eventId = randomUUID();
    recorded.push({ executionArn, state, eventId, entry });
    return { EventId: eventId };
  });
  return { Entries: ids, FailedEntryCount: 0 };
}
