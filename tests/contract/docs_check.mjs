// Opens /docs in a headless Chromium (Debian's package, driven by
// playwright-core) and checks that the page renders the OpenAPI document by
// itself: every operation listed, roles shown, no request leaving the server's
// origin, no script error. Saves two screenshots: the top of the page and an
// opened operation. Before that, it checks that /openapi.json is exactly
// openapi/openapi.yaml and that the operations endpoints, which the
// integration suites do not call, answer as the document says.
//
//   node tests/contract/docs_check.mjs [screenshot.png]
//
// Needs a PostgreSQL cluster for the server (PGHOST, as tests/run.sh or
// deploy/lib/pg.sh's opop_pg_start provide) and OPOP_BIN or build/opop-api.
// Exits 0 when every check passes.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../integration/lib/harness.mjs';
import { loadSpec, specOperations } from './lib/spec.mjs';
import { createValidator } from './lib/validator.mjs';
import { isDeepStrictEqual } from 'node:util';

const shot = process.argv[2] || join(tmpdir(), 'opop-docs.png');
const browserPath = process.env.OPOP_CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'ok' : 'not ok'} - ${what}`); if (!ok) failures.push(what); };

const spec = loadSpec();
const operations = specOperations(spec);
const profile = mkdtempSync(join(tmpdir(), 'opop-docs-profile-'));
let server, browser;
try {
  if (!browserPath) throw new Error('no Chromium found (apt-get install chromium, or set OPOP_CHROMIUM)');
  server = await startServer();
  const served = await (await fetch(server.base + '/openapi.json')).json();
  check(isDeepStrictEqual(served, spec), '/openapi.json is openapi/openapi.yaml as built');
  const validator = createValidator(spec);
  for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
    const r = await fetch(server.base + path);
    const { problems } = validator.check('GET', path, r.status, r.headers, await r.text());
    check(r.status === 200 && problems.length === 0, `GET ${path} answers as documented` + (problems.length ? ': ' + problems.join('; ') : ''));
  }
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: browserPath,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = browser.pages()[0] || (await browser.newPage());
  const foreign = [];
  const errors = [];
  const origin = new URL(server.base).origin;
  page.on('request', (req) => { if (!req.url().startsWith(origin) && !req.url().startsWith('data:')) foreign.push(req.url()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  // The browser asks for /favicon.ico by itself; the API has none (404), which is fine.
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} for ${r.url()}`); });

  const res = await page.goto(server.base + '/docs', { waitUntil: 'load' });
  check(res && res.status() === 200, '/docs answers 200');
  await page.waitForSelector('body[data-rendered]', { timeout: 15000 });

  const listed = await page.$$eval('details.op[id^="op-"] > summary', (nodes) => nodes.map((n) => {
    const m = n.querySelector('.method')?.textContent.trim();
    const p = n.querySelector('.path')?.textContent.trim();
    return `${m} ${p}`;
  }));
  const want = operations.map((o) => `${o.method} ${o.path}`);
  const missing = want.filter((w) => !listed.includes(w));
  check(missing.length === 0, `every operation of the document is listed (${listed.length}/${want.length})` + (missing.length ? `; missing: ${missing.join(', ')}` : ''));
  check((await page.$$eval('nav a .method', (n) => n.length)) === want.length, 'the side bar links every operation');
  check(await page.isVisible('text=pesantrenpreneur'), 'the introduction with the terms is rendered');
  check((await page.$$eval('.role', (n) => n.length)) >= want.length, 'roles are shown for every operation');
  await page.screenshot({ path: shot, fullPage: false });

  // Open one operation and check that its schema and roles render.
  const target = operations.find((o) => o.method === 'POST' && o.path === '/v1/pesantren');
  if (target) {
    await page.click(`#op-${target.op.operationId} > summary`);
    const text = await page.textContent(`#op-${target.op.operationId}`);
    check(/nspp/.test(text) && /region_code/.test(text) && /422/.test(text), 'an opened operation shows its body schema and error statuses');
  }
  await page.fill('#filter', 'pesantren');
  const visible = await page.$$eval('details.op[id^="op-"]', (n) => n.filter((d) => !d.classList.contains('hidden')).length);
  check(visible > 0 && visible < want.length, `the filter narrows the list (${visible} shown for "pesantren")`);
  await page.fill('#filter', '');
  if (target) await page.locator(`#op-${target.op.operationId}`).scrollIntoViewIfNeeded();
  const opShot = shot.replace(/(\.png)?$/, '-operation.png');
  await page.screenshot({ path: opShot, fullPage: false });
  console.log(`# screenshots: ${shot} ${opShot}`);
  check(foreign.length === 0, 'no request leaves the server' + (foreign.length ? ': ' + foreign.join(', ') : ''));
  check(errors.length === 0, 'no script errors' + (errors.length ? ': ' + errors.join(' | ') : ''));
} catch (e) {
  check(false, `the check ran: ${e.stack || e}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) await server.stop().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
console.log(failures.length ? `# docs check failed: ${failures.length}` : '# docs check passed');
process.exit(failures.length ? 1 : 0);
