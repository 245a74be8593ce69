/**
 * The console's refusals, seen from Chromium: a developer who may not see production, a
 * cross-site form post and a write without its CSRF token, a request for another Host
 * (DNS rebinding), and the headers that keep values out of caches and inline script out.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { useBrowser } from '../../support/browser';
import {
  SEEDER,
  operator,
  signIn,
  startConsoleFixture,
  type ConsoleFixture,
  type RunningConsole,
} from './console-fixture';

let fixture: ConsoleFixture;
let developerConsole: RunningConsole;
let attacker: Server;
let attackerUrl: string;

beforeAll(async () => {
  fixture = await startConsoleFixture();
  await fixture.seedJson('api-config', 'dev', [{ url: 'https://dev.example' }]);
  await fixture.seedJson('api-config', 'staging', [{ url: 'https://staging.example' }]);
  await fixture.seedJson('api-config', 'prod', [{ url: 'https://prod.example' }]);
  await fixture.seedJson('victim', 'dev', [{ url: 'https://victim.example' }]);
  developerConsole = await fixture.startFor(operator('dev-dana', ['developer']));
  // Another origin on this machine whose page posts a form at the console, as a malicious site would.
  attacker = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><head><title>Free prizes</title></head><body>
<form method="post" action="${fixture.console.url}secret/revoke">
<input type="hidden" name="name" value="dev/web/victim">
<input type="hidden" name="reason" value="cross-site">
<input type="hidden" name="csrf" value="guessed-token">
<button type="submit">Claim</button></form></body></html>`);
  });
  await new Promise<void>((done) => attacker.listen(0, '127.0.0.1', done));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((done) => attacker.close(done));
  await fixture.close();
});

const envOptions = (page: Page): Promise<string[]> =>
  page
    .getByTestId('env-switcher')
    .getByTestId('env-option')
    .evaluateAll((links) => links.map((link) => link.getAttribute('data-env') ?? ''));

/** Whether dev/web/victim is still active, asked through the client as an admin. */
async function victimStatus(): Promise<string | undefined> {
  return (await fixture.client.describe('dev/web/victim', { principal: SEEDER })).keystage.status;
}

/** A name an attacker's DNS answers with 127.0.0.1 (DNS rebinding); this browser resolves it so. */
const REBOUND = 'rebind.attacker.test';
// One browser for the file; each test gets its own context.
const browser = useBrowser({}, { extraArgs: [`--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`] });

describe('console: roles', () => {
  it('shows a developer no production or staging entry in the switcher', async () => {
    const page = browser.page();

    await expect(signIn(page, developerConsole)).resolves.toBe('/environments/dev');

    await expect(envOptions(page)).resolves.toEqual(['dev']);
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe('dev-dana (developer)');
  });

  it('refuses a developer the production pages even when typed in', async () => {
    const page = browser.page();
    await signIn(page, developerConsole);

    const environment = await page.goto(`${developerConsole.url}environments/prod`);
    expect(environment?.status()).toBe(403);
    await expect(page.getByTestId('error-status').textContent()).resolves.toBe('403');
    expect(await page.getByTestId('error-message').textContent()).not.toContain('https://prod.example');

    const secret = await page.goto(
      `${developerConsole.url}secret?name=${encodeURIComponent('prod/web/api-config')}`,
    );
    expect(secret?.status()).toBe(403);
    expect(await page.content()).not.toContain('https://prod.example');
  });

  it("keeps production's audit events off a developer's audit screen", async () => {
    const page = browser.page();
    await signIn(page, developerConsole);

    await page.getByTestId('nav-audit').click();
    await page.waitForURL('**/audit');

    const secrets = await page
      .getByTestId('audit-row')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-secret') ?? ''));
    expect(secrets).toContain('dev/web/api-config');
    // Events about no secret (listings) carry an empty data-secret.
    expect(secrets.filter((name) => name !== '' && !name.startsWith('dev/'))).toEqual([]);
    expect(fixture.events.some((event) => event.secret_name?.startsWith('prod/'))).toBe(true);
  });

  it('shows a developer no button the role may not use on a dev secret', async () => {
    const page = browser.page();
    await signIn(page, developerConsole);

    await page.goto(`${developerConsole.url}secret?name=${encodeURIComponent('dev/web/api-config')}`);

    await expect(page.getByTestId('action-put').count()).resolves.toBe(1);
    for (const absent of ['action-revoke', 'action-delete', 'action-restore', 'action-undelete']) {
      await expect(page.getByTestId(absent).count()).resolves.toBe(0);
    }
  });

  it('refuses a developer a revoke posted with a valid session and token all the same', async () => {
    const page = browser.page();
    await signIn(page, developerConsole);
    const csrf = await page.locator('meta[name="csrf-token"]').getAttribute('content');

    const response = await page.request.post(`${developerConsole.url}secret/revoke`, {
      form: { csrf: csrf ?? '', name: 'dev/web/victim', reason: 'not allowed' },
      maxRedirects: 0,
    });

    expect(response.status()).toBe(403);
    await expect(victimStatus()).resolves.not.toBe('revoked');
  });
});

describe('console: sessions', () => {
  it('signs out with the button, after which the cookie no longer opens a page', async () => {
    const page = browser.page();
    await signIn(page, fixture.console);
    const [cookie] = await browser.context().cookies();

    await page.getByTestId('logout-button').click();
    await page.waitForURL('**/logout');

    await expect(browser.context().cookies()).resolves.toEqual([]);
    await browser.context().addCookies([cookie!]);
    const again = await page.goto(`${fixture.console.url}environments/dev`);
    expect(again?.status()).toBe(401);
  });

  it('ends a session after 15 minutes without a request', async () => {
    const page = browser.page();
    let now = Date.now();
    const idle = await fixture.startFor(operator('ana', ['admin']), { clock: { now: () => now } });
    await signIn(page, idle);

    now += 14 * 60_000;
    expect((await page.reload())?.status()).toBe(200);
    now += 15 * 60_000;
    const ended = await page.reload();

    expect(ended?.status()).toBe(401);
    await expect(page.getByTestId('error-message').textContent()).resolves.toMatch(/session ended/);
  });
});

describe('console: CSRF and Host checks', () => {
  it('refuses a form posted from another site in the signed-in browser', async () => {
    const page = browser.page();
    await signIn(page, fixture.console);
    await page.goto(attackerUrl);

    const [response] = await Promise.all([
      page.waitForResponse(`${fixture.console.url}secret/revoke`),
      page.getByRole('button', { name: 'Claim' }).click(),
    ]);

    expect(response.status()).toBe(403);
    await expect(page.getByTestId('error-status').textContent()).resolves.toBe('403');
    await expect(victimStatus()).resolves.not.toBe('revoked');
  });

  it('refuses a write from the console origin without its CSRF token', async () => {
    const page = browser.page();
    await signIn(page, fixture.console);

    const answer = await page.evaluate(async () => {
      const response = await fetch('/secret/revoke', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=dev%2Fweb%2Fvictim&reason=no-token',
      });
      return { status: response.status, body: await response.text() };
    });

    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/security token/);
    await expect(victimStatus()).resolves.not.toBe('revoked');
  });

  it('refuses a reveal with a stale CSRF token from the session', async () => {
    const page = browser.page();
    await signIn(page, fixture.console);

    const response = await page.request.post(`${fixture.console.url}secret/reveal`, {
      headers: { 'x-csrf-token': 'stale' },
      data: { name: 'dev/web/api-config' },
    });

    expect(response.status()).toBe(403);
    expect(await response.text()).not.toContain('https://dev.example');
  });

  it('refuses a request naming another Host even with a valid session (DNS rebinding)', async () => {
    const page = browser.page();
    await signIn(page, fixture.console);
    const port = new URL(fixture.console.url).port;
    const csrf = await page.locator('meta[name="csrf-token"]').getAttribute('content');

    const pageAnswer = await page.request.get(`${fixture.console.url}environments/dev`, {
      headers: { host: `${REBOUND}:${port}` },
    });
    const revealAnswer = await page.request.post(`${fixture.console.url}secret/reveal`, {
      headers: { host: `${REBOUND}:${port}`, 'x-csrf-token': csrf ?? '' },
      data: { name: 'dev/web/api-config' },
    });

    expect(pageAnswer.status()).toBe(421);
    expect(await pageAnswer.text()).not.toContain('dev/web/api-config');
    expect(revealAnswer.status()).toBe(421);
    expect(await revealAnswer.text()).not.toContain('https://dev.example');
  });

  it('refuses the page when the browser reaches the console under a rebound name', async () => {
    const page = browser.page();
    const login = new URL(fixture.console.newLoginUrl());
    const rebound = new URL(login);
    rebound.hostname = REBOUND;

    const response = await page.goto(rebound.href);

    expect(response?.status()).toBe(421);
    await expect(page.getByTestId('error-status').textContent()).resolves.toBe('421');
    await expect(browser.context().cookies()).resolves.toEqual([]);
    // Refused before the token was looked at: it still signs in at the console's own address.
    expect((await page.goto(login.href))?.status()).toBe(200);
  });

  it('serves a revealed value with Cache-Control: no-store and pages without inline script', async () => {
    const page = browser.page();
    await signIn(page, fixture.console);
    const secretPage = await page.goto(
      `${fixture.console.url}secret?name=${encodeURIComponent('dev/web/api-config')}`,
    );

    const [reveal] = await Promise.all([
      page.waitForResponse(`${fixture.console.url}secret/reveal`),
      page.getByTestId('reveal-button').click(),
    ]);

    expect(reveal.status()).toBe(200);
    expect(reveal.headers()['cache-control']).toBe('no-store');
    expect(secretPage?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await expect(page.locator('script:not([src])').count()).resolves.toBe(0);
  });
});
