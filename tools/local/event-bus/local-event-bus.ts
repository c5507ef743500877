import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../assembly/intrinsics';
import { awsTime } from '../schedules/schedule-definitions';
import { matchesPattern } from './event-pattern';
import { busNameOf, EventRule } from './event-rules';
import { DeliveryReceipt } from './target-delivery';
import { BusEvent, targetInput } from './target-input';

/** A PutEvents request entry (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html). */
export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  /** A JSON object as text (the API), or the object itself (a Step Functions task's `Detail`). */
  readonly Detail?: unknown;
  readonly EventBusName?: string;
  readonly Resources?: readonly string[];
  /** When the event happened: an ISO 8601 text or a Date. @default - when it is put */
  readonly Time?: string | Date;
}

/** PutEvents' answer for one entry: its EventId, or its error. */
export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** What became of one target of a matched rule. */
export interface TargetDelivery {
  readonly target: string;
  readonly arn: string;
  /** The execution the delivery started, when the target is a state machine. */
  readonly executionArn?: string;
  /** Why it was not delivered. */
  readonly error?: string;
}

/** What became of an event put on the local bus: the rules it matched, each with its targets' deliveries. */
export interface PublishedEvent {
  readonly event: BusEvent;
  readonly busName: string;
  /** Who put it: a Task state, or `the EventBridge API` for a handler's PutEvents. */
  readonly putBy: string;
  /** The bus is not one of the app's: nothing sees the event (PutEvents accepts it all the same, as AWS does). */
  readonly unknownBus: boolean;
  readonly rules: ReadonlyArray<{ readonly rule: string; readonly deliveries: readonly TargetDelivery[] }>;
}

/** Delivers a target's input text (see target-delivery.ts). */
export type TargetDeliverer = (arn: string, text: string, startedBy: string) => Promise<DeliveryReceipt>;

/**
 * The app's event buses on this machine: PutEvents builds each entry's event as EventBridge does, matches it against
 * the rules of its bus (enabled, with nothing the local run cannot do) and delivers it to each matching rule's targets.
 * Unlike AWS, the delivery is done before PutEvents answers, so a run sees what an event started; a target that is
 * refused (one of another service, a missing resource) is named in the event's record, not retried.
 */
export class LocalEventBus {
  private readonly published: PublishedEvent[] = [];
  private readonly listeners: Array<(published: PublishedEvent) => void> = [];

  constructor(
    /** The app's rules with event patterns. */
    readonly rules: readonly EventRule[],
    /** The names of the app's buses, `default` included. */
    private readonly busNames: readonly string[],
    private readonly deliver: TargetDeliverer,
  ) {}

  /**
   * PutEvents: each entry validated (Source, DetailType and Detail are required, Detail a JSON object), built into an event
   * and delivered. An entry for a bus the app does not have is accepted with an EventId and reaches nothing, as AWS does
   * (https://github.com/aws/aws-sdk/issues/186); its record says so.
   */
  async putEvents(entries: readonly PutEventsEntry[], putBy: string): Promise<{ Entries: PutEventsResultEntry[]; FailedEntryCount: number; published: PublishedEvent[] }> {
    const results: PutEventsResultEntry[] = [];
    const published: PublishedEvent[] = [];
    for (const entry of entries) {
      const problem = entryProblem(entry);
      if (problem) {
        results.push(problem);
        continue;
      }
      const record = await this.publish(entry, putBy);
      published.push(record);
      results.push({ EventId: record.event.id });
    }
    return { Entries: results, FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, published };
  }

  /** One line per thing of a rule the local run cannot do (such a rule matches nothing), to say before anything runs. */
  unsupportedRules(): string[] {
    return this.rules.flatMap((rule) => rule.unsupported.map((problem) => `rule ${rule.path} does not run locally: ${problem}`));
  }

  /** Every event put so far, in order. */
  events(): readonly PublishedEvent[] {
    return this.published;
  }

  /** Calls `listener` with each event put, once delivered. */
  onPublished(listener: (published: PublishedEvent) => void): void {
    this.listeners.push(listener);
  }

  private async publish(entry: PutEventsEntry, putBy: string): Promise<PublishedEvent> {
    const busName = busNameOf(entry.EventBusName);
    const now = new Date();
    const event: BusEvent = {
      'version': '0',
      'id': randomUUID(),
      'detail-type': String(entry.DetailType),
      'source': String(entry.Source),
      'account': LOCAL_ACCOUNT,
      'time': awsTime(eventTime(entry.Time, now)),
      'region': LOCAL_REGION,
      'resources': [...entry.Resources ?? []],
      'detail': typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : entry.Detail,
    };
    const matched = this.rules.filter((rule) => rule.busName === busName && rule.enabled && rule.unsupported.length === 0 && matchesPattern(rule.pattern, event));
    const rules = [];
    for (const rule of matched) {
      const deliveries: TargetDelivery[] = [];
      for (const target of rule.targets) {
        try {
          const receipt = await this.deliver(target.arn, targetInput(target, event, rule, awsTime(now)), `rule ${rule.path}`);
          deliveries.push({ target: target.id, arn: target.arn, ...receipt.executionArn && { executionArn: receipt.executionArn } });
        } catch (error) {
          deliveries.push({ target: target.id, arn: target.arn, error: (error as Error).message });
        }
      }
      rules.push({ rule: rule.path, deliveries });
    }
    const record: PublishedEvent = { event, busName, putBy, unknownBus: !this.busNames.includes(busName), rules };
    this.published.push(record);
    for (const listener of this.listeners) listener(record);
    return record;
  }
}

/** The lines a log shows for an event put on a local bus: who put it where, then each rule it matched with what it delivered. */
export function publishedEventLines({ event, busName, putBy, unknownBus, rules }: PublishedEvent): string[] {
  const head = `event ${event.source} ${event['detail-type']} put by ${putBy} on the ${busName} bus`;
  if (unknownBus) return [`${head}, which the app does not have: no rule sees it`];
  if (rules.length === 0) return [`${head}: no rule matched`];
  const lines = rules.flatMap(({ rule, deliveries }) => (deliveries.length === 0 ? [`  rule ${rule}: no target`] : deliveries.map((d) => {
    const outcome = d.error !== undefined ? `not delivered: ${d.error}` : d.executionArn !== undefined ? `started ${d.executionArn.split(':').slice(-1)[0]}` : 'delivered';
    return `  rule ${rule} → ${d.target} ${d.arn}: ${outcome}`;
  })));
  return [`${head}: ${rules.length} rule(s) matched`, ...lines];
}

/** The entry's Time, or when it was put when it has none (or none that reads as a time). */
function eventTime(time: string | Date | undefined, now: Date): Date {
  const at = time === undefined ? now : new Date(time);
  return Number.isNaN(at.getTime()) ? now : at;
}

/** Why PutEvents refuses an entry, as the API answers it per entry; undefined when it takes it. */
function entryProblem(entry: PutEventsEntry): PutEventsResultEntry | undefined {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    if (entry[field] === undefined || entry[field] === '') {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.` };
    }
  }
  let detail = entry.Detail;
  if (typeof detail === 'string') {
    try {
      detail = JSON.parse(detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return undefined;
}
