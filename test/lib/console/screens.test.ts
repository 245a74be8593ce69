import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import {
  consoleWorld,
  elements,
  texts,
  LAMBDA,
  person,
  PLANTED,
  signIn,
  type Browser,
  type ConsoleWorld,
} from './console-fixture';

/** The `<attribute>` values of every element with `data-testid="<testId>"`. */
function attributes(body: string, testId: string, attribute: string): string[] {
  return elements(body, testId).map((element) => element[attribute] ?? '');
}

function row(body: string, secret: string): Record<string, string> | undefined {
  return elements(body, 'secret-row').find((element) => element['data-secret'] === secret);
}

describe('console screens', () => {
  let world: ConsoleWorld;
  let admin: Browser;
  let developer: Browser;
  beforeAll(async () => {
    world = await consoleWorld();
    admin = await signIn((await world.start(person('ana', 'admin'))).loginUrl);
    developer = await signIn((await world.start(person('dev', 'developer'))).loginUrl);
  });
  afterAll(() => world.close());

  describe('environments', () => {
    it('switches between the environments the role may see', async () => {
      const page = await admin.get('/environments/staging');
      expect(attributes(page.body, 'env-option', 'data-env')).toEqual(['dev', 'staging', 'prod']);
      expect(elements(page.body, 'env-option').find((e) => e['data-env'] === 'staging')).toHaveProperty(
        'aria-current',
        'page',
      );
      expect(attributes(page.body, 'secret-row', 'data-secret')).toEqual(['staging/web/db']);
    });

    it('sends / to the first visible environment', async () => {
      const answer = await developer.get('/');
      expect(answer.status).toBe(303);
      expect(answer.headers.location).toBe('/environments/dev');
    });

    it("leaves production out of a developer's switcher and refuses its pages with 403", async () => {
      const page = await developer.get('/environments/dev');
      expect(attributes(page.body, 'env-option', 'data-env')).toEqual(['dev']);
      expect((await developer.get('/environments/prod')).status).toBe(403);
      const secret = await developer.get('/secret?name=prod/billing/stripe');
      expect(secret.status).toBe(403);
      expect(secret.body).toContain('data-testid="error-message"');
      const reveal = await developer.post('/secret/reveal', { name: 'prod/billing/stripe' });
      expect(reveal.status).toBe(403);
      expect(reveal.body).not.toContain(PLANTED);
    });
  });

  describe('secrets table', () => {
    it('shows name, kind, status, rotation and replicas, never a value', async () => {
      const page = await admin.get('/environments/dev');
      expect(attributes(page.body, 'secret-row', 'data-secret')).toEqual(['dev/web/api', 'dev/web/token']);
      expect(attributes(page.body, 'secret-row', 'data-status')).toEqual(['active', 'active']);
      expect(texts(page.body, 'secret-kind')).toEqual(['json', 'generic']);
      expect(texts(page.body, 'secret-replicas')).toEqual(['none', 'none']);
      expect(page.body).not.toContain(PLANTED);
    });

    it('filters rows by ?q=', async () => {
      const page = await admin.get('/environments/dev?q=token');
      expect(attributes(page.body, 'secret-row', 'data-secret')).toEqual(['dev/web/token']);
      expect((await admin.get('/environments/dev?q=zzz')).body).toContain('data-testid="secrets-empty"');
    });
  });

  describe('secret page', () => {
    it('shows the versions timeline with stages and a diff of keys, never values', async () => {
      const page = await admin.get('/secret?name=dev/web/api&from=AWSPREVIOUS&to=AWSCURRENT');
      expect(page.status).toBe(200);
      expect(attributes(page.body, 'version-item', 'data-version-id')).toHaveLength(2);
      expect(texts(page.body, 'version-stage').sort()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
      expect(texts(page.body, 'diff-summary')).toEqual(['1 added, 0 removed, 1 changed, 1 unchanged.']);
      expect(page.body).toMatch(/data-testid="diff-added">.*<code>host<\/code>/s);
      expect(page.body).toMatch(/data-testid="diff-changed">.*<code>password<\/code>/s);
      expect(page.body).not.toContain(PLANTED);
    });

    it('shows an admin every action and a developer only those the role allows', async () => {
      const buttons = (body: string): string[] => attributes(body, 'action-[a-z]+', 'data-testid');
      expect(buttons((await admin.get('/secret?name=dev/web/api')).body)).toEqual([
        'action-put',
        'action-rollback',
        'action-revoke',
        'action-delete',
      ]);
      // developer: view and edit development, no delete (so no revoke and no deletion).
      expect(buttons((await developer.get('/secret?name=dev/web/api')).body)).toEqual([
        'action-put',
        'action-rollback',
      ]);
    });

    it('refuses with 403 an action whose button is absent, and changes nothing', async () => {
      const answer = await developer.post('/secret/revoke', { name: 'dev/web/token', reason: 'test' });
      expect(answer.status).toBe(403);
      expect((await world.seed.describe('dev/web/token')).keystage.status).toBe('active');
      expect((await developer.post('/secret/delete', { name: 'dev/web/token' })).status).toBe(403);
      expect((await world.seed.describe('dev/web/token')).deletionDate).toBeUndefined();
    });
  });

  describe('reveal', () => {
    it('answers the value by POST with no-store, and the read is audited for the principal', async () => {
      const before = world.events.length;
      const answer = await admin.post('/secret/reveal', { name: 'dev/web/token' });
      expect(answer.status).toBe(200);
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(JSON.parse(answer.body)).toEqual({ name: 'dev/web/token', value: `${PLANTED}-token` });
      const read = world.events.slice(before).find((e) => e.action === 'get');
      expect(read).toMatchObject({
        event_type: 'secret_access',
        user_id: 'ana',
        secret_name: 'dev/web/token',
        success: true,
      });
    });

    it('takes the CSRF token from the x-csrf-token header with a JSON body, as the script sends it', async () => {
      const answer = await admin.get('/secret/reveal', {
        method: 'POST',
        body: JSON.stringify({ name: 'dev/web/token' }),
        headers: { 'content-type': 'application/json', 'x-csrf-token': admin.csrf },
      });
      expect(answer.status).toBe(200);
    });

    it('keeps the value out of every page, log line and audit event', async () => {
      const pages = await Promise.all(
        [
          '/environments/dev',
          '/secret?name=dev/web/token',
          '/audit',
          '/audit?secret=dev/web/token',
          '/rotation',
          '/reports/access.json',
          '/reports/changes.md',
          '/reports/compliance.csv',
          '/reports/security.json',
        ].map((path) => admin.get(path)),
      );
      for (const page of pages) expect(page.body).not.toContain(PLANTED);
      expect(world.logLines.join('\n')).not.toContain(PLANTED);
      expect(JSON.stringify(world.events)).not.toContain(PLANTED);
    });
  });

  describe('actions', () => {
    it('stores a new version, then rolls back, each with a flash message', async () => {
      await world.seed.create({
        name: 'flow',
        kind: 'generic',
        environment: 'dev',
        service: 'web',
        value: 'one',
      });
      const put = await admin.post('/secret/put', { name: 'dev/web/flow', value: `${PLANTED}-new` });
      expect(put.status).toBe(303);
      expect(put.headers.location).toBe('/secret?name=dev%2Fweb%2Fflow');
      expect(await world.seed.get('dev/web/flow')).toBe(`${PLANTED}-new`);
      const page = await admin.get(put.headers.location ?? '');
      expect(texts(page.body, 'flash')[0]).toMatch(/^Stored version [0-9a-f-]+ of dev\/web\/flow/);
      expect((await admin.get(put.headers.location ?? '')).body).not.toContain('data-testid="flash"');
      const rollback = await admin.post('/secret/rollback', { name: 'dev/web/flow' });
      expect(rollback.status).toBe(303);
      expect(await world.seed.get('dev/web/flow')).toBe('one');
      expect(texts((await admin.get(rollback.headers.location ?? '')).body, 'flash')[0]).toMatch(
        /^Rolled back dev\/web\/flow: AWSCURRENT moved from/,
      );
    });

    it('refuses a value of the wrong shape with 400, naming the field and never the value', async () => {
      const answer = await admin.post('/secret/put', { name: 'dev/web/api', value: `not json ${PLANTED}` });
      expect(answer.status).toBe(400);
      expect(texts(answer.body, 'error-message')[0]).not.toBe('');
      expect(answer.body).not.toContain(PLANTED);
      expect(world.logLines.join('\n')).not.toContain(PLANTED);
    });

    it('revokes (reads refused), restores, schedules deletion and undeletes', async () => {
      await world.seed.create({
        name: 'cycle',
        kind: 'generic',
        environment: 'dev',
        service: 'web',
        value: `${PLANTED}-cycle`,
      });
      expect((await admin.post('/secret/revoke', { name: 'dev/web/cycle', reason: 'leaked' })).status).toBe(
        303,
      );
      const refused = await admin.post('/secret/reveal', { name: 'dev/web/cycle' });
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'SECRET_REVOKED' } });
      const revokedPage = await admin.get('/secret?name=dev/web/cycle');
      expect(revokedPage.body).toContain('data-testid="action-restore"');
      expect(row((await admin.get('/environments/dev')).body, 'dev/web/cycle')).toHaveProperty(
        'data-status',
        'revoked',
      );
      expect((await admin.post('/secret/restore', { name: 'dev/web/cycle' })).status).toBe(303);
      expect((await admin.post('/secret/reveal', { name: 'dev/web/cycle' })).status).toBe(200);
      expect(
        (await admin.post('/secret/delete', { name: 'dev/web/cycle', recoveryWindowDays: '7' })).status,
      ).toBe(303);
      expect(row((await admin.get('/environments/dev')).body, 'dev/web/cycle')).toHaveProperty(
        'data-status',
        'scheduled-for-deletion',
      );
      expect((await admin.get('/secret?name=dev/web/cycle')).body).toContain('data-testid="action-undelete"');
      expect((await admin.post('/secret/undelete', { name: 'dev/web/cycle' })).status).toBe(303);
      expect((await world.seed.describe('dev/web/cycle')).deletionDate).toBeUndefined();
    });

    it('rotates now and reports the four steps until complete', async () => {
      world.local.endpoint.registerRotationHandler(LAMBDA, async (event) => {
        if (event.Step === 'createSecret') {
          await world.seed.put('dev/web/rotating', 'after', {
            clientRequestToken: event.ClientRequestToken,
            versionStages: ['AWSPENDING'],
          });
        }
        if (event.Step === 'finishSecret')
          await world.seed.rollback('dev/web/rotating', { toVersionId: event.ClientRequestToken });
      });
      await world.seed.create({
        name: 'rotating',
        kind: 'generic',
        environment: 'dev',
        service: 'web',
        value: 'before',
      });
      await world.local.sm().send(
        new RotateSecretCommand({
          SecretId: 'dev/web/rotating',
          RotationLambdaARN: LAMBDA,
          RotateImmediately: false,
        }),
      );
      await world.local.endpoint.rotationsIdle();
      const page = await admin.get('/secret?name=dev/web/rotating');
      expect(page.body).toContain('data-testid="action-rotate"');
      const started = await admin.post('/secret/rotate', { name: 'dev/web/rotating' });
      expect(started.status).toBe(303);
      const location = started.headers.location ?? '';
      const version = new URL(location, 'http://x').searchParams.get('rotation') ?? '';
      expect(version).not.toBe('');
      await world.local.endpoint.rotationsIdle();
      const progress = await admin.get(`/api/rotation?name=dev%2Fweb%2Frotating&version=${version}`);
      expect(JSON.parse(progress.body)).toMatchObject({
        state: 'complete',
        steps: [
          { step: 'createSecret', state: 'done' },
          { step: 'setSecret', state: 'done' },
          { step: 'testSecret', state: 'done' },
          { step: 'finishSecret', state: 'done' },
        ],
      });
      const shown = await admin.get(location);
      expect(attributes(shown.body, 'rotation-progress', 'data-state')).toEqual(['complete']);
      expect(
        (
          await admin.get(
            '/api/rotation?name=dev%2Fweb%2Frotating&version=00000000-0000-0000-0000-000000000000',
          )
        ).status,
      ).toBe(404);
    });
  });

  describe('audit', () => {
    it('lists events with filters by secret, principal, action and success', async () => {
      await admin.post('/secret/reveal', { name: 'dev/web/token' });
      const page = await admin.get('/audit?secret=dev/web/token&principal=ana&action=get&success=true');
      const actions = attributes(page.body, 'audit-row', 'data-action');
      expect(actions.length).toBeGreaterThan(0);
      expect(new Set(actions)).toEqual(new Set(['get']));
      expect(new Set(attributes(page.body, 'audit-row', 'data-principal'))).toEqual(new Set(['ana']));
      const none = await admin.get('/audit?secret=dev/web/token&success=false&action=get');
      expect(none.body).toContain('data-testid="audit-empty"');
      const future = await admin.get('/audit?from=2099-01-01T00:00Z');
      expect(future.body).toContain('data-testid="audit-empty"');
    });

    it('shows a developer no events about secrets it may not list', async () => {
      await admin.post('/secret/reveal', { name: 'prod/billing/stripe' });
      const page = await developer.get('/audit');
      expect(attributes(page.body, 'audit-row', 'data-secret').some((s) => s.startsWith('prod/'))).toBe(
        false,
      );
      expect(attributes((await admin.get('/audit')).body, 'audit-row', 'data-secret')).toContain(
        'prod/billing/stripe',
      );
    });

    it('draws the usage chart of a secret per hour and service as inline SVG', async () => {
      const page = await admin.get('/audit?secret=dev/web/token');
      expect(elements(page.body, 'usage-chart')).toEqual([expect.objectContaining({ role: 'img' })]);
      expect(page.body).toMatch(/<svg\s[^>]*data-testid="usage-chart"/);
      const counts = attributes(page.body, 'usage-bar', 'data-count').map(Number);
      expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect(new Set(attributes(page.body, 'usage-bar', 'data-service'))).toEqual(new Set(['console']));
    });

    it.each([
      ['access', 'csv', 'text/csv'],
      ['changes', 'json', 'application/json'],
      ['security', 'md', 'text/markdown'],
      ['compliance', 'csv', 'text/csv'],
    ])('downloads the %s report as %s', async (kind, format, type) => {
      const answer = await admin.get(`/reports/${kind}.${format}`);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toContain(type);
      expect(answer.headers['content-disposition']).toBe(
        `attachment; filename="keystage-${kind}-report.${format}"`,
      );
      if (format === 'json') expect(JSON.parse(answer.body)).toMatchObject({ kind: 'changes' });
    });

    it('links every report in every format', async () => {
      const page = await admin.get('/audit');
      expect(attributes(page.body, 'report-download', 'data-report')).toHaveLength(12);
    });
  });

  describe('rotation health', () => {
    it('lists failed rotations first', async () => {
      await world.seed.create({
        name: 'broken',
        kind: 'generic',
        environment: 'dev',
        service: 'web',
        value: 'x',
      });
      // A rotate the service refuses (no rotation function) is a failed rotation in the audit trail.
      await world.client
        .rotate('dev/web/broken', { principal: person('ana', 'admin') })
        .catch(() => undefined);
      const page = await admin.get('/rotation');
      const rows = attributes(page.body, 'health-row', 'data-secret');
      expect(rows[0]).toBe('dev/web/broken');
      expect(attributes(page.body, 'health-row', 'data-health')[0]).toBe('failed');
    });

    it('shows a developer only development secrets', async () => {
      const rows = attributes((await developer.get('/rotation')).body, 'health-row', 'data-secret');
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((name) => name.startsWith('dev/'))).toBe(true);
    });
  });

  it('serves the script and stylesheet it links', async () => {
    const js = await admin.get('/assets/console.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toContain('text/javascript');
    expect(js.body).toContain('/secret/reveal');
    expect((await admin.get('/assets/console.css')).headers['content-type']).toContain('text/css');
  });
});
