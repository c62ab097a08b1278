// Indicators: the standard set, admin-defined additions, lookup by id or code,
// and a code that never changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeUser, expectProblem } from './lib/harness.mjs';

const STANDARD = ['OMZET', 'ASET', 'SANTRI_TRAINED', 'ALUMNI_TRAINED', 'KOPPONTREN_MEMBERS', 'PRODUCTS_HALAL', 'EMPLOYEES'];

let s, admin, mentor, operator, viewer;
before(async () => {
  s = await startServer();
  admin = s.api(await s.login());
  const adminToken = await s.login();
  mentor = s.api((await makeUser(s, adminToken, 'mentor', { region_codes: ['35.78'] })).token);
  viewer = s.api((await makeUser(s, adminToken, 'viewer')).token);
  const p = await admin.post('/v1/pesantren', { nspp: '510099000001', name: 'Pondok Indikator', region_code: '35.78' });
  operator = s.api((await makeUser(s, adminToken, 'operator', { pesantren_id: p.json.id })).token);
});
after(async () => s && s.stop());

const newIndicator = (code, extra = {}) => ({ code, name: `Indikator ${code}`, unit: 'count', aggregation: 'sum', ...extra });

test('the migrations load the standard indicators', async () => {
  const r = await viewer.get('/v1/indicators?limit=100');
  assert.equal(r.status, 200, r.text);
  const codes = r.json.items.map((i) => i.code);
  for (const c of STANDARD) assert.ok(codes.includes(c), `${c} missing`);
  const omzet = r.json.items.find((i) => i.code === 'OMZET');
  assert.equal(omzet.unit, 'idr');
  assert.equal(omzet.pillar, 'pesantrenpreneur');
  assert.equal(omzet.aggregation, 'sum');
  assert.equal(omzet.higher_is_better, true);
  assert.equal(r.json.items.find((i) => i.code === 'EMPLOYEES').pillar, null);
  for (const k of ['id', 'code', 'name', 'unit', 'pillar', 'aggregation', 'higher_is_better', 'description', 'version', 'created_at', 'updated_at'])
    assert.ok(k in omzet, `field ${k}`);
});

test('every role reads indicators, by id or by code', async () => {
  for (const c of [admin, mentor, operator, viewer]) {
    const byCode = await c.get('/v1/indicators/OMZET');
    assert.equal(byCode.status, 200, byCode.text);
    assert.equal(byCode.headers.get('etag'), `"${byCode.json.version}"`);
    const byId = await c.get(`/v1/indicators/${byCode.json.id}`);
    assert.deepEqual(byId.json, byCode.json);
  }
  const r = await viewer.get('/v1/indicators/OMZET', { 'If-None-Match': '"1"' });
  assert.equal(r.status, 304);
});

test('an unknown or malformed id or code is 404', async () => {
  expectProblem(assert, await viewer.get('/v1/indicators/NOT_THERE'), 404);
  expectProblem(assert, await viewer.get('/v1/indicators/omzet'), 404);
  expectProblem(assert, await viewer.get('/v1/indicators/00000000-0000-0000-0000-000000000000'), 404);
  expectProblem(assert, await viewer.get('/v1/indicators/%20'), 404);
});

test('lists filter by pillar and unit, page through every row once, and count', async () => {
  const s1 = await viewer.get('/v1/indicators?pillar=santripreneur');
  assert.equal(s1.status, 200);
  assert.ok(s1.json.items.length >= 1);
  assert.ok(s1.json.items.every((i) => i.pillar === 'santripreneur'));
  const idr = await viewer.get('/v1/indicators?unit=idr&include_total=true');
  assert.deepEqual(idr.json.items.map((i) => i.code).sort(), ['ASET', 'OMZET']);
  assert.equal(idr.json.total, 2);
  const seen = [];
  let cursor = null;
  do {
    const r = await viewer.get(`/v1/indicators?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200);
    assert.ok(r.json.items.length <= 2);
    seen.push(...r.json.items.map((i) => i.code));
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.equal(new Set(seen).size, seen.length);
  for (const c of STANDARD) assert.ok(seen.includes(c));
});

test('bad list parameters are 400', async () => {
  expectProblem(assert, await viewer.get('/v1/indicators?pillar=none'), 400, 'pillar');
  expectProblem(assert, await viewer.get('/v1/indicators?unit=kg'), 400, 'unit');
  expectProblem(assert, await viewer.get('/v1/indicators?colour=red'), 400, 'colour');
  expectProblem(assert, await viewer.get('/v1/indicators?limit=0'), 400, 'limit');
  expectProblem(assert, await viewer.get('/v1/indicators?cursor=garbage'), 400, 'cursor');
});

test('an admin creates an indicator; higher_is_better defaults to true', async () => {
  const r = await admin.post('/v1/indicators', newIndicator('UMKM_BINAAN', { pillar: 'sosiopreneur', description: '  Usaha binaan  ' }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), `/v1/indicators/${r.json.id}`);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(r.json.higher_is_better, true);
  assert.equal(r.json.description, 'Usaha binaan');
  assert.equal(r.json.version, 1);
  const g = await viewer.get('/v1/indicators/UMKM_BINAAN');
  assert.deepEqual(g.json, r.json);
  const low = await admin.post('/v1/indicators', newIndicator('STUNTING_RATE', { unit: 'percent', aggregation: 'avg', higher_is_better: false, pillar: null }));
  assert.equal(low.status, 201, low.text);
  assert.equal(low.json.higher_is_better, false);
  assert.equal(low.json.pillar, null);
});

test('a duplicate code is 409', async () => {
  expectProblem(assert, await admin.post('/v1/indicators', newIndicator('OMZET')), 409);
});

test('every bad field is reported at once', async () => {
  const r = await admin.post('/v1/indicators', { code: 'lower', name: '', unit: 'kg', pillar: 'all', aggregation: 'median', higher_is_better: 'yes', colour: 'red' });
  expectProblem(assert, r, 422);
  const fields = r.json.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['aggregation', 'code', 'colour', 'higher_is_better', 'name', 'pillar', 'unit']);
  const missing = await admin.post('/v1/indicators', {});
  expectProblem(assert, missing, 422);
  assert.deepEqual(missing.json.errors.map((e) => e.field).sort(), ['aggregation', 'code', 'name', 'unit']);
});

test('the code pattern is ^[A-Z][A-Z0-9_]{1,39}$', async () => {
  for (const code of ['A', '1ABC', '_ABC', 'AB-C', 'ABÇ', 'A'.repeat(41), 'Omzet'])
    expectProblem(assert, await admin.post('/v1/indicators', newIndicator(code)), 422, 'code');
  const r = await admin.post('/v1/indicators', newIndicator('Z' + '9'.repeat(39)));
  assert.equal(r.status, 201, r.text);
  assert.equal((await admin.post('/v1/indicators', newIndicator('X1'))).status, 201);
});

test('read-only fields cannot be set', async () => {
  const r = await admin.post('/v1/indicators', { ...newIndicator('RO_TEST'), id: '00000000-0000-0000-0000-000000000000', version: 3 });
  expectProblem(assert, r, 422);
  assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['id', 'version']);
});

test('only an admin creates or changes indicators', async () => {
  for (const c of [mentor, operator, viewer]) {
    expectProblem(assert, await c.post('/v1/indicators', newIndicator('NOPE_' + Math.floor(Math.random() * 1e6))), 403);
    expectProblem(assert, await c.patch('/v1/indicators/OMZET', { name: 'x' }), 403);
  }
});

test('an admin patches an indicator by id or code; the code never changes', async () => {
  const c = await admin.post('/v1/indicators', newIndicator('PATCH_ME'));
  const id = c.json.id;
  const r = await admin.patch(`/v1/indicators/${id}`, { name: 'Renamed', pillar: 'santripreneur', description: null });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'Renamed');
  assert.equal(r.json.version, 2);
  assert.equal(r.headers.get('etag'), '"2"');
  const byCode = await admin.patch('/v1/indicators/PATCH_ME', { higher_is_better: false, code: 'PATCH_ME' });
  assert.equal(byCode.status, 200, byCode.text);
  assert.equal(byCode.json.higher_is_better, false);
  assert.equal(byCode.json.code, 'PATCH_ME');
  const renamed = await admin.patch(`/v1/indicators/${id}`, { code: 'OTHER_CODE' });
  expectProblem(assert, renamed, 422, 'code');
  assert.match(renamed.json.errors.find((e) => e.field === 'code').message, /immutable/);
  assert.equal((await admin.get('/v1/indicators/PATCH_ME')).json.version, 3);
  expectProblem(assert, await admin.patch('/v1/indicators/PATCH_ME', { unit: 'kg' }), 422, 'unit');
  expectProblem(assert, await admin.patch('/v1/indicators/PATCH_ME', { name: null }), 422, 'name');
  expectProblem(assert, await admin.patch('/v1/indicators/PATCH_ME', { version: 9 }), 422, 'version');
  expectProblem(assert, await admin.patch('/v1/indicators/PATCH_ME', { name: 'x' }, { 'If-Match': '"1"' }), 412);
  const ok = await admin.patch('/v1/indicators/PATCH_ME', { name: 'With If-Match' }, { 'If-Match': '"3"' });
  assert.equal(ok.status, 200, ok.text);
  expectProblem(assert, await admin.patch('/v1/indicators/NO_SUCH', { name: 'x' }), 404);
  expectProblem(assert, await admin.patch('/v1/indicators/PATCH_ME', '{bad', {}), 400);
});

test('indicators have no DELETE', async () => {
  const r = await admin.del('/v1/indicators/OMZET');
  expectProblem(assert, r, 405);
  assert.match(r.headers.get('allow'), /GET/);
});
