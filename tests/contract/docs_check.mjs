// Opens /docs in a headless Chromium (Debian's package, driven by
// playwright-core) and checks what a person trying the API relies on: Swagger
// UI renders every operation of the document under the page's
// Content-Security-Policy (no violation, no script error, no request leaving
// the server's origin); a token from signing in is pasted into "Authorize";
// GET /v1/pesantren is tried from the page and its 200 answer is shown.
// Before that, without a browser: /openapi.json is exactly
// openapi/openapi.yaml, the operations endpoints answer as the document says,
// and the page's files are served safely (their type, nosniff, a CSP of this
// origin only, nothing outside the listed files, whatever the path says).
//
//   node tests/contract/docs_check.mjs [screenshot.png]
//
// Needs a PostgreSQL cluster for the server (PGHOST, as tests/run.sh or
// deploy/lib/pg.sh's opop_pg_start provide), OPOP_BIN or build/opop-api, and
// the renderer in OPOP_DOCS_DIR (deploy/lib/docs_assets.sh). Exits 0 when
// every check passes.
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { startServer } from '../integration/lib/harness.mjs';
import { loadSpec, specOperations } from './lib/spec.mjs';
import { createValidator } from './lib/validator.mjs';
import { launchBrowser } from './lib/browser.mjs';

const shot = process.argv[2] || join(tmpdir(), 'opop-docs.png');
const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'ok' : 'not ok'} - ${what}`); if (!ok) failures.push(what); };

const ASSETS = {
  'init.js': 'text/javascript',
  'swagger-ui-bundle.js': 'text/javascript',
  'swagger-ui.css': 'text/css',
  LICENSE: 'text/plain',
  NOTICE: 'text/plain',
};
// Paths that must not reach a file: climbing out (plain and encoded), files
// beside the renderer that are not listed, an empty name, a NUL.
const HOSTILE = ['/docs/../openapi.json', '/docs/..%2fopenapi.json', '/docs/%2e%2e/%2e%2e/etc/passwd',
  '/docs/..%2f..%2f..%2fetc%2fpasswd', '/docs/....//....//etc/passwd', '/docs/%2fetc%2fpasswd',
  '/docs/VERSION', '/docs/swagger-ui-bundle.js.map', '/docs/index.html', '/docs/LICENSE%00.js',
  '/docs/.%2e/LICENSE', '/docs/', '/docs/init.js/..'];

/** One request with the path sent exactly as given (fetch would normalise it). */
function rawGet(base, path) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function checkServedFiles(server, validator) {
  for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs', ...Object.keys(ASSETS).map((a) => '/docs/' + a)]) {
    const r = await fetch(server.base + path);
    const { problems } = validator.check('GET', path, r.status, r.headers, await r.text());
    check(r.status === 200 && problems.length === 0, `GET ${path} answers as documented` + (problems.length ? ': ' + problems.join('; ') : ''));
  }
  for (const [name, type] of Object.entries({ '': 'text/html', ...ASSETS })) {
    const path = name ? '/docs/' + name : '/docs';
    const r = await fetch(server.base + path, { headers: { 'Accept-Encoding': 'identity' } });
    const csp = r.headers.get('content-security-policy') || '';
    check(r.status === 200 && (r.headers.get('content-type') || '').startsWith(type + ';') &&
      r.headers.get('x-content-type-options') === 'nosniff' && /(^|; )default-src 'self'(;|$)/.test(csp) &&
      !/unsafe-|https?:|\*/.test(csp),
    `${path}: ${type}, nosniff, a Content-Security-Policy of this origin only (${r.headers.get('content-type')}; ${csp})`);
  }
  const license = await fetch(server.base + '/docs/LICENSE');
  check(/Apache License/.test(await license.text()), "the renderer's licence is served beside it");
  for (const encoding of ['identity', 'gzip']) {
    const again = await fetch(server.base + '/docs/swagger-ui-bundle.js', { headers: { 'Accept-Encoding': encoding } });
    await again.arrayBuffer();
    const tag = again.headers.get('etag');
    const cached = await fetch(server.base + '/docs/swagger-ui-bundle.js', { headers: { 'If-None-Match': tag, 'Accept-Encoding': encoding } });
    const { problems } = validator.check('GET', '/docs/{asset}', cached.status, cached.headers, await cached.text());
    check(cached.status === 304 && problems.length === 0, `a browser holding the renderer (${encoding}, ${tag}) revalidates it with 304` + (problems.length ? ': ' + problems.join('; ') : ''));
  }
  for (const path of HOSTILE) {
    const r = await rawGet(server.base, path);
    check(r.status >= 400 && r.status < 500 && !/root:|"openapi"|Apache License/.test(r.body),
      `${path} reaches no file (${r.status})`);
  }
}

/** Everything that goes wrong in the page: foreign requests, errors, CSP violations. */
function watch(page, origin) {
  const seen = { foreign: [], errors: [], csp: [] };
  page.on('request', (req) => { if (!req.url().startsWith(origin) && !req.url().startsWith('data:')) seen.foreign.push(req.url()); });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) seen.csp.push(m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) seen.errors.push(`${r.status()} for ${r.url()}`); });
  return seen;
}

async function checkRendered(page, operations) {
  await page.waitForSelector('body[data-rendered] .opblock', { state: 'attached', timeout: 30000 });
  const listed = await page.$$eval('.opblock .opblock-summary', (nodes) => nodes.map((n) => {
    const m = n.querySelector('.opblock-summary-method')?.textContent.trim();
    const p = n.querySelector('.opblock-summary-path')?.getAttribute('data-path');
    return `${m} ${p}`;
  }));
  const want = operations.map((o) => `${o.method} ${o.path}`);
  const missing = want.filter((w) => !listed.includes(w));
  check(missing.length === 0 && listed.length === want.length,
    `every operation of the document is rendered (${listed.length}/${want.length})` + (missing.length ? `; missing: ${missing.join(', ')}` : ''));
  check(await page.isVisible('text=pesantrenpreneur'), 'the introduction with the terms is rendered');
}

async function authorize(page, token) {
  await page.click('.scheme-container .btn.authorize');
  const dialog = page.locator('.modal-ux');
  await dialog.locator('input').first().fill(token);
  await dialog.locator('button.authorize').click();
  const taken = await dialog.locator('button', { hasText: 'Logout' }).waitFor({ timeout: 5000 }).then(() => true, () => false);
  check(taken, 'the token is taken in the Authorize dialog');
  await dialog.locator('button.btn-done').click();
}

async function tryList(page, origin, name) {
  const sent = [];
  page.on('request', (req) => { if (req.url().startsWith(origin + '/v1/pesantren')) sent.push(req.headers().authorization || ''); });
  const op = page.locator('#operations-Pesantren-listPesantren');
  await op.locator('.opblock-summary').first().click();
  await op.locator('button.try-out__btn').click();
  await op.locator('button.execute').click();
  const answer = op.locator('.live-responses-table tr.response');
  await answer.waitFor({ timeout: 15000 });
  const status = answer.locator('.response-col_status');
  const body = await answer.locator('.response-col_description').textContent();
  check(sent.length === 1 && /^Bearer opop_/.test(sent[0]), 'the tried request carries the pasted token');
  check((await status.textContent()).trim() === '200' && body.includes(name),
    `GET /v1/pesantren tried from the page answers 200 with the list shown (${(await status.textContent()).trim()})`);
  await answer.scrollIntoViewIfNeeded();
}

async function main() {
  const spec = loadSpec();
  const operations = specOperations(spec);
  let server, browser;
  try {
    server = await startServer();
    const served = await (await fetch(server.base + '/openapi.json')).json();
    check(isDeepStrictEqual(served, spec), '/openapi.json is openapi/openapi.yaml as built');
    await checkServedFiles(server, createValidator(spec));

    const token = await server.login();
    const name = 'Pondok Pesantren Coba Dokumentasi';
    const made = await server.api(token).post('/v1/pesantren', { nspp: '510035780001', name, region_code: '35.78' });
    check(made.status === 201, 'a pesantren to list is made through the API');

    browser = await launchBrowser();
    const page = browser.pages()[0] || (await browser.newPage());
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation',
      (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`)));
    const origin = new URL(server.base).origin;
    const seen = watch(page, origin);
    const res = await page.goto(server.base + '/docs', { waitUntil: 'load', timeout: 60000 });
    check(res && res.status() === 200, '/docs answers 200');
    await checkRendered(page, operations);
    await page.screenshot({ path: shot, fullPage: false });
    await authorize(page, token);
    await tryList(page, origin, name);
    const opShot = shot.replace(/(\.png)?$/, '-operation.png');
    await page.screenshot({ path: opShot, fullPage: false });
    console.log(`# screenshots: ${shot} ${opShot}`);
    check(seen.foreign.length === 0, 'no request leaves the server' + (seen.foreign.length ? ': ' + seen.foreign.join(', ') : ''));
    check(seen.csp.length === 0, 'the renderer works under the Content-Security-Policy' + (seen.csp.length ? ': ' + seen.csp.join(' | ') : ''));
    check(seen.errors.length === 0, 'no script errors' + (seen.errors.length ? ': ' + seen.errors.join(' | ') : ''));
  } catch (e) {
    check(false, `the check ran: ${e.stack || e}`);
  } finally {
    if (browser) await browser.close();
    if (server) await server.stop().catch(() => {});
  }
  console.log(failures.length ? `# docs check failed: ${failures.length}` : '# docs check passed');
  process.exit(failures.length ? 1 : 0);
}

await main();
