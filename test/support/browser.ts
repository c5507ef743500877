import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';

/** Debian's Chromium, which .ci/run installs when it is missing; playwright-core downloads no browser of its own. */
const CHROMIUM = process.env.SDP_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Where the browser tests save their screenshots: docs/, which the README shows, with SDP_UPDATE_SCREENSHOTS=1; else a
 * temporary folder, so that a test run leaves the committed ones as they are.
 */
export const SCREENSHOTS = process.env.SDP_UPDATE_SCREENSHOTS === '1'
  ? path.join(__dirname, '..', '..', 'docs')
  : fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-screenshots-'));

/**
 * Headless Chromium with nothing that reaches out on its own (no updates, sync, or background networking), one per test
 * file. Playwright gives it a new empty profile (it refuses a --user-data-dir of ours) and removes it on close.
 */
export function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Chromium at ${CHROMIUM}: on Debian \`apt-get install -y chromium\` (.ci/run does it), or SDP_CHROMIUM=<path of a Chromium>`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
}

/** The page's width and the window's: equal when nothing needs sideways scrolling. (A string: the tests compile without the DOM's types.) */
export function pageAndWindowWidths(page: Page): Promise<[number, number]> {
  return page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]');
}
