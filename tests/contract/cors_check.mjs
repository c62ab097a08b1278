// A web app on another origin, in headless Chromium: a page served by a tiny
// static server on another loopback port signs in, lists pesantren with the
// token in Authorization, creates one (reading Location), reads its ETag and
// changes it with If-Match, all through CORS with OPOP_CORS_ORIGINS naming
// the page's origin. The same page against a server whose setting lacks that
// origin is refused by the browser (no Access-Control-Allow-Origin).
//
//   node tests/contract/cors_check.mjs
//
// Needs what docs_check.mjs needs (a PostgreSQL cluster, the binary, Chromium).
// Exits 0 when every check passes.
import { createServer } from 'node:http';
import { startServer, ADMIN_EMAIL, ADMIN_PASSWORD } from '../integration/lib/harness.mjs';
import { launchBrowser } from './lib/browser.mjs';

const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'ok' : 'not ok'} - ${what}`); if (!ok) failures.push(what); };

// The app: what a web developer writes with fetch. It reports every step to
// the test through window.steps, and a refusal as the error fetch throws.
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>OPOP app</title></head><body>
<script>
const api = new URLSearchParams(location.search).get('api');
window.steps = [];
async function call(method, path, { token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = 'Bearer ' + token;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch(api + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  window.steps.push({ method, path, status: r.status, etag: r.headers.get('ETag'),
    location: r.headers.get('Location'), requestId: r.headers.get('X-Request-Id') });
  return { status: r.status, json: text ? JSON.parse(text) : null, headers: r.headers };
}
window.run = async (email, password, nspp) => {
  try {
    const login = await call('POST', '/v1/auth/login', { body: { email, password } });
    const token = login.json.token;
    const list = await call('GET', '/v1/pesantren', { token });
    const made = await call('POST', '/v1/pesantren', { token, headers: { 'Idempotency-Key': 'app-' + nspp },
      body: { nspp, name: 'Pondok Pesantren Lintas Asal', region_code: '35.78' } });
    const one = await call('GET', made.headers.get('Location'), { token });
    const changed = await call('PATCH', made.headers.get('Location'), { token,
      headers: { 'If-Match': one.headers.get('ETag') }, body: { santri_count: 120 } });
    return { ok: true, listed: list.json.items.length, santri: changed.json.santri_count };
  } catch (e) {
    return { ok: false, error: String(e) };
  }
};
</script></body></html>`;

function startPageServer() {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function runPage(browser, pageOrigin, apiBase, nspp) {
  const page = await browser.newPage();
  const console_ = [];
  page.on('console', (m) => console_.push(m.text()));
  await page.goto(`${pageOrigin}/app.html?api=${encodeURIComponent(apiBase)}`);
  const result = await page.evaluate(([e, p, n]) => window.run(e, p, n), [ADMIN_EMAIL, ADMIN_PASSWORD, nspp]);
  const steps = await page.evaluate(() => window.steps);
  await page.close();
  return { result, steps, console: console_ };
}

async function main() {
  let pages, allowed, refused, browser;
  try {
    pages = await startPageServer();
    const pageOrigin = `http://127.0.0.1:${pages.address().port}`;
    allowed = await startServer({ env: { OPOP_CORS_ORIGINS: `https://other.opop.example, ${pageOrigin}` } });
    refused = await startServer({ env: { OPOP_CORS_ORIGINS: 'https://other.opop.example' } });
    check(new URL(allowed.base).origin !== pageOrigin, `the page (${pageOrigin}) and the API (${allowed.base}) are two origins`);
    browser = await launchBrowser();

    const ok = await runPage(browser, pageOrigin, allowed.base, '510035780077');
    const statuses = ok.steps.map((s) => `${s.method} ${s.status}`).join(', ');
    check(ok.result.ok && statuses === 'POST 200, GET 200, POST 201, GET 200, PATCH 200',
      `with the origin allowed the page signs in, lists, creates, reads and changes (${statuses}${ok.result.error ? '; ' + ok.result.error : ''})`);
    check(ok.result.listed >= 0 && ok.result.santri === 120, 'the page reads the answers (the change is applied)');
    check(ok.steps.every((s) => /^[A-Za-z0-9._:-]+$/.test(s.requestId || '')), 'the page reads X-Request-Id');
    check(/^\/v1\/pesantren\/[0-9a-f-]{36}$/.test(ok.steps[2]?.location || ''), 'the page reads Location of the created pesantren');
    check(/^"\d+"$/.test(ok.steps[3]?.etag || ''), 'the page reads the ETag it sends back in If-Match');

    const no = await runPage(browser, pageOrigin, refused.base, '510035780078');
    check(!no.result.ok && /Failed to fetch/.test(no.result.error || '') && no.steps.length === 0,
      `without the origin in OPOP_CORS_ORIGINS the browser refuses the first call (${no.result.error})`);
    check(no.console.some((t) => /blocked by CORS policy/.test(t) && /Access-Control-Allow-Origin/.test(t)),
      'the browser names the missing Access-Control-Allow-Origin');
  } catch (e) {
    check(false, `the check ran: ${e.stack || e}`);
  } finally {
    if (browser) await browser.close();
    for (const s of [allowed, refused]) if (s) await s.stop().catch(() => {});
    if (pages) pages.close();
  }
  console.log(failures.length ? `# cors check failed: ${failures.length}` : '# cors check passed');
  process.exit(failures.length ? 1 : 0);
}

await main();
