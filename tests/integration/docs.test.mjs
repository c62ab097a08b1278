// /docs on a server whose renderer is not installed: the page still answers
// and says so, the renderer's files are a 404 naming the setting, and only
// the listed files are ever looked for (tests/contract/docs_check.mjs checks
// the page with the renderer installed, in a browser).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, expectProblem } from './lib/harness.mjs';

let s;
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opop-docs-empty-'));
  mkdirSync(join(dir, 'swagger-ui.css')); // a folder where a file is expected
  s = await startServer({ env: { OPOP_DOCS_DIR: dir } });
});

after(async () => {
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the page and its start script answer without the renderer', async () => {
  const page = await s.api().get('/docs');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.headers.get('content-security-policy'), /default-src 'self'/);
  assert.match(page.text, /docs\/swagger-ui-bundle\.js/);
  const script = await s.api().get('/docs/init.js');
  assert.equal(script.status, 200);
  assert.match(script.text, /not installed/);
});

test("a missing renderer file is a 404 naming the setting, in the caller's language", async () => {
  for (const name of ['swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE']) {
    const r = await s.api().get('/docs/' + name);
    expectProblem(assert, r, 404);
    assert.match(r.json.detail, /OPOP_DOCS_DIR/);
  }
  const id = await s.api().get('/docs/NOTICE', { 'Accept-Language': 'id' });
  expectProblem(assert, id, 404);
  assert.match(id.json.detail, /belum dipasang/);
});

test('a name not listed is a 404 that names no setting', async () => {
  for (const name of ['index.html', 'package.json', '..', 'swagger-ui-bundle.js.map']) {
    const r = await s.api().get('/docs/' + encodeURIComponent(name));
    expectProblem(assert, r, 404);
    assert.doesNotMatch(r.json.detail, /OPOP_DOCS_DIR/);
  }
});

test('a query on a file of the page is refused', async () => {
  expectProblem(assert, await s.api().get('/docs/init.js?v=1'), 400);
});
