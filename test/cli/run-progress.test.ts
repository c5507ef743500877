import type { MapRunProgress } from '../../tools/local/distributed-map';
import { mapRunProgressPrinter, PROGRESS_LINE_INTERVAL_MS } from '../../tools/cli/commands/run-progress';

// How `sdp run` shows a distributed Map's progress on stderr: a bar redrawn in place on a terminal, a line every
// few seconds otherwise. The clock is injected; the rate and time left come from the progress's own timestamps.
const STARTED = 1_000_000;

function progress(doneItems: number, seconds: number, more: Partial<MapRunProgress> = {}): MapRunProgress {
  return {
    mapRunArn: 'arn:aws:states:us-east-1:000000000000:mapRun:Job/Map:1', stateName: 'Map', status: 'RUNNING',
    totalItems: 200_000, doneItems, failedItems: 0, totalChildren: 200, doneChildren: doneItems / 1000,
    startedAt: STARTED, at: STARTED + seconds * 1000, ...more,
  };
}

function printer(isTTY: boolean) {
  const printed = { stderr: '' };
  let clock = 0;
  const print = mapRunProgressPrinter({ stderr: { write: (text: string) => (printed.stderr += text), isTTY }, now: () => clock });
  return { printed, print, advance: (ms: number) => (clock += ms) };
}

describe('not a terminal: a line at the start, every few seconds, and at the end', () => {
  test('items done of the total, failed, rate and time left; reports in between are not printed', () => {
    const { printed, print, advance } = printer(false);
    print(progress(0, 0));
    advance(1000);
    print(progress(20_000, 1)); // within the interval: not printed
    advance(PROGRESS_LINE_INTERVAL_MS);
    print(progress(100_000, 6, { failedItems: 1000 }));
    advance(1000);
    print(progress(200_000, 8, { status: 'SUCCEEDED', failedItems: 1000 }));
    expect(printed.stderr.split('\n')).toEqual([
      'map run Map: 0/200,000 items (0 %), 0 failed, 0 items/s, time left unknown',
      'map run Map: 100,000/200,000 items (50 %), 1,000 failed, 16,667 items/s, 6.0 s left',
      'map run Map SUCCEEDED: 200,000/200,000 items (100 %), 1,000 failed, 25,000 items/s, 8.0 s',
      '',
    ]);
  });
});

describe('a terminal: a bar redrawn in place', () => {
  test('each redraw returns to the line\'s start and clears the rest; the last one ends the line', () => {
    const { printed, print, advance } = printer(true);
    print(progress(0, 0));
    advance(50);
    print(progress(1000, 0.05)); // within 100 ms of the last draw: not drawn
    advance(100);
    print(progress(50_000, 2));
    advance(100);
    print(progress(200_000, 4, { status: 'FAILED', failedItems: 3 }));
    expect(printed.stderr).toBe([
      `\rMap [${'-'.repeat(30)}]   0 % 0/200,000 items, 0 items/s, time left unknown\x1b[K`,
      `\rMap [${'#'.repeat(7)}${'-'.repeat(23)}]  25 % 50,000/200,000 items, 25,000 items/s, 6.0 s left\x1b[K`,
      `\rMap [${'#'.repeat(30)}] 100 % 200,000/200,000 items, 3 failed, 50,000 items/s, 4.0 s\x1b[K\n`,
    ].join(''));
  });
});
