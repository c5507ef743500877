import * as fs from 'node:fs';
import * as http from 'node:http';
import { constructPath } from '../assembly/cloud-assembly';
import { toMermaid } from '../diagram/mermaid';
import { toHistoryEvents } from '../local/history-events';
import { localWaitsOf } from '../local/interpreter';
import type { LocalApp } from '../local/local-app';
import { localExecutionTrace } from '../local/local-trace';
import type { ExecutionRecord } from '../local/local-step-functions';
import { listenOnLoopback, LoopbackServer } from '../local/loopback-server';
import { buildTrace } from '../trace/execution-trace';
import { ExecutionView, executionView, JobView, QueueView } from './execution-view';
import { ASSET_PATHS, CLIENT_ASSETS, DEFAULT_WEB_VIEW_PORT, mermaidScriptPath, servedPage } from './page';

/** An execution in the session's list. */
export interface SessionExecution {
  readonly name: string;
  /** Its page: `/executions/<name>`, with `?arn=<execution arn>` when another execution of the session has its name. */
  readonly path: string;
  /** The state machine's construct path. */
  readonly stateMachine: string;
  readonly status: string;
  readonly start: number;
  readonly durationMs?: number;
  readonly startedBy?: string;
  /** The fan-out job the execution ran (its job id is the execution's name), once it stopped. */
  readonly jobs?: readonly JobView[];
}

/** What `/api/session` answers: the stack's state machines with their diagrams, the session's executions newest first. */
export interface SessionView {
  readonly stack: string;
  readonly stateMachines: ReadonlyArray<{ readonly id: string; readonly diagram: string }>;
  readonly executions: readonly SessionExecution[];
  /** What the workers did since serve started, per queue they drain. */
  readonly queues?: readonly QueueView[];
}

/**
 * Serves the web view of a local app on 127.0.0.1: `/` the session (state machines and executions), `/executions/<name>`
 * an execution, from `/api/session` and `/api/executions/<name>` (JSON, read again by the page while things change), and
 * the page's script, styles and Mermaid from the package.
 */
export async function startWebView(app: LocalApp, port = DEFAULT_WEB_VIEW_PORT): Promise<LoopbackServer> {
  const views = new WebViewData(app);
  const server = http.createServer((request, response) => {
    // A page of another site whose name was made to resolve to 127.0.0.1 (DNS rebinding) asks with its own Host: not answered.
    if (!isLoopbackHost(request.headers.host)) {
      response.writeHead(403, { 'Content-Type': TEXT });
      response.end('the web view answers requests for 127.0.0.1 or localhost only');
      return;
    }
    void answer(views, request.method ?? 'GET', new URL(request.url ?? '/', 'http://127.0.0.1'))
      .then(({ status, type, body }) => {
        response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
        response.end(body);
      }, (error: unknown) => {
        response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        response.end(`the web view failed: ${(error as Error).message}`);
      });
  });
  return listenOnLoopback(server, port);
}

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body: string | Buffer;
}

/** Whether a request's Host header names this machine (as the page is reached on it: 127.0.0.1 or localhost). */
function isLoopbackHost(host: string | undefined): boolean {
  try {
    return ['127.0.0.1', 'localhost'].includes(new URL(`http://${host}`).hostname);
  } catch {
    return false;
  }
}

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const JAVASCRIPT = 'text/javascript; charset=utf-8';

async function answer(views: WebViewData, method: string, url: URL): Promise<Answer> {
  const { pathname } = url;
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, type: TEXT, body: 'the web view only answers GET' };
  const execution = /^\/(api\/)?executions\/([^/]+)$/.exec(pathname);
  if (pathname === '/') return { status: 200, type: HTML, body: servedPage(`${views.stackName}: the local run`, 'session', '/api/session') };
  if (pathname === '/api/session') return { status: 200, type: JSON_TYPE, body: JSON.stringify(await views.session()) };
  if (execution) {
    const name = decodeURIComponent(execution[2]);
    // Names repeat (an Express workflow's, two state machines'): the ARN tells which; without it, the newest of that name.
    const arn = url.searchParams.get('arn') ?? undefined;
    if (!execution[1]) return { status: 200, type: HTML, body: servedPage(name, 'execution', `/api${executionPath(name, arn)}`) };
    const view = await views.execution(name, arn);
    return view ? { status: 200, type: JSON_TYPE, body: JSON.stringify(view) } : { status: 404, type: TEXT, body: `no execution '${name}' in this session` };
  }
  if (pathname === ASSET_PATHS.script) return { status: 200, type: JAVASCRIPT, body: assetFile(CLIENT_ASSETS.script) };
  if (pathname === ASSET_PATHS.css) return { status: 200, type: 'text/css; charset=utf-8', body: assetFile(CLIENT_ASSETS.css) };
  if (pathname === ASSET_PATHS.mermaid) {
    const mermaid = mermaidScriptPath();
    return mermaid
      ? { status: 200, type: JAVASCRIPT, body: assetFile(mermaid) }
      // The page then shows the charts' source.
      : { status: 200, type: JAVASCRIPT, body: 'console.warn("sdp serve: install mermaid (npm install mermaid) to draw the diagrams");' };
  }
  return { status: 404, type: TEXT, body: `the web view has no page ${pathname}` };
}

const assetFiles = new Map<string, Buffer>();

/** A file the pages load, read once: Mermaid's script alone is 5.5 MB, asked for by every page. */
function assetFile(file: string): Buffer {
  let body = assetFiles.get(file);
  if (!body) assetFiles.set(file, body = fs.readFileSync(file));
  return body;
}

/** The page of an execution, by name, and by ARN too when given. */
function executionPath(name: string, arn: string | undefined): string {
  return `/executions/${encodeURIComponent(name)}${arn === undefined ? '' : `?arn=${encodeURIComponent(arn)}`}`;
}

/** The views of the app's session, each made from the executions' records as they are when asked. */
class WebViewData {
  readonly stackName: string;
  /** A stopped execution's job accounts do not change: read once. */
  private readonly stoppedJobs = new Map<string, Promise<JobView[] | undefined>>();
  /** The app's state machines and their diagrams, made on the first ask: the app does not change while serve runs. */
  private stateMachines?: SessionView['stateMachines'];

  constructor(private readonly app: LocalApp) {
    this.stackName = app.runner.stack.name;
  }

  async session(): Promise<SessionView> {
    const { runner } = this.app;
    const records = runner.stepFunctions.list();
    const named = new Map<string, number>();
    for (const { name } of records) named.set(name, (named.get(name) ?? 0) + 1);
    const reads = new EngineReads(this.app);
    const executions = await Promise.all(records.map(async (record): Promise<SessionExecution> => {
      const jobs = await this.jobsOf(record, reads);
      return {
        name: record.name,
        path: executionPath(record.name, named.get(record.name)! > 1 ? record.executionArn : undefined),
        stateMachine: constructPath(runner.stack, record.stateMachine),
        status: record.status,
        start: record.startDate,
        ...record.stopDate !== undefined && { durationMs: record.stopDate - record.startDate },
        ...record.startedBy !== undefined && { startedBy: record.startedBy },
        ...jobs && { jobs },
      };
    }));
    const queues = await this.queues(reads);
    this.stateMachines ??= runner.stateMachines().map((logicalId) => ({ id: constructPath(runner.stack, logicalId), diagram: toMermaid(runner.definitionOf(logicalId)) }));
    return {
      stack: this.stackName,
      stateMachines: this.stateMachines,
      executions,
      ...queues && { queues },
    };
  }

  /**
   * The workers' queues: messages processed and deliveries failed since serve started, messages in the dead-letter
   * queue now; undefined when no worker runs.
   */
  private async queues(reads: EngineReads): Promise<QueueView[] | undefined> {
    const { runner } = this.app;
    const progress = runner.workerProgress();
    if (progress.length === 0) return undefined;
    const deadLetters = await reads.deadLetters();
    return progress.map(({ queue, deadLetterQueue, stats }) => {
      const dead = deadLetterQueue === undefined ? undefined : deadLetters[deadLetterQueue];
      return { path: constructPath(runner.stack, queue), processed: stats.processed, failed: stats.failedRecords, deadLettered: dead ? dead.messages + dead.unread : 0 };
    });
  }

  /**
   * The execution of that name and ARN, or without the ARN the newest of that name (an Express workflow's names repeat,
   * and two state machines' may), as the events so far tell it.
   */
  async execution(name: string, executionArn?: string): Promise<ExecutionView | undefined> {
    const { runner } = this.app;
    const record = runner.stepFunctions.list().find((r) => r.name === name && (executionArn === undefined || r.executionArn === executionArn));
    if (!record) return undefined;
    const { result } = record;
    // Once it stopped, the whole trace: map runs, waits, nested executions under their tasks; while it runs, the events so far.
    const events = [...record.liveEvents];
    const trace = result ? localExecutionTrace(result) : buildTrace(record.executionArn, toHistoryEvents(events), { localWaits: localWaitsOf(events) });
    const reads = new EngineReads(this.app);
    const jobs = await this.jobsOf(record, reads);
    const queues = jobs && await this.queues(reads);
    return executionView({
      trace, definition: runner.definitionOf(record.stateMachine), stateMachine: constructPath(runner.stack, record.stateMachine), start: record.startDate,
      ...jobs && { jobs }, ...queues && { queues },
    });
  }

  /** The fan-out job the execution ran, once it stopped: a fan-out job's id is its execution's name. */
  private jobsOf(record: ExecutionRecord, reads: EngineReads): Promise<JobView[] | undefined> {
    if (record.status === 'RUNNING') return Promise.resolve(undefined);
    let jobs = this.stoppedJobs.get(record.executionArn);
    if (!jobs) {
      jobs = reads.jobAccounts().then((accounts) => {
        const account = accounts?.find((a) => a.jobId === record.name);
        if (!account) return undefined;
        const { jobId, items, stored, failed, deadLettered, reconciled, failedItems } = account;
        return [{ jobId, items, stored, failed, deadLettered, reconciled, failedItems: failedItems.map(({ chunkIndex, index, error }) => ({ chunkIndex, index, error })) }];
      });
      this.stoppedJobs.set(record.executionArn, jobs);
    }
    return jobs;
  }
}

/**
 * What one request reads from the engines, read once however many of its executions and queues ask: the job tables'
 * accounts and the dead-letter queues (a session page asks each second, for every execution not yet read).
 */
class EngineReads {
  private accounts?: ReturnType<LocalApp['runner']['jobAccounts']>;
  private deadLettersRead?: ReturnType<LocalApp['runner']['readDeadLetterQueues']>;

  constructor(private readonly app: LocalApp) {}

  jobAccounts(): ReturnType<LocalApp['runner']['jobAccounts']> {
    return this.accounts ??= this.app.runner.jobAccounts();
  }

  deadLetters(): ReturnType<LocalApp['runner']['readDeadLetterQueues']> {
    return this.deadLettersRead ??= this.app.runner.readDeadLetterQueues();
  }
}
