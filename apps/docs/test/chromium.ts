// Debian's Chromium through playwright-core, on the built site served with the production
// headers (scripts/serve.mjs), collecting every console error, page error and failed request.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.OCTCONV_CHROMIUM ?? '/usr/bin/chromium';
/** Set by .ci/run: a missing Chromium fails instead of skipping. */
export const REQUIRE_BROWSER = process.env.OCTCONV_REQUIRE_BROWSER === '1';
/** Set by .ci/run: a browser without a WebGPU adapter fails instead of skipping WebGPU. */
export const REQUIRE_WEBGPU = process.env.OCTCONV_REQUIRE_WEBGPU === '1';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

/** Screenshots land here (git-ignored), one per page and per finished tool. */
export const RESULTS_DIR = fileURLToPath(new URL('../test-results/', import.meta.url));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      // WebGPU on SwiftShader where there is no GPU; the rest keep the closed network quiet.
      '--enable-unsafe-webgpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * A page that records what went wrong on it in `problems`. Requests the page itself cancelled
 * (`net::ERR_ABORTED`: VitePress prefetches the chunks of linked pages when the browser is idle,
 * and the next navigation cancels those still in flight) go to `aborted` instead: they say
 * nothing about the site until `unservedAborts` has fetched each of them again.
 */
export async function openPage(
  browser: Browser,
): Promise<{ page: Page; problems: string[]; aborted: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const aborted: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText;
    if (reason === 'net::ERR_ABORTED') aborted.push(request.url());
    else problems.push(`request failed: ${request.url()} (${reason})`);
  });
  return { page, problems, aborted };
}

/**
 * Fetches every cancelled request's URL again, outside the browser, and returns a problem for
 * each one the server does not answer with 200: a cancelled request for a missing chunk still
 * fails the test.
 */
export async function unservedAborts(aborted: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const url of new Set(aborted)) {
    const response = await fetch(url);
    await response.arrayBuffer();
    if (response.status !== 200)
      problems.push(`cancelled request, HTTP ${response.status} when fetched again: ${url}`);
  }
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: `${RESULTS_DIR}${name}.png`, fullPage: true });
}

/** Waits until the live tool on the page is in one of `states`, and returns its state. */
export async function waitForState(
  page: Page,
  states: readonly string[],
  timeout: number,
): Promise<string> {
  const handle = await page.waitForFunction(
    (wanted) => {
      const state = document.querySelector<HTMLElement>('.oct-tool')?.dataset.state;
      return state !== undefined && wanted.includes(state) ? state : null;
    },
    states,
    { timeout, polling: 100 },
  );
  return (await handle.jsonValue()) as string;
}

/**
 * Opens `url`, waits until its live tool is in one of `ready`, runs `body`, saves a screenshot
 * (`<name>.png`, or `<name>-failed.png` when something threw) and fails on anything the page
 * reported.
 */
export async function onToolPage(
  browser: Browser,
  url: string,
  ready: readonly string[],
  name: string,
  body: (page: Page) => Promise<void>,
): Promise<void> {
  const { page, problems, aborted } = await openPage(browser);
  try {
    await page.goto(url);
    await waitForState(page, ready, 60_000);
    await body(page);
    await screenshot(page, name);
  } catch (error) {
    await screenshot(page, `${name}-failed`).catch(() => {});
    throw error;
  } finally {
    await page.close();
  }
  problems.push(...(await unservedAborts(aborted)));
  if (problems.length > 0) throw new Error(`${url} reported:\n${problems.join('\n')}`);
}
