import { constructPath } from '../../assembly/cloud-assembly';
import { LocalApp } from '../../local/local-app';
import type { ScheduleMode } from '../../local/local-app';
import { CommandIo, EXIT } from './command';
import { FunctionSummary, functionLine, functionSummary } from './run-locally';
import type { ObjectToPut } from './run';
import type { FunctionStats } from '../../local/local-lambda';
import type { LoopbackServer } from '../../local/loopback-server';
import { startWebView } from '../../web-view/web-view-server';

export interface LocalServeRequest {
  readonly assemblyDir: string;
  readonly stackName: string;
  readonly port: number;
  /** Port of the web view; 0 for any free port. */
  readonly viewPort: number;
  readonly schedules: ScheduleMode;
  readonly visibilityTimeoutSeconds: number;
  readonly maxWaitSeconds: number;
  /** @default - real time */
  readonly timeScale?: number;
  readonly putObjects?: readonly ObjectToPut[];
}

/** A function in the summary: {@link FunctionSummary} and what idling and warm-ups did to its instances. */
export type ServedFunctionSummary = FunctionSummary & Pick<FunctionStats, 'warmUps' | 'coldStartsSaved' | 'reclaimed' | 'instances'>;

/** How many next firings are printed at start-up. */
const FIRINGS_SHOWN = 5;

/** How long running executions get to finish once the user stops the server. */
const STOP_GRACE_MS = 10_000;

/**
 * Serves the stack until interrupted (see {@link LocalApp}): prints what it serves and the next firings, one line per
 * request, firing and finished execution; on stop, the summary on stdout. Exit status 0 once stopped.
 */
export async function serveLocally(request: LocalServeRequest, io: CommandIo): Promise<number> {
  const log = (line: string) => io.stderr.write(`${new Date(io.now()).toISOString().slice(11, 19)} ${line}\n`);
  const app = await LocalApp.start({
    assemblyDir: request.assemblyDir,
    stackName: request.stackName,
    port: request.port,
    schedules: request.schedules,
    visibilityTimeoutSeconds: request.visibilityTimeoutSeconds,
    maxWaitSeconds: request.maxWaitSeconds,
    timeScale: request.timeScale,
    putObjects: request.putObjects,
    log,
  });
  let interrupted: string;
  let webView: LoopbackServer | undefined;
  try {
    webView = await startWebView(app, request.viewPort);
    io.stderr.write(banner(app, request));
    io.stderr.write(`web view at ${webView.endpoint}/ (the state machines and this session's executions)\n`);
    interrupted = await (io.interrupted ?? processInterrupted)();
  } catch (error) {
    await webView?.close();
    await app.stop(0);
    throw error;
  }
  io.stderr.write(`${interrupted}: stopping (running executions get ${STOP_GRACE_MS / 1000} s)\n`);
  const stillRunning = await app.stop(STOP_GRACE_MS);
  await webView.close();
  if (stillRunning > 0) io.stderr.write(`${stillRunning} execution(s) were still running and were stopped with the engines\n`);
  const functions: Record<string, ServedFunctionSummary> = {};
  for (const [logicalId, stats] of Object.entries(app.runner.lambda.stats())) {
    if (stats.invocations + stats.throttles === 0) continue;
    const path = constructPath(app.runner.stack, logicalId);
    const { warmUps, coldStartsSaved, reclaimed, instances } = stats;
    functions[path] = { ...functionSummary(stats), warmUps, coldStartsSaved, reclaimed, instances };
    const warm = warmUps > 0 ? `; ${warmUps} warm-up call(s), ${instances} instance(s) warm at the end, ${coldStartsSaved} cold start(s) saved` : '';
    io.stderr.write(`${functionLine(path, functions[path])}${stats.reclaimed ? `, ${stats.reclaimed} idle instance(s) reclaimed` : ''}${warm}\n`);
  }
  io.stdout.write(`${JSON.stringify({ ...app.summary(), functions })}\n`);
  return EXIT.succeeded;
}

/** The first SIGINT or SIGTERM: its name. */
function processInterrupted(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function banner(app: LocalApp, request: LocalServeRequest): string {
  const lines = [`serving ${request.stackName} locally; Ctrl-C stops`];
  for (const api of app.apis) {
    lines.push(`API ${api.path} at ${api.url} (the routes of its stage; IAM authorization accepted without a signature)`);
    for (const route of api.routes) lines.push(`  ${route}`);
    for (const problem of api.unsupported) lines.push(`  not served: ${problem}`);
  }
  if (request.schedules === 'off') {
    lines.push('schedules: off');
  } else if (app.scheduler) {
    lines.push(`schedules: ${request.schedules === 'fast' ? 'fast (60 times real time)' : 'on'}; next firings:`);
    for (const { schedule, at } of app.scheduler.upcoming(FIRINGS_SHOWN)) lines.push(`  ${at.toISOString()}  ${schedule.path}  ${schedule.expression}`);
  }
  for (const schedule of app.schedules) {
    for (const problem of schedule.unsupported) lines.push(`  not run: ${schedule.path}: ${problem}`);
    if (schedule.flexibleWindowMinutes) lines.push(`  ${schedule.path}: fires at its scheduled time locally, not spread over its ${schedule.flexibleWindowMinutes}-minute flexible window`);
  }
  return `${lines.join('\n')}\n`;
}
