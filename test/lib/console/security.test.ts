import { CONSOLE_CSP } from '../../../lib/console';
import { call, consoleWorld, person, PLANTED, signIn, type ConsoleWorld } from './console-fixture';

describe('console security', () => {
  let world: ConsoleWorld;
  beforeAll(async () => {
    world = await consoleWorld();
  });
  afterAll(() => world.close());

  describe('binding', () => {
    it('listens on 127.0.0.1 by default, with no warning', async () => {
      const running = await world.start(person('ana', 'admin'));
      expect(new URL(running.url).hostname).toBe('127.0.0.1');
      expect(running.warning).toBeUndefined();
    });

    it('warns clearly when bound to a non-loopback address', async () => {
      const running = await world.start(person('ana', 'admin'), { host: '0.0.0.0' });
      expect(running.warning).toMatch(/not loopback: anyone who can reach/);
      expect(world.logLines.some((line) => line.startsWith('warn') && line.includes('not loopback'))).toBe(
        true,
      );
    });
  });

  it('refuses a port in use with a ValidationError naming the port', async () => {
    const running = await world.start(person('ana', 'admin'));
    const port = Number(new URL(running.url).port);
    await expect(world.start(person('ana', 'admin'), { port })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'port',
      message: expect.stringContaining(`port ${port} is in use on 127.0.0.1`),
    });
  });

  describe('Host header', () => {
    it.each(['evil.example:80', 'attacker.test', '127.0.0.1:1', 'localhost'])(
      'refuses Host %j with 421 (DNS rebinding)',
      async (host) => {
        const running = await world.start(person('ana', 'admin'));
        const answer = await call(running.url, '/assets/console.css', { host });
        expect(answer.status).toBe(421);
        expect(answer.body).toContain('data-testid="error-message"');
      },
    );

    it('answers localhost with the bound port', async () => {
      const running = await world.start(person('ana', 'admin'));
      const port = new URL(running.url).port;
      expect((await call(running.url, '/assets/console.css', { host: `localhost:${port}` })).status).toBe(
        200,
      );
    });

    it('refuses a login through a rebound name before spending the token', async () => {
      const running = await world.start(person('ana', 'admin'));
      const login = new URL(running.loginUrl);
      expect(
        (await call(running.url, login.pathname + login.search, { host: `evil.example:${login.port}` }))
          .status,
      ).toBe(421);
      expect((await call(running.url, login.pathname + login.search)).status).toBe(303);
    });
  });

  describe('login token', () => {
    it('signs in once: the same token is refused the second time', async () => {
      const running = await world.start(person('ana', 'admin'));
      const first = await call(running.url, running.loginUrl);
      expect(first.status).toBe(303);
      const second = await call(running.url, running.loginUrl);
      expect(second.status).toBe(401);
      expect(second.headers['set-cookie']).toBeUndefined();
    });

    it('is refused after its lifetime', async () => {
      const running = await world.start(person('ana', 'admin'), { loginTokenTtlMs: 60_000 });
      world.offset.ms += 60_001;
      expect((await call(running.url, running.loginUrl)).status).toBe(401);
    });

    it('refuses a wrong token and a token of another length', async () => {
      const running = await world.start(person('ana', 'admin'));
      const token = new URL(running.loginUrl).searchParams.get('token') ?? '';
      const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      expect((await call(running.url, `/login?token=${wrong}`)).status).toBe(401);
      expect((await call(running.url, `/login?token=${token}x`)).status).toBe(401);
      expect((await call(running.url, '/login')).status).toBe(401);
    });

    it('newLoginUrl gives another working one-time URL', async () => {
      const running = await world.start(person('ana', 'admin'));
      await call(running.url, running.loginUrl);
      expect((await call(running.url, running.newLoginUrl())).status).toBe(303);
    });
  });

  describe('session', () => {
    it('sets the session cookie HttpOnly, SameSite=Strict, Path=/', async () => {
      const running = await world.start(person('ana', 'admin'));
      const answer = await call(running.url, running.loginUrl);
      const cookie = answer.headers['set-cookie']?.[0] ?? '';
      expect(cookie).toMatch(/^keystage_console=[A-Za-z0-9_-]{43}; /);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(cookie).toContain('Path=/');
    });

    it('refuses pages without a session with 401', async () => {
      const running = await world.start(person('ana', 'admin'));
      for (const path of [
        '/',
        '/environments/dev',
        '/secret?name=dev/web/api',
        '/audit',
        '/rotation',
        '/reports/access.csv',
      ]) {
        expect((await call(running.url, path)).status).toBe(401);
      }
      const reveal = await call(running.url, '/secret/reveal', {
        body: '{"name":"dev/web/api"}',
        headers: { 'content-type': 'application/json' },
      });
      expect(reveal.status).toBe(401);
      expect(JSON.parse(reveal.body)).toMatchObject({ error: { code: 'SIGN_IN_REQUIRED' } });
    });

    it('ends after the idle timeout, and a request in time restarts it', async () => {
      const running = await world.start(person('ana', 'admin'), { sessionIdleMs: 60_000 });
      const browser = await signIn(running.loginUrl);
      world.offset.ms += 50_000;
      expect((await browser.get('/rotation')).status).toBe(200);
      world.offset.ms += 50_000;
      expect((await browser.get('/rotation')).status).toBe(200);
      world.offset.ms += 60_000;
      expect((await browser.get('/rotation')).status).toBe(401);
    });

    it('ends at sign-out', async () => {
      const running = await world.start(person('ana', 'admin'));
      const browser = await signIn(running.loginUrl);
      const out = await browser.post('/logout', {});
      expect(out.status).toBe(200);
      expect(out.headers['set-cookie']?.[0]).toContain('Max-Age=0');
      expect((await browser.get('/rotation')).status).toBe(401);
    });
  });

  describe('CSRF', () => {
    it('refuses every write without the token with 403, and changes nothing', async () => {
      const running = await world.start(person('ana', 'admin'));
      const browser = await signIn(running.loginUrl);
      for (const action of [
        'put',
        'rollback',
        'rotate',
        'revoke',
        'restore',
        'delete',
        'undelete',
        'reveal',
      ]) {
        const answer = await browser.get(`/secret/${action}`, {
          method: 'POST',
          form: { name: 'dev/web/token', value: 'x', reason: 'r' },
        });
        expect([action, answer.status]).toEqual([action, 403]);
      }
      expect(await world.seed.get('dev/web/token')).toBe(`${PLANTED}-token`);
      expect((await world.seed.describe('dev/web/token')).keystage.status).toBe('active');
    });

    it('refuses a token of another session', async () => {
      const running = await world.start(person('ana', 'admin'));
      const one = await signIn(running.loginUrl);
      const other = await signIn(running.newLoginUrl());
      const answer = await one.get('/secret/reveal', {
        method: 'POST',
        body: JSON.stringify({ name: 'dev/web/token' }),
        headers: { 'content-type': 'application/json', 'x-csrf-token': other.csrf },
      });
      expect(answer.status).toBe(403);
      expect(answer.body).not.toContain(PLANTED);
    });

    it('refuses a write whose Origin is another site, even with the token', async () => {
      const running = await world.start(person('ana', 'admin'));
      const browser = await signIn(running.loginUrl);
      const answer = await browser.post(
        '/secret/revoke',
        { name: 'dev/web/token', reason: 'x' },
        { headers: { origin: 'http://evil.example' } },
      );
      expect(answer.status).toBe(403);
      expect((await world.seed.describe('dev/web/token')).keystage.status).toBe('active');
    });
  });

  describe('headers', () => {
    it('sends the strict CSP and Cache-Control: no-store on every response, errors included', async () => {
      const running = await world.start(person('ana', 'admin'));
      const browser = await signIn(running.loginUrl);
      const answers = await Promise.all([
        browser.get('/environments/dev'),
        browser.get('/secret?name=dev/web/api'),
        browser.get('/audit'),
        browser.get('/rotation'),
        browser.get('/reports/access.csv'),
        browser.get('/assets/console.js'),
        browser.get('/nowhere'),
        call(running.url, '/'),
        call(running.url, '/', { host: 'evil.example' }),
        browser.post('/secret/reveal', { name: 'dev/web/token' }),
      ]);
      for (const answer of answers) {
        expect(answer.headers['content-security-policy']).toBe(CONSOLE_CSP);
        expect(answer.headers['cache-control']).toBe('no-store');
        expect(answer.headers['x-content-type-options']).toBe('nosniff');
      }
      expect(CONSOLE_CSP).toContain("script-src 'self'");
      expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    });

    it('serves pages with no inline script, no inline style and no style attribute', async () => {
      const running = await world.start(person('ana', 'admin'));
      const browser = await signIn(running.loginUrl);
      for (const path of [
        '/environments/dev',
        '/secret?name=dev/web/api&from=AWSPREVIOUS&to=AWSCURRENT',
        '/audit?secret=dev/web/api',
        '/rotation',
      ]) {
        const { body } = await browser.get(path);
        expect(body).not.toMatch(/<script(?![^>]*\bsrc="\/assets\/console\.js")/);
        expect(body).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
      }
    });
  });

  describe('bad input', () => {
    it('answers 4xx, never 500', async () => {
      const running = await world.start(person('ana', 'admin'));
      const browser = await signIn(running.loginUrl);
      const answers = [
        await browser.get('/secret'),
        await browser.get('/secret?name=dev/web/nothing-here'),
        await browser.get('/secret?name=dev/web/api&from=AWSCURRENT'),
        await browser.get('/secret?name=dev/web/api&from=%3Cscript%3E&to=AWSCURRENT'),
        await browser.get('/environments/%E0%A4%A'),
        await browser.get('/audit?from=yesterday'),
        await browser.get('/audit?success=maybe'),
        await browser.get('/reports/access.pdf'),
        await browser.get('/reports/everything.csv'),
        await browser.get('/api/rotation?name=dev/web/api&version=abc'),
        await browser.post('/secret/delete', { name: 'dev/web/token', recoveryWindowDays: '3' }),
        await browser.post('/secret/revoke', { name: 'dev/web/token' }),
        await browser.post('/secret/nothing', { name: 'dev/web/token' }),
        await browser.get('/secret/reveal', {
          method: 'POST',
          body: '{not json',
          headers: { 'content-type': 'application/json', 'x-csrf-token': browser.csrf },
        }),
        await browser.get('/secret/reveal', {
          method: 'POST',
          body: 'x',
          headers: { 'content-type': 'text/plain', 'x-csrf-token': browser.csrf },
        }),
        await browser.get('/secret/reveal', {
          method: 'POST',
          body: 'x'.repeat(300_000),
          headers: { 'content-type': 'application/json', 'x-csrf-token': browser.csrf },
        }),
        await browser.get('/', { method: 'PUT' }),
      ];
      for (const answer of answers) {
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
      }
      expect(await world.seed.get('dev/web/token')).toBe(`${PLANTED}-token`);
    });

    it('escapes names and filters in pages', async () => {
      const running = await world.start(person('ana', 'admin'));
      const browser = await signIn(running.loginUrl);
      const { body } = await browser.get('/environments/dev?q=%3Cimg%20src%3Dx%3E');
      expect(body).not.toContain('<img src=x>');
      expect(body).toContain('&lt;img src=x&gt;');
    });
  });
});
