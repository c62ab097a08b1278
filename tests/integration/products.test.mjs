// Products of pesantren and the product catalogue: fields, certifications,
// rights of every role, conditional requests, idempotency and list filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, makeUser, makePesantren, expectProblem, psql } from './lib/harness.mjs';

let s, admin, pA, pB, opA, mentor, viewer;

// Today in WIB (UTC+7), as the server counts it.
function wibDate(offsetDays = 0) {
  return new Date(Date.now() + 7 * 3600e3 + offsetDays * 86400e3).toISOString().slice(0, 10);
}

const halal = { type: 'halal', number: 'ID35110000123450123', issued_on: '2023-03-01', expires_on: '2099-03-01' };
const oldPirt = { type: 'pirt', number: '2063507010123-24', issued_on: '2015-01-10', expires_on: '2020-01-10' };

before(async () => {
  s = await startServer();
  admin = await s.login();
  pA = await makePesantren(s, admin, { region_code: '35.07' });
  pB = await makePesantren(s, admin, { region_code: '35.09' });
  opA = await makeUser(s, admin, 'operator', { pesantren_id: pA.id });
  mentor = await makeUser(s, admin, 'mentor', { region_codes: ['35.07'] });
  viewer = await makeUser(s, admin, 'viewer');
});
after(async () => s && s.stop());

const productsOf = (p) => `/v1/pesantren/${p.id}/products`;
async function makeProduct(token, p, fields = {}) {
  const r = await s.api(token).post(productsOf(p), { name: 'Keripik Tempe', category: 'food', ...fields });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
const countOf = (p) => Number(psql(s.db, `SELECT count(*) FROM products WHERE pesantren_id = '${p.id}'`));

test('a created product reads back at its Location with ETag, region and computed expiry', async () => {
  const body = {
    name: '  Kopi Arabika Ijen  ', category: 'beverage', description: 'Kopi sangrai dari lereng Ijen',
    price_idr: 85000, unit: 'bungkus 250 g', monthly_capacity: 1200,
    certifications: [halal, oldPirt, { type: 'nib', number: '9120001234567' }],
  };
  const r = await s.api(admin).post(productsOf(pA), body);
  assert.equal(r.status, 201, r.text);
  const p = r.json;
  assert.equal(r.headers.get('location'), `/v1/pesantren/${pA.id}/products/${p.id}`);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(p.name, 'Kopi Arabika Ijen');
  assert.equal(p.pesantren_id, pA.id);
  assert.equal(p.region_code, '35.07');
  assert.equal(p.price_idr, 85000);
  assert.equal(p.monthly_capacity, 1200);
  assert.equal(p.version, 1);
  for (const k of ['id', 'created_at', 'updated_at']) assert.ok(p[k], k);
  assert.match(p.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(p.certifications, [
    { ...halal, expired: false },
    { ...oldPirt, expired: true },
    { type: 'nib', number: '9120001234567', issued_on: null, expires_on: null, expired: false },
  ]);
  const g = await s.api(viewer.token).get(r.headers.get('location'));
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('etag'), '"1"');
  assert.deepEqual(g.json, p);
  const flat = await s.api(mentor.token).get(`/v1/products/${p.id}`);
  assert.equal(flat.status, 200);
  assert.deepEqual(flat.json, p);
});

test('only name is required; optional fields read back as null and certifications as []', async () => {
  const r = await s.api(admin).post(productsOf(pA), { name: 'Sabun Sereh' });
  assert.equal(r.status, 201, r.text);
  for (const k of ['category', 'description', 'price_idr', 'unit', 'monthly_capacity']) assert.equal(r.json[k], null, k);
  assert.deepEqual(r.json.certifications, []);
});

test('expiry is counted in WIB days: a certificate expiring today is still valid, yesterday is expired', async () => {
  const p = await makeProduct(admin, pA, {
    certifications: [
      { type: 'bpom', number: 'MD 2345', issued_on: '2020-01-01', expires_on: wibDate(0) },
      { type: 'bpom', number: 'MD 2346', issued_on: '2020-01-01', expires_on: wibDate(-1) },
    ],
  });
  assert.deepEqual(p.certifications.map((c) => c.expired), [false, true]);
});

test('a product of an unknown or malformed pesantren is 404', async () => {
  expectProblem(assert, await s.api(admin).post('/v1/pesantren/00000000-0000-4000-8000-000000000000/products', { name: 'X' }), 404);
  expectProblem(assert, await s.api(admin).post('/v1/pesantren/not-a-uuid/products', { name: 'X' }), 404);
  expectProblem(assert, await s.api(admin).get('/v1/pesantren/00000000-0000-4000-8000-000000000000/products'), 404);
});

test('unknown, malformed and foreign product ids are 404', async () => {
  const p = await makeProduct(admin, pA);
  expectProblem(assert, await s.api(admin).get('/v1/products/00000000-0000-4000-8000-000000000000'), 404);
  expectProblem(assert, await s.api(admin).get('/v1/products/123'), 404);
  expectProblem(assert, await s.api(admin).get(`/v1/pesantren/${pB.id}/products/${p.id}`), 404);
  expectProblem(assert, await s.api(admin).patch(`/v1/pesantren/${pB.id}/products/${p.id}`, { price_idr: 1 }), 404);
  expectProblem(assert, await s.api(admin).del(`/v1/pesantren/${pB.id}/products/${p.id}`), 404);
  assert.equal((await s.api(admin).get(`/v1/products/${p.id}`)).json.version, 1);
});

test('every bad field is reported at once with its name', async () => {
  const r = await s.api(admin).post(productsOf(pA), {
    category: 'furniture', price_idr: -1, monthly_capacity: 'banyak', unit: 'x'.repeat(51), colour: 'red',
    id: '00000000-0000-4000-8000-000000000000', version: 3, pesantren_id: pB.id,
  });
  expectProblem(assert, r, 422);
  const fields = r.json.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['category', 'colour', 'id', 'monthly_capacity', 'name', 'pesantren_id', 'price_idr',
    'unit', 'version'].sort());
  assert.equal(countOf(pB), 0);
});

test('names: blank after trimming and over 200 characters are 422; lengths count characters', async () => {
  expectProblem(assert, await s.api(admin).post(productsOf(pA), { name: '   ' }), 422, 'name');
  expectProblem(assert, await s.api(admin).post(productsOf(pA), { name: 'é'.repeat(201) }), 422, 'name');
  expectProblem(assert, await s.api(admin).post(productsOf(pA), { name: null }), 422, 'name');
  expectProblem(assert, await s.api(admin).post(productsOf(pA), { name: 42 }), 422, 'name');
  const r = await s.api(admin).post(productsOf(pA), { name: 'é'.repeat(200) });
  assert.equal(r.status, 201, r.text);
});

test('price and capacity are whole numbers from 0', async () => {
  expectProblem(assert, await s.api(admin).post(productsOf(pA), { name: 'A', price_idr: 1500.5 }), 422, 'price_idr');
  expectProblem(assert, await s.api(admin).post(productsOf(pA), { name: 'A', price_idr: '1500' }), 422, 'price_idr');
  expectProblem(assert, await s.api(admin).post(productsOf(pA), { name: 'A', monthly_capacity: -5 }), 422, 'monthly_capacity');
  const r = await s.api(admin).post(productsOf(pA), { name: 'A', price_idr: 0, monthly_capacity: 0 });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.price_idr, 0);
});

test('certification rules name the item and field', async () => {
  const bad = async (certifications, field) =>
    expectProblem(assert, await s.api(admin).post(productsOf(pA), { name: 'Madu', certifications }), 422, field);
  await bad({ type: 'halal' }, 'certifications');
  await bad(['halal'], 'certifications[0]');
  await bad([halal, { ...halal, type: 'iso9001' }], 'certifications[1].type');
  await bad([{ type: 'halal' }], 'certifications[0].number');
  await bad([{ number: 'X1' }], 'certifications[0].type');
  await bad([{ ...halal, number: '  ' }], 'certifications[0].number');
  await bad([{ ...halal, issued_on: '2023-02-30' }], 'certifications[0].issued_on');
  await bad([{ ...halal, expires_on: '01-03-2030' }], 'certifications[0].expires_on');
  await bad([{ ...halal, issued_on: '2024-05-01', expires_on: '2024-04-30' }], 'certifications[0].expires_on');
  await bad([halal, { ...halal, issued_on: '2024-05-01', expires_on: '2024-05-01' }], 'certifications[1].expires_on');
  await bad([{ ...halal, authority: 'BPJPH' }], 'certifications[0].authority');
  await bad([{ ...halal, expired: 'no' }], 'certifications[0].expired');
  await bad(Array.from({ length: 51 }, () => halal), 'certifications');
  const r = await s.api(admin).post(productsOf(pA), {
    name: 'Madu', certifications: [{ ...halal, type: 'pirt', expires_on: '2025-01-01' }, halal, halal],
  });
  assert.equal(r.status, 201, 'several certificates of one type (renewals) are fine: ' + r.text);
});

test('the database keeps the certification rules for every writer', async () => {
  const p = await makeProduct(admin, pA);
  for (const certs of [`'[{"type": "iso"}]'`, `'[{"type": "halal", "number": "1", "issued_on": "2024-01-02", "expires_on": "2024-01-01"}]'`, `'{}'`]) {
    const sql = `UPDATE products SET certifications = ${certs} WHERE id = '${p.id}'`;
    assert.throws(() => execFileSync('psql', ['-d', s.db, '-Atqc', sql], { stdio: 'pipe' }), /products_certifications_check/);
  }
});

test('malformed bodies are 400, 415 or 422, never 500', async () => {
  expectProblem(assert, await s.api(admin).post(productsOf(pA), '{"name": '), 400);
  expectProblem(assert, await s.api(admin).post(productsOf(pA), '{"name": "x"}', { 'Content-Type': 'text/plain' }), 415);
  expectProblem(assert, await s.api(admin).post(productsOf(pA), [{ name: 'x' }]), 422);
  expectProblem(assert, await s.api(admin).post(productsOf(pA), '{"name": "a", "name": "b"}'), 400);
  expectProblem(assert, await s.api(admin).post(productsOf(pA)), 400);
});

test('an operator manages its own pesantren\'s products, through either path', async () => {
  const api = s.api(opA.token);
  const r = await api.post(productsOf(pA), { name: 'Batik Tulis', category: 'fashion' });
  assert.equal(r.status, 201, r.text);
  const p = r.json;
  const u = await api.patch(`/v1/products/${p.id}`, { price_idr: 350000 });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.version, 2);
  const v = await api.patch(`/v1/pesantren/${pA.id.toUpperCase()}/products/${p.id.toUpperCase()}`, { unit: 'lembar' });
  assert.equal(v.status, 200, v.text);
  const e = await api.patch(`/v1/products/${p.id}`, {});
  assert.equal(e.status, 200, e.text);
  assert.equal(e.json.version, 3, 'an empty patch changes nothing');
  assert.equal((await api.del(`/v1/pesantren/${pA.id}/products/${p.id}`)).status, 204);
  expectProblem(assert, await api.get(`/v1/products/${p.id}`), 404);
});

test('an operator of another pesantren gets 403 on every write and nothing changes', async () => {
  const p = await makeProduct(admin, pB, { price_idr: 1000 });
  const api = s.api(opA.token);
  const before = countOf(pB);
  expectProblem(assert, await api.post(productsOf(pB), { name: 'Intruder' }), 403);
  expectProblem(assert, await api.post(productsOf(pB), { nonsense: true }), 403);
  expectProblem(assert, await api.patch(`/v1/products/${p.id}`, { price_idr: 1 }), 403);
  expectProblem(assert, await api.patch(`/v1/pesantren/${pB.id}/products/${p.id}`, { price_idr: 1 }), 403);
  expectProblem(assert, await api.patch(`/v1/products/${p.id}`, { bogus: 1 }), 403);
  expectProblem(assert, await api.del(`/v1/products/${p.id}`), 403);
  expectProblem(assert, await api.del(`/v1/pesantren/${pB.id}/products/${p.id}`), 403);
  assert.equal(countOf(pB), before);
  const g = await s.api(admin).get(`/v1/products/${p.id}`);
  assert.equal(g.json.version, 1);
  assert.equal(g.json.price_idr, 1000);
  // ... but it reads them, like everyone.
  assert.equal((await api.get(`/v1/products/${p.id}`)).status, 200);
  assert.equal((await api.get(productsOf(pB))).status, 200);
});

test('mentors and viewers read products but never write them', async () => {
  const p = await makeProduct(admin, pA);
  for (const who of [mentor, viewer]) {
    const api = s.api(who.token);
    expectProblem(assert, await api.post(productsOf(pA), { name: 'X' }), 403);
    expectProblem(assert, await api.patch(`/v1/products/${p.id}`, { name: 'X' }), 403);
    expectProblem(assert, await api.patch(`/v1/pesantren/${pA.id}/products/${p.id}`, { name: 'X' }), 403);
    expectProblem(assert, await api.del(`/v1/products/${p.id}`), 403);
    expectProblem(assert, await api.del(`/v1/pesantren/${pA.id}/products/${p.id}`), 403);
    assert.equal((await api.get(`/v1/products/${p.id}`)).status, 200);
    assert.equal((await api.get('/v1/products')).status, 200);
  }
  assert.equal((await s.api(admin).get(`/v1/products/${p.id}`)).json.version, 1);
  expectProblem(assert, await s.api().get('/v1/products'), 401);
});

test('PATCH is a merge patch that re-validates the whole product', async () => {
  const p = await makeProduct(admin, pA, { description: 'Renyah', price_idr: 12000, certifications: [halal] });
  const path = `/v1/products/${p.id}`;
  let r = await s.api(admin).patch(path, { description: null, price_idr: 13000 }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.description, null);
  assert.equal(r.json.price_idr, 13000);
  assert.equal(r.json.name, 'Keripik Tempe');
  assert.deepEqual(r.json.certifications, [{ ...halal, expired: false }]);
  assert.equal(r.headers.get('etag'), '"2"');
  // Echoing a read certification (with "expired") back is accepted.
  r = await s.api(admin).patch(path, { certifications: [...r.json.certifications, { ...oldPirt, expired: false }] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.certifications.map((c) => [c.type, c.expired]), [['halal', false], ['pirt', true]]);
  expectProblem(assert, await s.api(admin).patch(path, { name: null }), 422, 'name');
  expectProblem(assert, await s.api(admin).patch(path, { version: 9 }), 422, 'version');
  expectProblem(assert, await s.api(admin).patch(path, { region_code: '35.01' }), 422, 'region_code');
  expectProblem(assert, await s.api(admin).patch(path, { pesantren_id: pB.id }), 422, 'pesantren_id');
  expectProblem(assert, await s.api(admin).patch(path, { certifications: [{ ...halal, expires_on: '2000-01-01' }] }), 422,
    'certifications[0].expires_on');
  r = await s.api(admin).patch(path, { certifications: null });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.certifications, []);
  assert.equal(r.json.version, 4);
});

test('If-None-Match gives 304; a stale If-Match gives 412 and changes nothing', async () => {
  const p = await makeProduct(admin, pA);
  const path = `/v1/pesantren/${pA.id}/products/${p.id}`;
  const nm = await s.api(viewer.token).get(path, { 'If-None-Match': '"1"' });
  assert.equal(nm.status, 304);
  assert.equal(nm.headers.get('etag'), '"1"');
  assert.equal((await s.api(viewer.token).get(path, { 'If-None-Match': '"7"' })).status, 200);
  expectProblem(assert, await s.api(admin).patch(path, { price_idr: 5 }, { 'If-Match': '"7"' }), 412);
  const ok = await s.api(admin).patch(path, { price_idr: 5 }, { 'If-Match': '"1"' });
  assert.equal(ok.status, 200, ok.text);
  expectProblem(assert, await s.api(admin).del(path, { 'If-Match': '"1"' }), 412);
  assert.equal((await s.api(admin).get(path)).status, 200);
  assert.equal((await s.api(admin).del(path, { 'If-Match': '"2"' })).status, 204);
  expectProblem(assert, await s.api(admin).del(path), 404);
});

test('Idempotency-Key replays the first answer and never creates twice', async () => {
  const key = 'prod-' + Date.now();
  const body = { name: 'Gula Aren', category: 'food' };
  const before = countOf(pB);
  const a = await s.api(admin).post(productsOf(pB), body, { 'Idempotency-Key': key });
  const b = await s.api(admin).post(productsOf(pB), body, { 'Idempotency-Key': key });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(b.json.id, a.json.id);
  assert.equal(b.headers.get('location'), a.headers.get('location'));
  assert.equal(countOf(pB), before + 1);
  expectProblem(assert, await s.api(admin).post(productsOf(pB), { ...body, name: 'Gula Kelapa' }, { 'Idempotency-Key': key }),
    422, 'Idempotency-Key');
  assert.equal(countOf(pB), before + 1);
});

test('the pesantren list holds only that pesantren\'s products and pages through them', async () => {
  const p = await makePesantren(s, admin, { region_code: '35.29' });
  const made = [];
  for (let i = 0; i < 5; i++) made.push((await makeProduct(admin, p, { name: `Kerupuk Ikan ${i}`, category: 'fishery' })).id);
  const seen = [];
  let cursor = null;
  do {
    const r = await s.api(viewer.token).get(`${productsOf(p)}?limit=2&include_total=true${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, 5);
    assert.ok(r.json.items.length <= 2);
    seen.push(...r.json.items.map((x) => x.id));
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, made);
  expectProblem(assert, await s.api(admin).get(`${productsOf(p)}?region_code=35.29`), 400, 'region_code');
});

test('the catalogue filters by category, region, certification and literal q', async () => {
  const p1 = await makePesantren(s, admin, { region_code: '35.26' });
  const p2 = await makePesantren(s, admin, { region_code: '35.27' });
  const a = await makeProduct(admin, p1, { name: 'Garam 100% Madura_Asli', category: 'agriculture', certifications: [halal] });
  const b = await makeProduct(admin, p1, { name: 'Garam Beryodium', category: 'agriculture', certifications: [oldPirt] });
  const c = await makeProduct(admin, p2, { name: 'Sarung Tenun GARAM', category: 'fashion', certifications: [{ ...halal, type: 'merek' }] });
  const ids = async (qs) => {
    const r = await s.api(opA.token).get('/v1/products?limit=100&' + qs);
    assert.equal(r.status, 200, r.text);
    return r.json.items.map((x) => x.id);
  };
  assert.deepEqual(await ids('region_code=35.26'), [a.id, b.id]);
  assert.deepEqual(await ids('region_code=35.27&category=fashion'), [c.id]);
  assert.deepEqual(await ids('region_code=35.26&category=fashion'), []);
  assert.deepEqual(await ids('q=garam&region_code=35.27'), [c.id]);
  assert.deepEqual(await ids(`q=${encodeURIComponent('100%')}`), [a.id]);
  assert.deepEqual(await ids(`q=${encodeURIComponent('a_A')}`), [a.id]);
  assert.deepEqual(await ids(`q=${encodeURIComponent('%')}`), [a.id]);
  assert.deepEqual(await ids('q=gAraM&certification=pirt&region_code=35.26'), [b.id]);
  assert.deepEqual(await ids('certification=merek'), [c.id]);
  assert.deepEqual(await ids(`pesantren_id=${p2.id}`), [c.id]);
  const halalIds = await ids('certification=halal');
  assert.ok(halalIds.includes(a.id) && !halalIds.includes(b.id) && !halalIds.includes(c.id));
  const t = await s.api(admin).get('/v1/products?region_code=35.26&include_total=true');
  assert.equal(t.json.total, 2);
  assert.equal(t.json.next_cursor, null);
  assert.equal((await s.api(admin).get('/v1/products?region_code=35.26')).json.total, undefined);
});

test('the catalogue pages every product once in a stable order, even while products are added', async () => {
  const p = await makePesantren(s, admin, { region_code: '35.01' });
  for (let i = 0; i < 4; i++) await makeProduct(admin, p, { name: `Tas Anyaman ${i}`, category: 'craft' });
  const seen = [];
  let cursor = null, added = false;
  do {
    const r = await s.api(admin).get('/v1/products?region_code=35.01&limit=3' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    assert.equal(r.status, 200);
    seen.push(...r.json.items.map((x) => x.id));
    if (!added) { await makeProduct(admin, p, { name: 'Tas Anyaman baru', category: 'craft' }); added = true; }
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.equal(seen.length, 5);
  assert.equal(new Set(seen).size, 5);
});

test('bad list parameters are 400 naming the parameter', async () => {
  const bad = async (qs, field) => expectProblem(assert, await s.api(admin).get('/v1/products?' + qs), 400, field);
  await bad('category=furniture', 'category');
  await bad('certification=iso', 'certification');
  await bad('region_code=35.99', 'region_code');
  await bad('region_code=Surabaya', 'region_code');
  await bad('pesantren_id=123', 'pesantren_id');
  await bad('limit=0', 'limit');
  await bad('limit=101', 'limit');
  await bad('limit=ten', 'limit');
  await bad('include_total=yes', 'include_total');
  await bad('cursor=garbage', 'cursor');
  await bad('sort=name', 'sort');
  await bad('q=%FF');
  expectProblem(assert, await s.api(admin).get(`${productsOf(pA)}?color=red`), 400, 'color');
});

test('unsupported methods are 405 with Allow', async () => {
  const r = await s.api(admin).request('PUT', `/v1/products/${pA.id}`, {});
  expectProblem(assert, r, 405);
  assert.match(r.headers.get('allow'), /GET/);
  assert.match(r.headers.get('allow'), /PATCH/);
  const l = await s.api(admin).post('/v1/products', { name: 'x' });
  expectProblem(assert, l, 405);
});

test('writes leave audit events and change-feed entries', async () => {
  const p = await makeProduct(admin, pA);
  await s.api(admin).patch(`/v1/products/${p.id}`, { price_idr: 1 });
  await s.api(admin).del(`/v1/products/${p.id}`);
  assert.equal(psql(s.db, `SELECT count(*) FROM audit_events WHERE entity = 'product' AND entity_id = '${p.id}'`), '3');
  assert.equal(psql(s.db, `SELECT string_agg(action, ',' ORDER BY seq) FROM changes WHERE entity_id = '${p.id}'`),
    'created,updated,deleted');
});
