/**
 * The console in Chromium: signing in with the one-time URL, the environment switcher, the
 * secrets table of each environment with its filter, and the rotation health dashboard.
 */
import { expectAccessible, pageProblems, saveScreenshot, useBrowser } from '../../support/browser';
import { operator, signIn, startConsoleFixture, type ConsoleFixture } from './console-fixture';

const DAY_MS = 86_400_000;

let fixture: ConsoleFixture;

beforeAll(async () => {
  fixture = await startConsoleFixture();
  await fixture.seedJson('api-config', 'dev', [{ url: 'https://dev.example', token: 'dev-token-1' }]);
  await fixture.seedJson('feature-flags', 'dev', [{ beta: 'on' }]);
  await fixture.seedJson('api-config', 'staging', [{ url: 'https://staging.example', token: 'stg-token-1' }]);
  await fixture.seedJson('api-config', 'prod', [{ url: 'https://prod.example', token: 'prod-token-1' }]);
});
afterAll(() => fixture.close());

describe('console: sign in and environments', () => {
  const browser = useBrowser();

  it('signs in through the one-time URL and lands on the first environment', async () => {
    const page = browser.page();

    const landed = await signIn(page, fixture.console);

    expect(landed).toBe('/environments/dev');
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe('ana (admin)');
    const cookie = (await browser.context().cookies()).find((each) => each.name === 'keystage_console');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('refuses the login URL a second time', async () => {
    const page = browser.page();
    const url = fixture.console.newLoginUrl();
    expect((await page.goto(url))?.status()).toBe(200);
    const second = await (await browser.newContext()).newPage();

    const response = await second.goto(url);

    expect(response?.status()).toBe(401);
    await expect(second.getByTestId('error-message').textContent()).resolves.toMatch(
      /used, expired or wrong/,
    );
    await expect(second.context().cookies()).resolves.toEqual([]);
  });

  it('lists the secrets of an environment without a value, and is accessible', async () => {
    const page = browser.page();
    await signIn(page, fixture.console);

    const rows = page.getByTestId('secret-row');
    await expect(
      rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-secret'))),
    ).resolves.toEqual(['dev/web/api-config', 'dev/web/feature-flags']);
    await expect(rows.first().getAttribute('data-status')).resolves.toBe('active');
    await expect(rows.first().getByTestId('secret-kind').textContent()).resolves.toBe('json');
    expect(await page.content()).not.toContain('dev-token-1');
    await saveScreenshot(page, 'environments');
    await expectAccessible(page, 'environments');
  });

  it('switches environment with the switcher', async () => {
    const page = browser.page();
    await signIn(page, fixture.console);
    const switcher = page.getByTestId('env-switcher');
    await expect(
      switcher
        .getByTestId('env-option')
        .evaluateAll((all) => all.map((link) => link.getAttribute('data-env'))),
    ).resolves.toEqual(['dev', 'staging', 'prod']);

    await switcher.locator('[data-env="staging"]').click();

    await page.waitForURL('**/environments/staging');
    await expect(switcher.locator('[aria-current="page"]').getAttribute('data-env')).resolves.toBe('staging');
    await expect(
      page.getByTestId('secret-row').evaluateAll((all) => all.map((row) => row.getAttribute('data-secret'))),
    ).resolves.toEqual(['staging/web/api-config']);
  });

  it('filters the table by name as one types', async () => {
    const page = browser.page();
    await signIn(page, fixture.console);

    await page.getByTestId('secrets-filter').fill('flags');

    await page.locator('[data-secret="dev/web/api-config"]').waitFor({ state: 'hidden' });
    await expect(page.locator('[data-secret="dev/web/feature-flags"]').isVisible()).resolves.toBe(true);
    expect(new URL(page.url()).search).toBe('');
  });

  it('filters on the server with ?q= as well, saying when nothing matches', async () => {
    const page = browser.page();
    await signIn(page, fixture.console);

    await page.goto(`${fixture.console.url}environments/dev?q=no-such-secret`);

    await expect(page.getByTestId('secret-row').count()).resolves.toBe(0);
    await expect(page.getByTestId('secrets-empty').textContent()).resolves.toMatch(/No secrets match/);
  });

  it('highlights secrets past their rotation period in the table and on the dashboard', async () => {
    const page = browser.page();
    // The same secrets seen 100 days on: past the 90 days their kind should rotate within.
    const later = await fixture.startFor(operator('ana', ['admin']), {
      clock: { now: () => Date.now() + 100 * DAY_MS },
    });
    await signIn(page, later);

    const row = page.locator('[data-testid="secret-row"][data-secret="dev/web/api-config"]');
    await expect(row.getAttribute('data-health')).resolves.toBe('overdue');
    await expect(row.getByTestId('secret-health').getAttribute('class')).resolves.toBe('overdue');
    await page.getByTestId('nav-rotation').click();
    await page.waitForURL('**/rotation');
    await expect(
      page
        .getByTestId('health-row')
        .evaluateAll((rows) => rows.map((each) => each.getAttribute('data-health'))),
    ).resolves.toEqual(['overdue', 'overdue', 'overdue', 'overdue']);
    await saveScreenshot(page, 'rotation-health-overdue');
  });

  it('shows the rotation health dashboard, and it is accessible', async () => {
    const page = browser.page();
    await signIn(page, fixture.console);

    await page.getByTestId('nav-rotation').click();

    await page.waitForURL('**/rotation');
    await expect(
      page
        .getByTestId('health-row')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-secret'))),
    ).resolves.toEqual(expect.arrayContaining(['dev/web/api-config', 'prod/web/api-config']));
    await saveScreenshot(page, 'rotation-health');
    await expectAccessible(page, 'rotation health');
  });

  it('loads every main screen without a script error, CSP refusal or failed request', async () => {
    const page = browser.page();
    const problems = pageProblems(page);
    await signIn(page, fixture.console);

    await page.getByTestId('secret-name').first().click();
    await page.waitForURL('**/secret?**');
    await page.getByTestId('nav-audit').click();
    await page.waitForURL('**/audit');
    await page.getByTestId('nav-rotation').click();
    await page.waitForURL('**/rotation');

    expect(problems).toEqual([]);
  });

  it('asks to sign in when there is no session', async () => {
    const page = browser.page();

    const response = await page.goto(`${fixture.console.url}environments/dev`);

    expect(response?.status()).toBe(401);
    await expect(page.getByTestId('error-message').textContent()).resolves.toMatch(/not signed in/);
  });
});
