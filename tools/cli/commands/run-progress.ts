import type { MapRunProgress } from '../../local/distributed-map';
import type { CommandIo } from './command';

/** How often a progress line is printed when stderr is not a terminal (a log, a CI job). */
export const PROGRESS_LINE_INTERVAL_MS = 5_000;
/** How often the progress bar is redrawn on a terminal. */
const BAR_REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 30;

/**
 * A callback for {@link LocalExecutionRequest.onProgress} that shows each map run's progress on stderr: items done of
 * the total, failed items, rate and time left. On a terminal, a bar redrawn in place (at most every 100 ms) and
 * ended with its outcome; otherwise a line when the map run starts, every 5 s, and when it ends.
 */
export function mapRunProgressPrinter(io: Pick<CommandIo, 'stderr' | 'now'>): (progress: MapRunProgress) => void {
  const printedAt = new Map<string, number>();
  return (progress) => {
    const now = io.now();
    const ended = progress.status !== 'RUNNING';
    const last = printedAt.get(progress.mapRunArn);
    const interval = io.stderr.isTTY ? BAR_REDRAW_INTERVAL_MS : PROGRESS_LINE_INTERVAL_MS;
    if (!ended && last !== undefined && now - last < interval) return;
    printedAt.set(progress.mapRunArn, now);
    // On a terminal: back to the line's start, the bar, the rest of the line cleared; a new line once it ended.
    io.stderr.write(io.stderr.isTTY ? `\r${progressBar(progress)}\x1b[K${ended ? '\n' : ''}` : `${progressLine(progress)}\n`);
  };
}

/** `map run WordsMap: 90,000/200,000 items (45 %), 3 failed, 12,000 items/s, 9 s left`; once ended, its status and time. */
export function progressLine(progress: MapRunProgress): string {
  const { stateName, status, doneItems, totalItems, failedItems } = progress;
  const head = status === 'RUNNING' ? `map run ${stateName}` : `map run ${stateName} ${status}`;
  return `${head}: ${count(doneItems)}/${count(totalItems)} items (${percent(progress)} %), ${count(failedItems)} failed, ${rateAndTime(progress)}`;
}

/** `WordsMap [#############-----------------]  45 % 90,000/200,000 items, 12,000 items/s, 9 s left`. */
export function progressBar(progress: MapRunProgress): string {
  const { stateName, doneItems, totalItems, failedItems } = progress;
  const filled = totalItems === 0 ? BAR_WIDTH : Math.floor((doneItems / totalItems) * BAR_WIDTH);
  const failed = failedItems > 0 ? `, ${count(failedItems)} failed` : '';
  return `${stateName} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(percent(progress)).padStart(3)} % `
    + `${count(doneItems)}/${count(totalItems)} items${failed}, ${rateAndTime(progress)}`;
}

function percent({ doneItems, totalItems }: MapRunProgress): number {
  return totalItems === 0 ? 100 : Math.floor((doneItems / totalItems) * 100);
}

/** Items per second since the map run started, and the time left at that rate (the time taken, once it ended). */
function rateAndTime(progress: MapRunProgress): string {
  const seconds = (progress.at - progress.startedAt) / 1000;
  const rate = seconds > 0 ? progress.doneItems / seconds : 0;
  const perSecond = `${count(Math.round(rate))} items/s`;
  if (progress.status !== 'RUNNING') return `${perSecond}, ${duration(seconds)}`;
  return `${perSecond}, ${rate > 0 ? `${duration((progress.totalItems - progress.doneItems) / rate)} left` : 'time left unknown'}`;
}

function duration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
