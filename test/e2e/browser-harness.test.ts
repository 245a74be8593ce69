/**
 * The browser harness itself, on a tiny page served with the console's kind of strict CSP:
 * axe must still be injectable (and must fail a page with real violations), screenshots land
 * in the artifact folder, the page clock fast-forwards timers, and a missing Chromium says
 * how to install it.
 */
import { existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  axeViolations,
  expectAccessible,
  launchChromium,
  pageProblems,
  saveScreenshot,
  SCREENSHOT_DIR,
  useBrowser,
} from '../support/browser';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const pages: Record<string, { type: string; body: string }> = {
  '/good': {
    type: 'text/html',
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harness</title>
<script src="/reveal.js" defer></script></head>
<body><main><h1>Harness</h1><button type="button" id="reveal">Reveal</button>
<output id="value" hidden>shown</output></main></body></html>`,
  },
  '/bad': {
    type: 'text/html',
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad</title></head>
<body><main><h1>Bad</h1><img src="/missing.png"><button type="button"></button></main></body></html>`,
  },
  '/inline': {
    type: 'text/html',
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Inline</title></head>
<body><main><h1>Inline</h1><img src="/missing.png" alt=""><script>document.title = 'ran';</script></main></body></html>`,
  },
  '/reveal.js': {
    type: 'text/javascript',
    body: `document.getElementById('reveal').addEventListener('click', () => {
  const value = document.getElementById('value');
  value.hidden = false;
  setTimeout(() => { value.hidden = true; }, 30000);
});`,
  },
};

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const page = pages[req.url ?? ''];
    res.setHeader('content-security-policy', CSP);
    if (page === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', `${page.type}; charset=utf-8`);
    res.end(page.body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
});

describe('browser harness', () => {
  const browser = useBrowser();

  it('injects axe under a strict CSP and passes an accessible page', async () => {
    const page = browser.page();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    await page.goto(`${base}/good`);

    await expect(expectAccessible(page, 'harness')).resolves.toBeUndefined();
    expect(refused).toEqual([]);
  });

  it('fails a page with critical violations, naming each rule and element', async () => {
    const page = browser.page();
    await page.goto(`${base}/bad`);

    expect((await axeViolations(page)).map((violation) => violation.id).sort()).toEqual([
      'button-name',
      'image-alt',
    ]);
    await expect(expectAccessible(page, 'bad')).rejects.toThrow(
      /2 serious or critical accessibility violation\(s\) on the bad screen[\s\S]*\[critical\] button-name[\s\S]*\[critical\] image-alt: .* at img/,
    );
  });

  it('saves a full-page screenshot under test-artifacts/console', async () => {
    const page = browser.page();
    await page.goto(`${base}/good`);

    const path = await saveScreenshot(page, 'harness');

    expect(path).toBe(`${SCREENSHOT_DIR}/harness.png`);
    expect(existsSync(path) && statSync(path).size).toBeGreaterThan(1000);
    await expect(saveScreenshot(page, '../escape')).rejects.toThrow(/must be kebab-case/);
  });

  it('fast-forwards page timers with the clock instead of waiting', async () => {
    const page = browser.page();
    await page.clock.install();
    await page.goto(`${base}/good`);
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect(page.locator('#value').isVisible()).resolves.toBe(true);

    await page.clock.fastForward(29_000);
    await expect(page.locator('#value').isVisible()).resolves.toBe(true);
    await page.clock.fastForward(1_000);

    await expect(page.locator('#value').isVisible()).resolves.toBe(false);
  });

  it('reports an inline script the CSP refused and a failed request as page problems', async () => {
    const page = browser.page();
    const problems = pageProblems(page);

    await page.goto(`${base}/inline`);

    await expect(page.title()).resolves.toBe('Inline');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^console error: .*Content Security Policy/),
        `404 GET ${base}/missing.png`,
      ]),
    );
  });

  it('gives each test a fresh context: no cookies carry over', async () => {
    await expect(browser.context().cookies()).resolves.toEqual([]);
    await browser.context().addCookies([{ name: 'session', value: 'x', url: base }]);
    await expect(browser.context().cookies()).resolves.toHaveLength(1);
  });
});

describe('launchChromium', () => {
  it('says to apt-get install chromium when the binary is missing', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      /not installed at \/nonexistent\/chromium[\s\S]*`apt-get install chromium`/,
    );
  });
});
