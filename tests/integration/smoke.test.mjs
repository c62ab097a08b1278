// The first path a client takes: sign in, create a pesantren, read it back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makePesantren, expectProblem, nspp } from './lib/harness.mjs';

let s, admin;
before(async () => {
  s = await startServer();
  admin = await s.login();
});
after(async () => s && s.stop());

test('health and readiness answer without credentials', async () => {
  assert.equal((await s.api().get('/healthz')).status, 200);
  assert.equal((await s.api().get('/readyz')).status, 200);
});

test('a created pesantren reads back with ETag and Location', async () => {
  const r = await s.api(admin).post('/v1/pesantren', { nspp: nspp(), name: '  Pondok Al-Amin  ', region_code: '35.09' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.name, 'Pondok Al-Amin');
  assert.equal(r.headers.get('location'), `/v1/pesantren/${r.json.id}`);
  const g = await s.api(admin).get(`/v1/pesantren/${r.json.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('etag'), '"1"');
  assert.deepEqual(g.json, r.json);
});

test('no token is 401 with a Bearer challenge', async () => {
  const r = await s.api().get('/v1/pesantren');
  expectProblem(assert, r, 401);
  assert.equal(r.headers.get('www-authenticate'), 'Bearer');
});

test('a duplicate NSPP is 409', async () => {
  const p = await makePesantren(s, admin);
  const r = await s.api(admin).post('/v1/pesantren', { nspp: p.nspp, name: 'Another', region_code: '35.01' });
  expectProblem(assert, r, 409);
});
