import type { LocalEventBus, PublishedEvent } from './event-bus/local-event-bus';
import { entryCountProblem } from './event-bus/event-bridge-endpoint';
import { optimisedIntegrationError } from './integration-responses';

type JsonValue = any;

/** An event a task put with `events:putEvents`, and what the local bus did with it. */
export interface RecordedEvent {
  /** The execution whose task put it. */
  readonly executionArn: string;
  /** The Task state that put it. */
  readonly state: string;
  /** The id the task's result gave it. */
  readonly eventId: string;
  /** The entry as the task gave it (`Source`, `DetailType`, `Detail`, `EventBusName`, ...). */
  readonly entry: Record<string, unknown>;
  /** The rules it matched and what was delivered to their targets. */
  readonly published: PublishedEvent;
}

/** Where a task's `events:putEvents` puts its events: the run's bus, recording them for the execution. */
export interface TaskEvents {
  readonly bus: LocalEventBus;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly recorded: RecordedEvent[];
}

const EVENTBRIDGE = { prefix: 'EventBridge', javaService: 'AmazonEventBridge', baseException: 'AmazonEventBridgeException', named: () => false };

/**
 * `arn:aws:states:::events:putEvents`: puts each entry on the run's bus, which delivers it to the rules it matches, with
 * the execution's and the state machine's ARNs appended to its `Resources`, as the optimised integration does; returns
 * the PutEvents response (`{ Entries: [{ EventId }], FailedEntryCount }`). A request of no entries or more than 10 fails
 * as the API's validation error, `EventBridge.AmazonEventBridgeException`; an entry refused fails the task with
 * `EventBridge.FailedEntry` (the others are put all the same).
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html
 */
export async function putEvents(events: TaskEvents, state: string, input: JsonValue): Promise<JsonValue> {
  const entries: Record<string, unknown>[] = Array.isArray(input?.Entries) ? input.Entries : [];
  const countProblem = entryCountProblem(entries.length);
  if (countProblem !== undefined) throw optimisedIntegrationError(Object.assign(new Error(countProblem), { name: 'ValidationException' }), EVENTBRIDGE);
  const withArns = entries.map((entry) => ({ ...entry, Resources: [...(entry.Resources as string[] | undefined) ?? [], events.executionArn, events.stateMachineArn] }));
  const { Entries, FailedEntryCount, published } = await events.bus.putEvents(withArns, state);
  let next = 0;
  Entries.forEach((result, i) => {
    if ('EventId' in result) events.recorded.push({ executionArn: events.executionArn, state, eventId: result.EventId, entry: entries[i], published: published[next++] });
  });
  if (FailedEntryCount > 0) {
    throw Object.assign(new Error(JSON.stringify({ Entries, FailedEntryCount })), { name: 'EventBridge.FailedEntry' });
  }
  return { Entries, FailedEntryCount };
}
