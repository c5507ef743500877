import * as http from 'node:http';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { CommandIo } from '../../tools/cli/commands/command';
import { main } from '../../tools/cli/sdp';
import { LocalApp } from '../../tools/local/local-app';
import type { LoopbackServer } from '../../tools/local/loopback-server';
import type { ExecutionView } from '../../tools/web-view/execution-view';
import { SessionView, startWebView } from '../../tools/web-view/web-view-server';
import { bufferedIo } from '../cli/buffered-io';
import { launchChromium, pageAndWindowWidths, SCREENSHOTS } from '../support/browser';
import { exampleAssembly } from '../support/example-app';

// The web view of `sdp serve` in headless Chromium, on the example app: a fan-out job with a poison item started through the
// served API (its counts and failed item on the page are the job's), and the word-length workflow with a typo (the failed
// step coloured, its error on click, the Map's summary row expanding).
const { assemblyDir } = exampleAssembly();
let browser: Browser;
/** Requests of the pages to anywhere but 127.0.0.1: none. */
const outside: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(() => {
  expect(outside).toEqual([]);
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // Nothing leaves 127.0.0.1.
  page.on('request', (request) => {
    if (!request.url().startsWith('http://127.0.0.1:')) outside.push(request.url());
  });
  return page;
}

/** The execution page until the execution stopped (the page reads it again while it runs). */
async function openExecution(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('h1 .status:not(.status-running)').waitFor({ timeout: 30_000 });
}

test('sdp serve: the session lists the fan-out job; its page shows the counts the API answers and the failed item with its error', async () => {
  const { io, printed } = bufferedIo();
  let jobOutput: any;
  let jobCounts: any;
  const served: CommandIo = {
    ...io,
    now: Date.now,
    interrupted: async () => {
      const api = /API \S+ at (http:\/\/127\.0\.0\.1:\d+)/.exec(printed.stderr)![1];
      const view = /web view at (http:\/\/127\.0\.0\.1:\d+)\//.exec(printed.stderr)![1];
      const items = [{ word: 'apple' }, { word: 'fig' }, { wrd: 'poison' }, { word: 'grape' }];
      const started = await fetch(`${api}/executions`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'poison-job' }, body: JSON.stringify({ items }),
      });
      expect(started.status).toBe(200);
      const page = await newPage();
      await page.goto(`${view}/`);
      await page.locator('tr[data-execution="poison-job"]').waitFor();
      await openExecution(page, `${view}/executions/poison-job`);
      for (;;) {
        jobOutput = await (await fetch(`${api}/executions/poison-job`)).json();
        if (jobOutput.status !== 'RUNNING') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // A job with a failed item fails with its counts as the cause (FanOutJobWorkflow): the API's answer is the run's summary.
      expect(jobOutput).toMatchObject({ status: 'FAILED', error: 'JobItemsFailed' });
      jobCounts = JSON.parse(jobOutput.cause);
      const counts = page.locator('tr[data-job="poison-job"] td');
      await counts.first().waitFor();
      expect(await counts.allTextContents()).toEqual([jobCounts.items, jobCounts.stored, jobCounts.failed, jobCounts.deadLettered].map(String));
      await expect(page.locator('.failed-items').textContent()).resolves.toMatch(/chunk \d+ item 2: .*word must be a string/);
      // The worker's queue: the chunk's message processed (its poison item is a failed item, not a failed message).
      await expect(page.locator('tr[data-queue] td').allTextContents()).resolves.toEqual([expect.stringContaining('FanOutExample/'), '1', '0', '0']);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'web-view-fan-out.png'), fullPage: true });
      await page.goto(`${view}/`);
      await expect(page.locator('tr[data-execution="poison-job"]').textContent()).resolves.toMatch(/failed.*4 items: 3 stored, 1 failed, 0 dead-lettered/);
      await page.locator('#machines svg').first().waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'web-view-session.png'), fullPage: true });
      await page.close();
      return 'test';
    },
  };
  const code = await main(['serve', '--assembly', assemblyDir, '--port', '0', '--view-port', '0', '--schedules', 'off'], served);
  expect({ code, stderr: printed.stderr }).toMatchObject({ code: 0, stderr: expect.stringMatching(/web view at http:\/\/127\.0\.0\.1:\d+\/ /) });
  expect(jobCounts).toMatchObject({ items: 4, stored: 3, failed: 1, deadLettered: 0 });
});

describe('the word-length workflow with a typo', () => {
  let app: LocalApp;
  let view: LoopbackServer;
  beforeAll(async () => {
    app = await LocalApp.start({ assemblyDir, stackName: 'WordLengthExample', port: 0, schedules: 'off', maxWaitSeconds: 0.2, visibilityTimeoutSeconds: 5 });
    view = await startWebView(app, 0);
  });
  afterAll(async () => {
    await view?.close();
    await app?.stop();
  });

  test('the failed step coloured and named, its error on click, the Map\'s summary row expands; the session lists the run', async () => {
    const [machine] = app.runner.stateMachines();
    const words = ['apple', 'banana', 'cherry', 'date', 'elderberry', 'fig'].map((word) => ({ word }));
    app.runner.stepFunctions.startExecution({
      stateMachineArn: app.runner.resourceArn('AWS::StepFunctions::StateMachine', machine), name: 'typo-run', input: JSON.stringify({ data: [...words, { wrd: 'typo' }] }),
    });
    const page = await newPage();
    await openExecution(page, `${view.endpoint}/executions/typo-run`);
    await expect(page.locator('h1 .status').textContent()).resolves.toContain('failed');
    await page.locator('#execution-chart svg').waitFor();
    await expect(page.locator('#execution-chart svg .node.outcome_failed').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('li[data-state="MapItem"]').textContent()).resolves.toContain('failed');
    const summary = page.locator('tr.summary-row');
    const rowsBefore = await page.locator('tr.span-row').count();
    await summary.first().locator('button').click();
    await expect(page.locator('tr.span-row').count()).resolves.toBeGreaterThan(rowsBefore);
    await expect(page.locator('#details h2').textContent()).resolves.toMatch(/^\d+ iterations succeeded$/);
    await page.locator('tr.span-row[data-status="FAILED"]', { hasText: 'MapItem Task' }).first().click();
    await expect(page.locator('#details').textContent()).resolves.toMatch(/Error[\s\S]*Cause/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'web-view-execution.png'), fullPage: true });
    await page.setViewportSize({ width: 420, height: 800 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'web-view-execution-narrow.png') });
    await expect(pageAndWindowWidths(page)).resolves.toEqual([420, 420]);
    await page.goto(`${view.endpoint}/`);
    await expect(page.locator('tr[data-execution="typo-run"]').textContent()).resolves.toContain('failed');
    // The session on the narrow window: nothing wider than it.
    await page.locator('#machines svg').first().waitFor();
    await expect(pageAndWindowWidths(page)).resolves.toEqual([420, 420]);
    await page.close();
  });

  test('a running execution: the view of what its event log holds so far, its open spans running', async () => {
    const [finished] = app.runner.stepFunctions.list();
    const events = finished.result!.events;
    // The record as it was while the Map ran: no result yet, the log up to the failed iteration's task.
    const upTo = events.findIndex((e) => /Fail/.test(e.type));
    expect(upTo).toBeGreaterThan(0);
    const running = { ...finished, status: 'RUNNING' as const, result: undefined, stopDate: undefined, liveEvents: events.slice(0, upTo) };
    const list = jest.spyOn(app.runner.stepFunctions, 'list').mockReturnValue([running]);
    try {
      const seen = await (await fetch(`${view.endpoint}/api/executions/typo-run`)).json() as ExecutionView;
      expect(seen).toMatchObject({ name: 'typo-run', status: 'RUNNING' });
      expect(seen.start).toBeGreaterThanOrEqual(finished.startDate);
      expect(seen.durationMs).toBeUndefined();
      expect(seen.rows.find((r) => r.name === 'MapItems')).toMatchObject({ status: 'RUNNING' });
      expect(seen.states.find((st) => st.name === 'MapItems')).toMatchObject({ outcome: 'running' });
      expect(seen.states.find((st) => st.name === 'RecordFailure')).toMatchObject({ outcome: 'not-reached' });
    } finally {
      list.mockRestore();
    }
  });

  test('a running execution\'s page reads it again until it stopped: running, then failed, without a reload', async () => {
    const [finished] = app.runner.stepFunctions.list();
    const events = finished.result!.events;
    const upTo = events.findIndex((e) => /Fail/.test(e.type));
    const running = { ...finished, status: 'RUNNING' as const, result: undefined, stopDate: undefined, liveEvents: events.slice(0, upTo) };
    const list = jest.spyOn(app.runner.stepFunctions, 'list').mockReturnValue([running]);
    const page = await newPage();
    try {
      await page.goto(`${view.endpoint}/executions/typo-run`);
      await page.locator('h1 .status-running').waitFor();
      await expect(page.locator('li[data-state="MapItems"]').textContent()).resolves.toContain('running');
    } finally {
      list.mockRestore();
    }
    await page.locator('h1 .status-failed').waitFor();
    await expect(page.locator('li[data-state="MapItems"]').textContent()).resolves.not.toContain('running');
    await expect(page.locator('li[data-state="MapItem"]').textContent()).resolves.toContain('failed');
    await page.close();
  });

  test('a request for another host name (a page of another site rebound to 127.0.0.1) is refused; 127.0.0.1 and localhost are answered', async () => {
    const statusFor = (host: string) => new Promise<number | undefined>((resolve, reject) => {
      http.get(`${view.endpoint}/api/session`, { headers: { host } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on('error', reject);
    });
    const { port } = new URL(view.endpoint);
    await expect(statusFor(`rebound.example:${port}`)).resolves.toBe(403);
    await expect(statusFor(`127.0.0.1:${port}`)).resolves.toBe(200);
    await expect(statusFor(`localhost:${port}`)).resolves.toBe(200);
  });

  test('two executions of one name (an Express workflow\'s, or two state machines\'): each listed with a link that shows it', async () => {
    const [finished] = app.runner.stepFunctions.list();
    const newer = {
      ...finished, executionArn: `${finished.executionArn}-again`, startDate: finished.startDate + 1000, status: 'RUNNING' as const,
      result: undefined, stopDate: undefined, liveEvents: [],
    };
    const list = jest.spyOn(app.runner.stepFunctions, 'list').mockReturnValue([newer, finished]);
    try {
      const session = await (await fetch(`${view.endpoint}/api/session`)).json() as SessionView;
      const shown: string[] = [];
      for (const execution of session.executions) {
        const page = await (await fetch(`${view.endpoint}${execution.path}`)).text();
        const source = /data-source="([^"]*)"/.exec(page)![1].replace(/&amp;/g, '&');
        shown.push(((await (await fetch(`${view.endpoint}${source}`)).json()) as ExecutionView).executionArn);
      }
      expect(shown).toEqual([newer.executionArn, finished.executionArn]);
      // The name alone: the newest.
      await expect((await fetch(`${view.endpoint}/api/executions/typo-run`)).json()).resolves.toMatchObject({ executionArn: newer.executionArn });
    } finally {
      list.mockRestore();
    }
  });
});
