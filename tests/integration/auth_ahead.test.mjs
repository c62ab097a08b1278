// Reads whose caller is looked up in the same round trip as their first
// statement (ROUTE_AUTH_AHEAD): they answer exactly as if authentication came
// first, nothing read for a refused caller leaves the server, and a revoked
// secret stops working at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeUser, makePesantren, expectProblem } from './lib/harness.mjs';

let s;
let admin;
let place;

before(async () => {
  s = await startServer();
  admin = await s.login();
  place = await makePesantren(s, admin);
});

after(async () => {
  await s?.stop();
});

const UNKNOWN = 'opop_thisTokenWasNeverIssuedToAnyoneAtAll0000000';

test('an unknown secret is 401 before anything the request alone would answer', async () => {
  const cases = [
    `/v1/pesantren/${place.id}`,
    '/v1/pesantren/not-a-uuid',
    `/v1/pesantren/${place.id}?unknown=1`,
    '/v1/pesantren?cursor=garbage',
    '/v1/pesantren?limit=5000',
    '/v1/pesantren?bogus=1',
    '/v1/regions/35.78',
    '/v1/regions/99.99',
    '/v1/regions',
  ];
  for (const path of cases) {
    const r = await s.api(UNKNOWN).get(path);
    expectProblem(assert, r, 401);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer', path);
    assert.equal(r.headers.get('etag'), null, path);
    assert.ok(!r.text.includes(place.nspp), `${path} leaked data: ${r.text}`);
    assert.match(r.headers.get('x-request-id') || '', /^[0-9a-f]{32}$/, path);
  }
  expectProblem(assert, await s.api().get(`/v1/pesantren/${place.id}`), 401);
});

test('a known caller gets the handler\'s own answers', async () => {
  const viewer = await makeUser(s, admin, 'viewer');
  const api = s.api(viewer.token);
  const one = await api.get(`/v1/pesantren/${place.id}`);
  assert.equal(one.status, 200, one.text);
  assert.equal(one.json.nspp, place.nspp);
  assert.equal(one.headers.get('etag'), `"${place.version}"`);
  assert.equal((await api.get(`/v1/pesantren/${place.id}`, { 'If-None-Match': one.headers.get('etag') })).status, 304);
  expectProblem(assert, await api.get('/v1/pesantren/not-a-uuid'), 404);
  expectProblem(assert, await api.get(`/v1/pesantren/${place.id}?unknown=1`), 400);
  expectProblem(assert, await api.get('/v1/pesantren?cursor=garbage'), 400, 'cursor');
  const list = await api.get('/v1/pesantren?limit=1&include_total=true');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.items.length, 1);
  assert.ok(list.json.total >= 1);
  assert.equal((await api.get('/v1/regions/35.78')).status, 200);
});

test('a revoked API key and a signed-out token stop at once', async () => {
  const created = await s.api(admin).post('/v1/api-keys', { name: 'reader', role: 'viewer' });
  assert.equal(created.status, 201, created.text);
  const key = s.api(created.json.key);
  assert.equal((await key.get(`/v1/pesantren/${place.id}`)).status, 200);
  assert.equal((await s.api(admin).del(`/v1/api-keys/${created.json.id}`)).status, 204);
  expectProblem(assert, await key.get(`/v1/pesantren/${place.id}`), 401);
  expectProblem(assert, await key.get('/v1/pesantren'), 401);

  const token = await s.login();
  assert.equal((await s.api(token).get('/v1/pesantren')).status, 200);
  assert.equal((await s.api(token).post('/v1/auth/logout')).status, 204);
  expectProblem(assert, await s.api(token).get('/v1/pesantren'), 401);
  expectProblem(assert, await s.api(token).get('/v1/pesantren/not-a-uuid'), 401);
});

test('known and unknown callers at once each get their own answer', async () => {
  const viewer = await makeUser(s, admin, 'viewer');
  const calls = [];
  for (let i = 0; i < 60; i++) {
    const good = i % 2 === 0;
    calls.push(s.api(good ? viewer.token : UNKNOWN).get(`/v1/pesantren/${place.id}`).then((r) => ({ good, r })));
  }
  for (const { good, r } of await Promise.all(calls)) {
    if (good) {
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.id, place.id);
    } else {
      expectProblem(assert, r, 401);
    }
  }
});
