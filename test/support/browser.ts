/**
 * A real Chromium for the console's end-to-end tests: Debian's /usr/bin/chromium driven by
 * playwright-core (browsers cannot be downloaded here). One browser per test file, a fresh
 * context per test; axe-core for accessibility and a screenshot per main screen as an artifact.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AxeResults, Result } from 'axe-core';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';

/** Headless and quiet: no first-run UI, no update or sync traffic leaving the machine. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the screenshots of the main screens go (git ignores the folder). */
export const SCREENSHOT_DIR = resolve(__dirname, '../../test-artifacts/console');

/** The Chromium binary: `KEYSTAGE_CHROMIUM`, else Debian's package. */
export function chromiumPath(): string {
  return process.env.KEYSTAGE_CHROMIUM ?? '/usr/bin/chromium';
}

/**
 * Launches headless Chromium, or says how to install it when the binary is missing.
 * `extraArgs` go after CHROMIUM_ARGS (e.g. `--host-resolver-rules` to point a name at loopback).
 */
export async function launchChromium(
  executablePath: string = chromiumPath(),
  extraArgs: readonly string[] = [],
): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is not installed at ${executablePath}: the console's browser tests need it. ` +
        "Install Debian's package with `apt-get install chromium` (`apt-get update` first if it is not found), " +
        'or point KEYSTAGE_CHROMIUM at a Chromium binary.',
    );
  }
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** How long a page action or wait may take before it fails. */
const ACTION_TIMEOUT_MS = 10_000;

export interface BrowserFixture {
  /** The file's browser, launched in `beforeAll`. */
  browser(): Browser;
  /** This test's context, fresh in `beforeEach` (its own cookies and storage). */
  context(): BrowserContext;
  /** A page of this test's context. */
  page(): Page;
  /** Another isolated context for the same test (a second principal), closed after the test. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
}

/**
 * Registers jest hooks: one browser for the file, a context and page per test. A test that
 * fails leaves nothing running: contexts close after each test, the browser after the file.
 */
export function useBrowser(
  contextOptions: BrowserContextOptions = {},
  launch: { readonly extraArgs?: readonly string[] } = {},
): BrowserFixture {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  const extra: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchChromium(chromiumPath(), launch.extraArgs);
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser!.newContext(contextOptions);
    // Well under jest's timeout, so a missing element fails with Playwright's own call log.
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    page = await context.newPage();
  });
  afterEach(async () => {
    await Promise.all([context, ...extra.splice(0)].map((each) => each?.close()));
    context = undefined;
    page = undefined;
  });

  const required = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(`no ${what}: call it inside a test of a file that uses useBrowser()`);
    return value;
  };
  return {
    browser: () => required(browser, 'browser'),
    context: () => required(context, 'browser context'),
    page: () => required(page, 'page'),
    newContext: async (options = {}) => {
      const created = await required(browser, 'browser').newContext({ ...contextOptions, ...options });
      created.setDefaultTimeout(ACTION_TIMEOUT_MS);
      extra.push(created);
      return created;
    },
  };
}

/**
 * Collects what a page reports as going wrong from now on: console errors (a CSP refusal, a
 * failed request), uncaught exceptions and responses of 400 or more. Read it after the steps.
 */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400)
      problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return problems;
}

let axeSource: string | undefined;

/** The impacts that fail a screen; moderate and minor findings are reported by axe but allowed. */
const FAILING_IMPACTS: ReadonlySet<string> = new Set(['serious', 'critical']);

/** One line per failing rule: its impact, id, help text and the first elements it matched. */
function describeViolation(violation: Result): string {
  const targets = violation.nodes
    .slice(0, 5)
    .map((node) => node.target.join(' '))
    .join(', ');
  const more = violation.nodes.length > 5 ? ` and ${violation.nodes.length - 5} more` : '';
  return `  [${violation.impact}] ${violation.id}: ${violation.help} (${violation.helpUrl}) at ${targets}${more}`;
}

/**
 * Runs axe-core on the page as it is and returns the serious and critical violations. The
 * source goes in through the DevTools protocol (`page.evaluate`), which the console's strict
 * Content-Security-Policy does not govern, so the page under test keeps its real CSP (an
 * inline `<script>` from `addScriptTag({ content })` would be refused by it).
 */
export async function axeViolations(page: Page): Promise<Result[]> {
  axeSource ??= readFileSync(join(require.resolve('axe-core'), '..', 'axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const results = await page.evaluate<AxeResults>(() =>
    (globalThis as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run(),
  );
  return results.violations.filter((violation) => FAILING_IMPACTS.has(violation.impact ?? ''));
}

/** Fails, listing each rule, when axe finds a serious or critical violation on the page. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const violations = await axeViolations(page);
  if (violations.length > 0) {
    throw new Error(
      `axe-core found ${violations.length} serious or critical accessibility violation(s) on the ${screen} ` +
        `screen (${page.url()}):\n${violations.map(describeViolation).join('\n')}`,
    );
  }
}

/** Saves a full-page screenshot as test-artifacts/console/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new Error(`screenshot name ${JSON.stringify(name)} must be kebab-case (a-z, 0-9, -)`);
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
