import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GetExecutionHistoryOutput, HistoryEvent } from '@aws-sdk/client-sfn';

/** A history in test/fixtures/histories: the execution and GetExecutionHistory's pages. */
export interface RecordedHistory {
  readonly executionArn: string;
  readonly pages: GetExecutionHistoryOutput[];
}

/** A recorded history as the SDK hands it over: timestamps as Dates. */
export function recordedHistory(name: string): RecordedHistory {
  const file = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'histories', `${name}.json`), 'utf8')) as RecordedHistory;
  return {
    executionArn: file.executionArn,
    pages: file.pages.map((page) => ({ ...page, events: page.events!.map((e) => ({ ...e, timestamp: new Date(e.timestamp as unknown as string) })) })),
  };
}

/** Every event of the history, all pages. */
export function allEvents(history: RecordedHistory): HistoryEvent[] {
  return history.pages.flatMap((p) => p.events!);
}
