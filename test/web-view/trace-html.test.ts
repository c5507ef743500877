import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DescribeExecutionCommand, DescribeStateMachineForExecutionCommand, GetExecutionHistoryCommand, SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { Browser, Page } from 'playwright-core';
import { main } from '../../tools/cli/sdp';
import { assemblyStateMachines } from '../../tools/diagram/assembly';
import { bufferedIo } from '../cli/buffered-io';
import { launchChromium, pageAndWindowWidths, SCREENSHOTS } from '../support/browser';
import { exampleAssembly } from '../support/example-app';
import { wordLengthHistory } from '../support/word-length-history';

// `sdp trace <arn> --html <file>`: a deployed execution's history (mocked GetExecutionHistory, as the trace tests do) as one
// static HTML file, opened from disk in headless Chromium: the diagram coloured by the run, the timeline, a span's data.
const wordLength = assemblyStateMachines(exampleAssembly().assemblyDir).find((m) => m.id === 'WordLengthExample/WordLength')!;
// Three words counted, then one without a word: the iteration fails, the Map's catcher records the failure.
const EXECUTION_ARN = 'arn:aws:states:ap-northeast-2:123456789012:execution:WordLengthStateMachine5AE2E759-Hq7Ld0Pm3Kx9:typo-run';
const events = wordLengthHistory({ executionArn: EXECUTION_ARN, words: ['apple', 'kiwi', 'banana', undefined, 'plum'] });
const sfn = mockClient(SFNClient);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-trace-html-'));
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  sfn.reset();
  sfn.on(DescribeExecutionCommand).resolves({});
  sfn.on(GetExecutionHistoryCommand).resolves({ events });
  sfn.on(DescribeStateMachineForExecutionCommand).resolves({ name: 'WordLengthStateMachine', definition: JSON.stringify(wordLength.definition) });
});

async function writeHtml(file: string) {
  const { io, printed } = bufferedIo();
  const status = await main(['trace', EXECUTION_ARN, '--html', file], io, () => new SFNClient({ region: 'ap-northeast-2' }));
  return { status, ...printed };
}

/** The page opened from disk, with every request it makes that is not the file itself. */
async function open(file: string): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const requests: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith('file://') && !request.url().startsWith('data:')) requests.push(request.url());
  });
  await page.goto(`file://${file}`);
  await page.locator('#execution-chart svg').waitFor();
  return { page, requests };
}

test('writes one HTML file with the view, the page script and Mermaid inline; nothing printed on stdout; the exit status is the execution\'s', async () => {
  const file = path.join(dir, 'typo-run.html');
  const result = await writeHtml(file);
  expect(result).toMatchObject({ status: 1, stdout: '', stderr: expect.stringMatching(/^wrote .*typo-run\.html \(\d+ KiB\): open it in a browser\n$/) });
  // The page's own tags (the inlined scripts' text left out: Mermaid's holds markup in its strings).
  const tags = fs.readFileSync(file, 'utf8').replace(/(<script[^>]*>)[\s\S]*?<\/script>/g, '$1</script>').match(/<[a-z][^>]*>/g)!;
  expect(tags.filter((tag) => /\b(src|href)=/.test(tag))).toEqual([]);
  expect(tags).toEqual(expect.arrayContaining(['<script type="application/json" id="view-data">', '<script>']));
  expect(tags.filter((tag) => tag === '<script>')).toHaveLength(2);
});

test('--html with --json is a usage error', async () => {
  const { io, printed } = bufferedIo();
  expect(await main(['trace', EXECUTION_ARN, '--json', '--html', 'x.html'], io)).toBe(2);
  expect(printed.stderr).toContain('--html and --json each say what to write: give one');
});

test('without the definition (no DescribeStateMachineForExecution permission) the page has the timeline and says why there is no diagram', async () => {
  sfn.on(DescribeStateMachineForExecutionCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
  const file = path.join(dir, 'no-definition.html');
  const result = await writeHtml(file);
  expect(result.stderr).toContain('the page has no diagram: the definition could not be read (DescribeStateMachineForExecution failed: AccessDeniedException: not authorized)');
  expect(fs.readFileSync(file, 'utf8').includes('"diagram"')).toBe(false);
});

test('opened from disk: the failed step coloured and marked in the diagram, its error on click, the Map summary expands; no request leaves the file', async () => {
  const file = path.join(dir, 'typo-run.html');
  await writeHtml(file);
  const { page, requests } = await open(file);
  await expect(page.locator('h1').textContent()).resolves.toContain('typo-run');
  await expect(page.locator('h1 .status').textContent()).resolves.toContain('failed');
  // The failed task: its node in the chart has the failed class (coloured and with a thick border), and the list says so in words.
  await expect(page.locator('#execution-chart svg .node.outcome_failed').count()).resolves.toBeGreaterThan(0);
  await expect(page.locator('li[data-state="MapItem"]').textContent()).resolves.toContain('failed');
  await expect(page.locator('li[data-state="ReduceResults"]').textContent()).resolves.toContain('not reached');
  // The failed iteration's task: a click shows its error and cause.
  const failedTask = page.locator('tr.span-row[data-status="FAILED"]', { hasText: 'MapItem Task' });
  await failedTask.first().click();
  await expect(page.locator('#details').textContent()).resolves.toMatch(/WordValidationError[\s\S]*Cause[\s\S]*item\.word must be a string/);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'web-view-trace-html.png'), fullPage: true });
  // The succeeded iteration is behind the summary row; Enter on the focused row shows its figures, the button expands it.
  const summary = page.locator('tr.summary-row');
  await expect(summary.count()).resolves.toBe(1);
  const rowsBefore = await page.locator('tr.span-row').count();
  await summary.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#details').textContent()).resolves.toContain('Iterations');
  await summary.locator('button').click();
  await expect(page.locator('tr.span-row').count()).resolves.toBeGreaterThan(rowsBefore);
  await expect(summary.locator('button').getAttribute('aria-expanded')).resolves.toBe('true');
  expect(requests).toEqual([]);
  // A narrow window: everything still there, in one column.
  await page.setViewportSize({ width: 420, height: 800 });
  await expect(page.locator('#details').isVisible()).resolves.toBe(true);
  // Nothing wider than the window: no sideways scrolling to read it.
  await expect(pageAndWindowWidths(page)).resolves.toEqual([420, 420]);
  await page.close();
});

test('keyboard: Enter or Space on a summary row\'s expand button expands it, as a click does', async () => {
  const file = path.join(dir, 'typo-run.html');
  await writeHtml(file);
  const { page } = await open(file);
  const button = page.locator('tr.summary-row button');
  const rowsBefore = await page.locator('tr.span-row').count();
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(button.getAttribute('aria-expanded')).resolves.toBe('true');
  await expect(page.locator('tr.span-row').count()).resolves.toBeGreaterThan(rowsBefore);
  await button.focus();
  await page.keyboard.press(' ');
  await expect(button.getAttribute('aria-expanded')).resolves.toBe('false');
  await expect(page.locator('tr.span-row').count()).resolves.toBe(rowsBefore);
  await page.close();
});

test('the run\'s data is shown as text: a </script> or markup in an error\'s cause neither ends the embedded data nor runs', async () => {
  const hostile = '</script><img src=x onerror=document.title=1><!--';
  const deepReplace = (value: unknown): unknown => (typeof value === 'string' ? value.replace('item.word must be a string', `item.word must be a string ${hostile}`)
    : Array.isArray(value) ? value.map(deepReplace)
      : value && typeof value === 'object' && !(value instanceof Date) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepReplace(v)])) : value);
  sfn.on(GetExecutionHistoryCommand).resolves({ events: deepReplace(events) as typeof events });
  const file = path.join(dir, 'hostile.html');
  await writeHtml(file);
  const { page } = await open(file);
  await page.locator('tr.span-row[data-status="FAILED"]', { hasText: 'MapItem Task' }).first().click();
  await expect(page.locator('#details').textContent()).resolves.toContain(hostile);
  await expect(page.locator('img').count()).resolves.toBe(0);
  await expect(page.title()).resolves.toContain('typo-run');
  await page.close();
});
