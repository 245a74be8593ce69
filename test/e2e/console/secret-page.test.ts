/**
 * The secret page in Chromium: versions, reveal (audited, copied, hidden again after 30 s),
 * diff, and the actions behind their confirmation: rollback, rotate with live progress, and
 * revoke after which reads are refused. Each test works on its own secret.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Page } from 'playwright-core';
import { expectAccessible, saveScreenshot, useBrowser } from '../../support/browser';
import { SEEDER, signIn, startConsoleFixture, type ConsoleFixture } from './console-fixture';

let fixture: ConsoleFixture;
// Planted values: none may show up anywhere but the reveal box.
const planted = { v1: `tok-v1-${randomUUID()}`, v2: `tok-v2-${randomUUID()}` };
const V1 = { user: 'web', token: planted.v1, region: 'eu-west-1' };
const V2 = { user: 'web', token: planted.v2, endpoint: 'https://api.example' };

const ROTATOR = 'arn:aws:lambda:us-east-1:000000000000:function:e2e-rotate';
// Once the rotation test holds it, the rotation function waits in testSecret until the test
// opens this gate, so the page can be seen mid-rotation.
let holdTest = false;
let openGate: () => void = () => undefined;
const gate = new Promise<void>((open) => (openGate = open));

beforeAll(async () => {
  fixture = await startConsoleFixture();
  await Promise.all(
    ['api-config', 'report-me', 'hide-me', 'roll-me', 'revoke-me'].map((name) =>
      fixture.seedJson(name, 'dev', [V1, V2]),
    ),
  );
  // A rotation function of the generic kind's four steps; testSecret waits for the test.
  fixture.local.endpoint.registerRotationHandler(ROTATOR, async (event) => {
    const id = event.SecretId;
    if (event.Step === 'createSecret') {
      await fixture.client.put(id, `rotated-${randomUUID()}`, {
        clientRequestToken: event.ClientRequestToken,
        versionStages: ['AWSPENDING'],
        principal: SEEDER,
      });
    }
    if (event.Step === 'testSecret' && holdTest) await gate;
    if (event.Step === 'finishSecret') {
      await fixture.client.rollback(id, { toVersionId: event.ClientRequestToken, principal: SEEDER });
    }
  });
  await fixture.client.create({
    name: 'rotate-me',
    kind: 'generic',
    environment: 'dev',
    service: 'web',
    principal: SEEDER,
  });
  await fixture.local.sm().send(
    new RotateSecretCommand({
      SecretId: 'dev/web/rotate-me',
      RotationLambdaARN: ROTATOR,
      RotateImmediately: false,
    }),
  );
  // Configuring rotation runs testSecret once; let it finish before the console rotates.
  await fixture.local.endpoint.rotationsIdle();
});
afterAll(async () => {
  openGate();
  await fixture.close();
});

/** Signs in and opens a secret's page from the dev secrets table. */
async function openSecret(page: Page, name: string): Promise<void> {
  await signIn(page, fixture.console);
  await page.locator(`[data-testid="secret-row"][data-secret="${name}"]`).getByTestId('secret-name').click();
  await page.waitForURL((url) => url.pathname === '/secret' && url.searchParams.get('name') === name);
}

/** The version ids of the timeline that carry `stage`. */
async function versionsWithStage(page: Page, stage: string): Promise<string[]> {
  return page
    .getByTestId('version-item')
    .filter({ has: page.getByTestId('version-stage').getByText(stage, { exact: true }) })
    .evaluateAll((items) => items.map((item) => item.getAttribute('data-version-id') ?? ''));
}

describe('console: secret page', () => {
  const browser = useBrowser();

  it('opens a secret from the table with its versions as a timeline, never a value', async () => {
    const page = browser.page();

    await openSecret(page, 'dev/web/api-config');

    await expect(page.getByTestId('secret-title').textContent()).resolves.toBe('dev/web/api-config');
    await expect(page.getByTestId('secret-status').textContent()).resolves.toBe('active');
    await expect(page.getByTestId('version-item').count()).resolves.toBe(2);
    await expect(versionsWithStage(page, 'AWSCURRENT')).resolves.toHaveLength(1);
    await expect(versionsWithStage(page, 'AWSPREVIOUS')).resolves.toHaveLength(1);
    const html = await page.content();
    expect(html).not.toContain(planted.v1);
    expect(html).not.toContain(planted.v2);
    await saveScreenshot(page, 'secret');
    await expectAccessible(page, 'secret');
  });

  it('reveals the current value on click, copies it, and the read appears on the audit screen', async () => {
    const page = browser.page();
    await openSecret(page, 'dev/web/api-config');

    await page.getByTestId('reveal-button').click();

    const value = page.getByTestId('reveal-value');
    await value.waitFor({ state: 'visible' });
    expect(JSON.parse((await value.textContent()) ?? '')).toEqual(V2);
    expect(page.url()).not.toContain(planted.v2);
    await browser.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByTestId('reveal-copy').click();
    await page.getByTestId('reveal-copied').waitFor();
    const clipboard = () =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText();
    expect(JSON.parse(await page.evaluate(clipboard))).toEqual(V2);
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-filter-secret').fill('dev/web/api-config');
    await page.getByTestId('audit-filter-submit').click();
    await page.waitForURL((url) => url.pathname === '/audit' && url.searchParams.get('secret') !== null);
    const read = page.locator(
      '[data-testid="audit-row"][data-action="get"][data-principal="ana"][data-secret="dev/web/api-config"]',
    );
    await expect(read.count()).resolves.toBe(1);
    await expect(read.getAttribute('data-success')).resolves.toBe('true');
    const bars = page.getByTestId('usage-chart').getByTestId('usage-bar');
    await expect(
      bars.evaluateAll((all) => all.map((bar) => bar.getAttribute('data-service'))),
    ).resolves.toContain('console');
    expect(await page.content()).not.toContain(planted.v2);
    await saveScreenshot(page, 'audit');
    await expectAccessible(page, 'audit');
  });

  it('downloads the access report as CSV from the audit screen, with the read and no value', async () => {
    const page = browser.page();
    await openSecret(page, 'dev/web/report-me');
    await page.getByTestId('reveal-button').click();
    await page.getByTestId('reveal-value').waitFor({ state: 'visible' });
    await page.getByTestId('nav-audit').click();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="report-download"][data-report="access"][data-format="csv"]').click(),
    ]);

    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv).toContain('dev/web/report-me');
    expect(csv).not.toContain(planted.v2);
  });

  it('hides the revealed value again after 30 s', async () => {
    const page = browser.page();
    await page.clock.install();
    await openSecret(page, 'dev/web/hide-me');
    await page.getByTestId('reveal-button').click();
    const value = page.getByTestId('reveal-value');
    await value.waitFor({ state: 'visible' });

    await page.clock.fastForward(29_000);
    await expect(value.isVisible()).resolves.toBe(true);
    await page.clock.fastForward(1_000);

    await value.waitFor({ state: 'hidden' });
    await expect(value.textContent()).resolves.toBe('');
    await expect(page.getByTestId('reveal-button').isVisible()).resolves.toBe(true);
  });

  it('diffs two versions by key: added, removed and changed, never the values', async () => {
    const page = browser.page();
    await openSecret(page, 'dev/web/api-config');
    const [previous] = await versionsWithStage(page, 'AWSPREVIOUS');
    const [current] = await versionsWithStage(page, 'AWSCURRENT');

    await page.getByTestId('diff-from').selectOption(previous!);
    await page.getByTestId('diff-to').selectOption(current!);
    await page.getByTestId('diff-submit').click();

    const result = page.getByTestId('diff-result');
    await result.waitFor();
    const keys = (list: string) => result.getByTestId(list).getByTestId('diff-key').allTextContents();
    await expect(keys('diff-added')).resolves.toEqual(['endpoint']);
    await expect(keys('diff-removed')).resolves.toEqual(['region']);
    await expect(keys('diff-changed')).resolves.toEqual(['token']);
    await expect(result.getByTestId('diff-summary').textContent()).resolves.toMatch(
      /1 added, 1 removed, 1 changed/,
    );
    const html = await page.content();
    expect(html).not.toContain(planted.v1);
    expect(html).not.toContain(planted.v2);
    await saveScreenshot(page, 'secret-diff');
    await expectAccessible(page, 'diff');
  });

  it('rolls back only after a confirmation that says what will change', async () => {
    const page = browser.page();
    await openSecret(page, 'dev/web/roll-me');
    const [previous] = await versionsWithStage(page, 'AWSPREVIOUS');
    const [current] = await versionsWithStage(page, 'AWSCURRENT');
    const dialog = page.getByTestId('confirm-dialog');

    await page.getByTestId('action-rollback').click();
    await dialog.waitFor({ state: 'visible' });
    await expect(page.getByTestId('confirm-message').textContent()).resolves.toContain(
      `AWSCURRENT moves from version ${current} to AWSPREVIOUS (${previous})`,
    );
    await saveScreenshot(page, 'confirm-rollback');
    await page.getByTestId('confirm-cancel').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect(versionsWithStage(page, 'AWSCURRENT')).resolves.toEqual([current]);

    await page.getByTestId('action-rollback').click();
    await page.getByTestId('confirm-ok').click();

    await expect(page.getByTestId('flash').textContent()).resolves.toMatch(/^Rolled back dev\/web\/roll-me/);
    await expect(versionsWithStage(page, 'AWSCURRENT')).resolves.toEqual([previous]);
    await expect(fixture.client.getJson('dev/web/roll-me', { principal: SEEDER })).resolves.toEqual(V1);
  });

  it('rotates now after a confirmation, showing the four steps live until complete', async () => {
    const page = browser.page();
    await page.clock.install();
    await openSecret(page, 'dev/web/rotate-me');
    const [before] = await versionsWithStage(page, 'AWSCURRENT');
    holdTest = true;

    await page.getByTestId('action-rotate').click();
    await expect(page.getByTestId('confirm-message').textContent()).resolves.toMatch(
      /^Rotate dev\/web\/rotate-me now .*: a new version is created, set, tested and made AWSCURRENT\./,
    );
    await page.getByTestId('confirm-ok').click();
    await page.waitForURL((url) => url.searchParams.get('rotation') !== null);
    const progress = page.getByTestId('rotation-progress');
    const step = (name: string) => progress.locator(`[data-step="${name}"]`).getAttribute('data-state');
    await expect(progress.getAttribute('data-state')).resolves.toBe('running');
    await expect(step('finishSecret')).resolves.not.toBe('done');
    await saveScreenshot(page, 'rotation-progress');
    await expectAccessible(page, 'rotation progress');

    openGate();
    await fixture.local.endpoint.rotationsIdle();
    await page.clock.runFor(1_000);

    await page.locator('[data-testid="rotation-progress"][data-state="complete"]').waitFor();
    for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await expect(step(name)).resolves.toBe('done');
    }
    const rotatedTo = new URL(page.url()).searchParams.get('rotation');
    await page.reload();
    await expect(versionsWithStage(page, 'AWSCURRENT')).resolves.toEqual([rotatedTo]);
    await expect(versionsWithStage(page, 'AWSPREVIOUS')).resolves.toEqual([before]);
  });

  it('revokes with a reason, after which reads are refused', async () => {
    const page = browser.page();
    await openSecret(page, 'dev/web/revoke-me');

    await page.getByTestId('revoke-reason').fill('leaked in a build log');
    await page.getByTestId('action-revoke').click();
    await expect(page.getByTestId('confirm-message').textContent()).resolves.toMatch(/every read is denied/);
    await page.getByTestId('confirm-ok').click();

    await expect(page.getByTestId('flash').textContent()).resolves.toMatch(/^Revoked dev\/web\/revoke-me/);
    await expect(page.getByTestId('secret-status').textContent()).resolves.toBe('revoked');
    await expect(page.getByTestId('action-restore').isVisible()).resolves.toBe(true);
    await page.getByTestId('reveal-button').click();
    const refusal = page.getByTestId('reveal-error');
    await refusal.waitFor({ state: 'visible' });
    await expect(refusal.textContent()).resolves.toMatch(/revoked/i);
    await expect(page.getByTestId('reveal-value').textContent()).resolves.toBe('');
    await expect(fixture.client.get('dev/web/revoke-me', { principal: SEEDER })).rejects.toMatchObject({
      code: 'SECRET_REVOKED',
    });
  });
});
