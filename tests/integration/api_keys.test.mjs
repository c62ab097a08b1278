// API keys (admin only): shown once, usable as Bearer with the key's role,
// stored only as a hash, revocable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeUser, makePesantren, expectProblem, psql, dumpDatabase, nspp } from './lib/harness.mjs';

let s, admin, api, pesantren;

before(async () => {
  s = await startServer();
  admin = await s.login();
  api = s.api(admin);
  pesantren = await makePesantren(s, admin);
});
after(async () => s && s.stop());

async function makeKey(fields = {}) {
  const r = await api.post('/v1/api-keys', { name: 'Sistem OPD ' + crypto.randomUUID().slice(0, 6), role: 'viewer', ...fields });
  assert.equal(r.status, 201, r.text);
  return r;
}

test('a created key is shown once, with Location and ETag', async () => {
  const r = await makeKey();
  assert.equal(r.headers.get('location'), `/v1/api-keys/${r.json.id}`);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(typeof r.json.key, 'string');
  assert.ok(r.json.key.length >= 32);
  assert.equal(r.json.role, 'viewer');
  assert.equal(r.json.revoked, false);
  const g = await api.get(`/v1/api-keys/${r.json.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.json.key, undefined);
  assert.ok(!g.text.includes(r.json.key));
  const list = await api.get('/v1/api-keys?limit=100');
  assert.ok(list.json.items.some((k) => k.id === r.json.id));
  assert.ok(!list.text.includes(r.json.key));
  for (const k of list.json.items) assert.equal(k.key, undefined);
});

test('a key works as a Bearer token with its role', async () => {
  const viewer = (await makeKey()).json;
  const as = s.api(viewer.key);
  assert.equal((await as.get('/v1/pesantren')).status, 200);
  const me = await as.get('/v1/me');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.kind, 'api_key');
  assert.equal(me.json.id, viewer.id);
  assert.equal(me.json.role, 'viewer');
  assert.equal(me.json.key, undefined);
  expectProblem(assert, await as.post('/v1/pesantren', { nspp: nspp(), name: 'Pondok Kunci', region_code: '35.01' }), 403);
  expectProblem(assert, await as.patch(`/v1/pesantren/${pesantren.id}`, { name: 'Diubah Kunci' }), 403);
  expectProblem(assert, await as.get('/v1/api-keys'), 403);
  expectProblem(assert, await as.get('/v1/users'), 403);
  const adminKey = (await makeKey({ role: 'admin' })).json;
  const created = await s.api(adminKey.key).post('/v1/pesantren', { nspp: nspp(), name: 'Pondok Kunci', region_code: '35.01' });
  assert.equal(created.status, 201, created.text);
  const actor = psql(s.db, `SELECT actor_id || ' ' || actor_kind FROM audit_events
    WHERE entity = 'pesantren' AND entity_id = '${created.json.id}'`);
  assert.equal(actor, `${adminKey.id} api_key`);
});

test('an operator key is bound to its pesantren', async () => {
  expectProblem(assert, await api.post('/v1/api-keys', { name: 'Op', role: 'operator' }), 422, 'pesantren_id');
  expectProblem(assert, await api.post('/v1/api-keys', { name: 'Op', role: 'viewer', pesantren_id: pesantren.id }),
    422, 'pesantren_id');
  expectProblem(assert, await api.post('/v1/api-keys', { name: 'Op', role: 'operator', pesantren_id: crypto.randomUUID() }),
    422, 'pesantren_id');
  const other = await makePesantren(s, admin);
  const k = (await makeKey({ role: 'operator', pesantren_id: pesantren.id })).json;
  const as = s.api(k.key);
  const own = await as.patch(`/v1/pesantren/${pesantren.id}`, { santri_count: 321 });
  assert.equal(own.status, 200, own.text);
  expectProblem(assert, await as.patch(`/v1/pesantren/${other.id}`, { santri_count: 1 }), 403);
  assert.equal((await api.get(`/v1/pesantren/${other.id}`)).json.version, 1);
});

test('a mentor key carries its regions', async () => {
  const k = await makeKey({ role: 'mentor', region_codes: ['35.09'] });
  assert.deepEqual(k.json.region_codes, ['35.09']);
  assert.deepEqual((await s.api(k.json.key).get('/v1/me')).json.region_codes, ['35.09']);
  expectProblem(assert, await api.post('/v1/api-keys', { name: 'M', role: 'mentor', region_codes: ['35.99'] }), 422, 'region_codes');
});

test('key fields are validated, every bad one at once', async () => {
  const r = await api.post('/v1/api-keys', { name: '  ', role: 'root', key: 'my-own-key', revoked: true });
  expectProblem(assert, r, 422);
  assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['key', 'name', 'revoked', 'role']);
  const missing = await api.post('/v1/api-keys', {});
  assert.deepEqual(missing.json.errors.map((e) => e.field).sort(), ['name', 'role']);
  expectProblem(assert, await api.post('/v1/api-keys', { name: 'n'.repeat(201), role: 'viewer' }), 422, 'name');
  expectProblem(assert, await api.post('/v1/api-keys', '{'), 400);
  expectProblem(assert, await api.post('/v1/api-keys', '{}', { 'Content-Type': 'text/plain' }), 415);
});

test('a revoked key is 401 at once; revoking again or an unknown id is 404 or 204', async () => {
  const k = (await makeKey()).json;
  assert.equal((await s.api(k.key).get('/v1/me')).status, 200);
  const del = await api.del(`/v1/api-keys/${k.id}`);
  assert.equal(del.status, 204);
  const r = await s.api(k.key).get('/v1/pesantren');
  expectProblem(assert, r, 401);
  assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  const g = await api.get(`/v1/api-keys/${k.id}`);
  assert.equal(g.json.revoked, true);
  assert.match(g.json.revoked_at, /Z$/);
  assert.equal(g.json.version, 2);
  const again = await api.del(`/v1/api-keys/${k.id}`);
  assert.equal(again.status, 204);
  expectProblem(assert, await api.del(`/v1/api-keys/${crypto.randomUUID()}`), 404);
  expectProblem(assert, await api.del('/v1/api-keys/not-an-id'), 404);
  expectProblem(assert, await api.get(`/v1/api-keys/${crypto.randomUUID()}`), 404);
});

test('revoking honours If-Match', async () => {
  const k = (await makeKey()).json;
  expectProblem(assert, await api.del(`/v1/api-keys/${k.id}`, { 'If-Match': '"7"' }), 412);
  assert.equal((await s.api(k.key).get('/v1/me')).status, 200);
  assert.equal((await api.del(`/v1/api-keys/${k.id}`, { 'If-Match': '"1"' })).status, 204);
  expectProblem(assert, await s.api(k.key).get('/v1/me'), 401);
  assert.equal((await api.del(`/v1/api-keys/${k.id}`, { 'If-Match': '"2"' })).status, 204);
  expectProblem(assert, await api.del(`/v1/api-keys/${k.id}`, { 'If-Match': '"1"' }), 412);
});

test('an API key cannot sign out; an admin revokes it', async () => {
  const k = (await makeKey()).json;
  const r = await s.api(k.key).post('/v1/auth/logout');
  expectProblem(assert, r, 400);
  assert.equal((await s.api(k.key).get('/v1/me')).status, 200);
});

test('only admins manage keys', async () => {
  const k = (await makeKey()).json;
  const callers = [
    await makeUser(s, admin, 'mentor'),
    await makeUser(s, admin, 'operator', { pesantren_id: pesantren.id }),
    await makeUser(s, admin, 'viewer'),
  ];
  for (const c of callers) {
    const as = s.api(c.token);
    expectProblem(assert, await as.get('/v1/api-keys'), 403);
    expectProblem(assert, await as.get(`/v1/api-keys/${k.id}`), 403);
    expectProblem(assert, await as.post('/v1/api-keys', { name: 'Mine', role: 'admin' }), 403);
    expectProblem(assert, await as.del(`/v1/api-keys/${k.id}`), 403);
  }
  assert.equal((await s.api(k.key).get('/v1/me')).status, 200);
  assert.equal(psql(s.db, `SELECT count(*) FROM api_keys WHERE name = 'Mine'`), '0');
});

test('keys are stored only as hashes, nowhere in clear', async () => {
  const keys = [];
  for (let i = 0; i < 3; i++) keys.push((await makeKey()).json.key);
  const idem = await api.post('/v1/api-keys', { name: 'Idem', role: 'viewer' }, { 'Idempotency-Key': crypto.randomUUID() });
  keys.push(idem.json.key);
  const dump = dumpDatabase(s.db);
  for (const key of keys) {
    assert.ok(!dump.includes(key), 'key in clear');
    assert.ok(!dump.includes(key.slice(12)), 'key body in clear');
  }
  const hashes = psql(s.db, `SELECT encode(key_hash, 'hex') FROM api_keys WHERE name = 'Idem'`);
  assert.match(hashes, /^[0-9a-f]{64}$/);
});

test('an idempotent replay of a key creation does not show the key again', async () => {
  const key = crypto.randomUUID();
  const b = { name: 'Replay', role: 'viewer' };
  const first = await api.post('/v1/api-keys', b, { 'Idempotency-Key': key });
  const again = await api.post('/v1/api-keys', b, { 'Idempotency-Key': key });
  assert.equal(first.status, 201);
  assert.equal(again.status, 201);
  assert.equal(again.json.id, first.json.id);
  assert.equal(again.json.key, undefined);
  assert.equal(psql(s.db, `SELECT count(*) FROM api_keys WHERE name = 'Replay'`), '1');
});

test('the key list pages with a cursor', async () => {
  for (let i = 0; i < 4; i++) await makeKey();
  const ids = new Set();
  let cursor = null;
  do {
    const r = await api.get('/v1/api-keys?limit=3' + (cursor ? `&cursor=${cursor}` : ''));
    assert.equal(r.status, 200);
    for (const k of r.json.items) {
      assert.ok(!ids.has(k.id));
      ids.add(k.id);
    }
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.equal(ids.size, Number(psql(s.db, 'SELECT count(*) FROM api_keys')));
  expectProblem(assert, await api.get('/v1/api-keys?limit=0'), 400, 'limit');
});

test('creating and revoking keys are audited without the hash', async () => {
  const k = (await makeKey()).json;
  await api.del(`/v1/api-keys/${k.id}`);
  const actions = psql(s.db, `SELECT string_agg(action, ',' ORDER BY seq) FROM audit_events WHERE entity_id = '${k.id}'`);
  assert.equal(actions.split(',').length, 2, actions);
  const text = psql(s.db, `SELECT string_agg(coalesce(before::text, '') || coalesce(after::text, ''), ' ')
    FROM audit_events WHERE entity_id = '${k.id}'`);
  const hash = psql(s.db, `SELECT encode(key_hash, 'hex') FROM api_keys WHERE id = '${k.id}'`);
  assert.ok(!text.includes(hash));
  assert.ok(!text.includes(k.key));
});
