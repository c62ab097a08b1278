// GET /v1/pesantren/{id}/summary: the pesantren with its programmes, product
// count and the latest verified value of every indicator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeUser, makePesantren, expectProblem } from './lib/harness.mjs';

let s, adminToken, admin, viewer, operator, pes;
before(async () => {
  s = await startServer();
  adminToken = await s.login();
  admin = s.api(adminToken);
  pes = await makePesantren(s, adminToken, { region_code: '35.22' });
  viewer = s.api((await makeUser(s, adminToken, 'viewer')).token);
  operator = s.api((await makeUser(s, adminToken, 'operator', { pesantren_id: pes.id })).token);
});
after(async () => s && s.stop());

async function measure(indicator_code, period, value, verify = true, pesantren_id = pes.id) {
  const m = await admin.post('/v1/measurements', { indicator_code, pesantren_id, period, value });
  assert.equal(m.status, 201, m.text);
  if (verify) {
    assert.equal((await admin.post(`/v1/measurements/${m.json.id}/submit`)).status, 200);
    assert.equal((await admin.post(`/v1/measurements/${m.json.id}/verify`)).status, 200);
  }
  return m.json;
}

test('a new pesantren: no programmes, no products, every indicator without a value', async () => {
  const fresh = await makePesantren(s, adminToken);
  const r = await viewer.get(`/v1/pesantren/${fresh.id}/summary`);
  assert.equal(r.status, 200, r.text);
  for (const [k, v] of Object.entries(fresh)) assert.deepEqual(r.json[k], v, k);
  assert.deepEqual(r.json.enrolments, []);
  assert.equal(r.json.product_count, 0);
  const codes = r.json.indicators.map((i) => i.code);
  for (const c of ['OMZET', 'ASET', 'SANTRI_TRAINED', 'ALUMNI_TRAINED', 'KOPPONTREN_MEMBERS', 'PRODUCTS_HALAL', 'EMPLOYEES'])
    assert.ok(codes.includes(c), c);
  for (const i of r.json.indicators) {
    assert.deepEqual(Object.keys(i).sort(), ['code', 'name', 'period', 'unit', 'value']);
    assert.equal(i.value, null);
    assert.equal(i.period, null);
  }
});

test('programmes, products and the latest verified values', async () => {
  const p1 = (await admin.post('/v1/programs', { pillar: 'pesantrenpreneur', name: 'Koppontren Sehat 2023', year: 2023 })).json;
  const p2 = (await admin.post('/v1/programs', { pillar: 'santripreneur', name: 'Santri Digital 2024', year: 2024 })).json;
  for (const p of [p2, p1]) {
    const e = await admin.post(`/v1/programs/${p.id}/participants`, { pesantren_id: pes.id });
    assert.equal(e.status, 201, e.text);
  }
  for (const name of ['Keripik Tempe', 'Sarung Tenun']) {
    const pr = await admin.post(`/v1/pesantren/${pes.id}/products`, { name, category: 'food' });
    assert.equal(pr.status, 201, pr.text);
  }
  await measure('OMZET', '2024-02', 20000000);
  await measure('OMZET', '2024-03', 25000000);
  await measure('OMZET', '2024-05', 99000000, false);           // a draft never counts
  await measure('ASET', '2024', 500000000);                      // year, quarter and month end together:
  await measure('ASET', '2024-Q4', 510000000);
  await measure('ASET', '2024-12', 520000000);                   // the month is the finer one
  await measure('ASET', '2023-12', 1);
  await measure('EMPLOYEES', '2023-Q3', 12);
  const rejected = await measure('EMPLOYEES', '2024-01', 15, false);
  await admin.post(`/v1/measurements/${rejected.id}/submit`);
  await admin.post(`/v1/measurements/${rejected.id}/reject`, { reason: 'tidak ada bukti' });
  const other = await makePesantren(s, adminToken);
  await measure('SANTRI_TRAINED', '2024', 40, true, other.id);   // another pesantren's value

  const r = await operator.get(`/v1/pesantren/${pes.id}/summary`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.id, pes.id);
  assert.equal(r.json.nspp, pes.nspp);
  assert.equal(r.json.cohort_year, 2023);
  assert.deepEqual(r.json.enrolments.map((e) => [e.program_id, e.name, e.pillar, e.year, e.status]), [
    [p1.id, p1.name, 'pesantrenpreneur', 2023, 'registered'],
    [p2.id, p2.name, 'santripreneur', 2024, 'registered'],
  ]);
  assert.equal(r.json.product_count, 2);
  const ind = Object.fromEntries(r.json.indicators.map((i) => [i.code, i]));
  assert.deepEqual(ind.OMZET, { code: 'OMZET', name: 'Omzet bulanan', unit: 'idr', value: 25000000, period: '2024-03' });
  assert.equal(ind.ASET.value, 520000000);
  assert.equal(ind.ASET.period, '2024-12');
  assert.equal(ind.EMPLOYEES.value, 12);
  assert.equal(ind.EMPLOYEES.period, '2023-Q3');
  assert.equal(ind.SANTRI_TRAINED.value, null);
  assert.equal(r.headers.get('etag'), null);
});

test('a later period wins over a finer one', async () => {
  const p = await makePesantren(s, adminToken);
  await measure('KOPPONTREN_MEMBERS', '2023-12', 80, true, p.id);
  await measure('KOPPONTREN_MEMBERS', '2024-Q1', 95, true, p.id);
  await measure('KOPPONTREN_MEMBERS', '2024-02', 90, true, p.id);
  const r = await viewer.get(`/v1/pesantren/${p.id}/summary`);
  const k = r.json.indicators.find((i) => i.code === 'KOPPONTREN_MEMBERS');
  assert.equal(k.value, 95);
  assert.equal(k.period, '2024-Q1');
});

test('an unknown or malformed pesantren is 404; unknown parameters are 400', async () => {
  expectProblem(assert, await viewer.get('/v1/pesantren/00000000-0000-4000-8000-000000000000/summary'), 404);
  expectProblem(assert, await viewer.get('/v1/pesantren/not-an-id/summary'), 404);
  expectProblem(assert, await viewer.get(`/v1/pesantren/${pes.id}/summary?verbose=1`), 400, 'verbose');
  const r = await viewer.post(`/v1/pesantren/${pes.id}/summary`, {});
  expectProblem(assert, r, 405);
});
