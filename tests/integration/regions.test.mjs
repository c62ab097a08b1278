// Regions: the 38 kabupaten/kota of Jawa Timur, read-only, for every role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeUser, makePesantren, expectProblem } from './lib/harness.mjs';

let s, admin, api;

before(async () => {
  s = await startServer();
  admin = await s.login();
  api = s.api(admin);
});
after(async () => s && s.stop());

async function all(path) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await api.get(path + (cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''));
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
    if (!cursor) break;
  }
  return items;
}

test('the list holds the 38 regions, 29 kabupaten and 9 kota, in code order', async () => {
  const r = await api.get('/v1/regions?limit=100');
  assert.equal(r.status, 200);
  assert.equal(r.json.next_cursor, null);
  const items = r.json.items;
  assert.equal(items.length, 38);
  const codes = items.map((x) => x.code);
  assert.deepEqual(codes, [...codes].sort());
  for (const x of items) {
    assert.deepEqual(Object.keys(x).sort(), ['code', 'created_at', 'kind', 'name', 'updated_at', 'version']);
    const n = Number(x.code.slice(3));
    assert.match(x.code, /^35\.\d\d$/);
    if (x.kind === 'kabupaten') {
      assert.ok(n >= 1 && n <= 29, x.code);
      assert.match(x.name, /^Kabupaten /);
    } else {
      assert.equal(x.kind, 'kota');
      assert.ok(n >= 71 && n <= 79, x.code);
      assert.match(x.name, /^Kota /);
    }
  }
  assert.equal(items.filter((x) => x.kind === 'kabupaten').length, 29);
  assert.equal(items.filter((x) => x.kind === 'kota').length, 9);
  const surabaya = items.find((x) => x.code === '35.78');
  assert.deepEqual({ code: surabaya.code, name: surabaya.name, kind: surabaya.kind },
    { code: '35.78', name: 'Kota Surabaya', kind: 'kota' });
  assert.equal(surabaya.version, 1);
  assert.match(surabaya.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(surabaya.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('the default page is 20 and paging returns every region once', async () => {
  const first = await api.get('/v1/regions');
  assert.equal(first.json.items.length, 20);
  assert.equal(typeof first.json.next_cursor, 'string');
  for (const limit of [1, 7, 20, 37, 38]) {
    const items = await all(`/v1/regions?limit=${limit}`);
    assert.equal(items.length, 38, `limit ${limit}`);
    assert.equal(new Set(items.map((x) => x.code)).size, 38);
  }
  const t = await api.get('/v1/regions?include_total=true&limit=5');
  assert.equal(t.json.total, 38);
});

test('kind filters the list', async () => {
  const kota = await all('/v1/regions?kind=kota&limit=4');
  assert.equal(kota.length, 9);
  assert.ok(kota.every((x) => x.kind === 'kota'));
  const kab = await all('/v1/regions?kind=kabupaten');
  assert.equal(kab.length, 29);
  const t = await api.get('/v1/regions?kind=kota&include_total=true');
  assert.equal(t.json.total, 9);
  expectProblem(assert, await api.get('/v1/regions?kind=provinsi'), 400, 'kind');
});

test('list parameters are checked', async () => {
  expectProblem(assert, await api.get('/v1/regions?limit=0'), 400, 'limit');
  expectProblem(assert, await api.get('/v1/regions?limit=101'), 400, 'limit');
  expectProblem(assert, await api.get('/v1/regions?q=Surabaya'), 400, 'q');
  expectProblem(assert, await api.get('/v1/regions?cursor=%25%25'), 400, 'cursor');
  for (const forged of ['zzz', '35.99', '35.01\x1f1', '']) {
    const c = Buffer.from(forged).toString('base64url');
    expectProblem(assert, await api.get(`/v1/regions?cursor=${c}`), 400, 'cursor');
  }
});

test('one region by code', async () => {
  const r = await api.get('/v1/regions/35.01');
  assert.equal(r.status, 200);
  const { version, created_at: created, updated_at: updated, ...rest } = r.json;
  assert.deepEqual(rest, { code: '35.01', name: 'Kabupaten Pacitan', kind: 'kabupaten' });
  assert.equal(version, 1);
  assert.ok(created && updated);
  assert.equal(r.headers.get('etag'), '"1"');
  const again = await api.get('/v1/regions/35.01', { 'If-None-Match': '"1"' });
  assert.equal(again.status, 304);
  assert.equal((await api.get('/v1/regions/35.79')).json.name, 'Kota Batu');
  for (const code of ['35.00', '35.30', '35.80', '36.01', 'surabaya', '35.7', '35.788', '%20']) {
    expectProblem(assert, await api.get(`/v1/regions/${code}`), 404);
  }
});

test('regions are read-only', async () => {
  expectProblem(assert, await api.post('/v1/regions', { code: '35.80', name: 'Kota Baru', kind: 'kota' }), 405);
  expectProblem(assert, await api.patch('/v1/regions/35.78', { name: 'Suroboyo' }), 405);
  expectProblem(assert, await api.del('/v1/regions/35.78'), 405);
  assert.equal((await api.get('/v1/regions/35.78')).json.name, 'Kota Surabaya');
});

test('every role reads regions; nobody reads them anonymously', async () => {
  const p = await makePesantren(s, admin);
  for (const [role, extra] of [['mentor', {}], ['operator', { pesantren_id: p.id }], ['viewer', {}]]) {
    const u = await makeUser(s, admin, role, extra);
    assert.equal((await s.api(u.token).get('/v1/regions')).status, 200, role);
    assert.equal((await s.api(u.token).get('/v1/regions/35.78')).status, 200, role);
  }
  expectProblem(assert, await s.api().get('/v1/regions'), 401);
  expectProblem(assert, await s.api().get('/v1/regions/35.78'), 401);
});

test('a pesantren region must be one of the 38', async () => {
  for (const code of ['35.30', '35.00', '35.80', '34.01', '3578', '']) {
    const r = await api.post('/v1/pesantren', { nspp: '123456789099', name: 'Pondok Wilayah', region_code: code });
    expectProblem(assert, r, 422, 'region_code');
  }
});
