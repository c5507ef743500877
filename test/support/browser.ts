import * as path from 'node:path';
import { Browser, chromium } from 'playwright-core';

/** Debian's Chromium, which .ci/run installs when it is missing; playwright-core downloads no browser of its own. */
export const CHROMIUM = process.env.SDP_CHROMIUM ?? '/usr/bin/chromium';

/** Where the browser tests save their screenshots (the README shows them). */
export const SCREENSHOTS = path.join(__dirname, '..', '..', 'docs');

/**
 * Headless Chromium with nothing that reaches out on its own (no updates, sync, or background networking), one per test
 * file. Playwright gives it a new empty profile (it refuses a --user-data-dir of ours) and removes it on close.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
}
