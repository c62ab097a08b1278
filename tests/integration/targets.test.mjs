// Targets: one per indicator, period and scope; the province when no scope is given.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeUser, makePesantren, expectProblem } from './lib/harness.mjs';

let s, admin, adminToken, mentor, operator, viewer, pesantren, program;
before(async () => {
  s = await startServer();
  adminToken = await s.login();
  admin = s.api(adminToken);
  pesantren = await makePesantren(s, adminToken, { region_code: '35.09' });
  mentor = s.api((await makeUser(s, adminToken, 'mentor', { region_codes: ['35.09'] })).token);
  viewer = s.api((await makeUser(s, adminToken, 'viewer')).token);
  operator = s.api((await makeUser(s, adminToken, 'operator', { pesantren_id: pesantren.id })).token);
  const p = await admin.post('/v1/programs', { pillar: 'pesantrenpreneur', name: 'Pelatihan Koppontren 2024', year: 2024 });
  assert.equal(p.status, 201, p.text);
  program = p.json;
  assert.equal((await admin.post('/v1/indicators', { code: 'SHARE_CERTIFIED', name: 'Share certified', unit: 'percent', aggregation: 'avg' })).status, 201);
});
after(async () => s && s.stop());

test('an admin sets a province target; it reads back with ETag', async () => {
  const r = await admin.post('/v1/targets', { indicator_code: 'OMZET', period: '2024', value: 1500000000 });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), `/v1/targets/${r.json.id}`);
  assert.equal(r.json.indicator_code, 'OMZET');
  assert.equal(r.json.period, '2024');
  assert.equal(r.json.period_start, '2024-01-01');
  assert.equal(r.json.period_end, '2024-12-31');
  assert.equal(r.json.value, 1500000000);
  assert.equal(r.json.program_id, null);
  assert.equal(r.json.region_code, null);
  assert.equal(r.json.pesantren_id, null);
  const g = await viewer.get(`/v1/targets/${r.json.id}`);
  assert.equal(g.status, 200);
  assert.deepEqual(g.json, r.json);
  assert.equal(g.headers.get('etag'), '"1"');
  assert.equal((await viewer.get(`/v1/targets/${r.json.id}`, { 'If-None-Match': '"1"' })).status, 304);
});

test('one target per indicator, period and scope', async () => {
  const base = { indicator_code: 'ASET', period: '2024-Q2', value: 10 };
  assert.equal((await admin.post('/v1/targets', base)).status, 201);
  expectProblem(assert, await admin.post('/v1/targets', { ...base, value: 11 }), 409);
  const region = await admin.post('/v1/targets', { ...base, region_code: '35.09' });
  assert.equal(region.status, 201, region.text);
  expectProblem(assert, await admin.post('/v1/targets', { ...base, region_code: '35.09' }), 409);
  assert.equal((await admin.post('/v1/targets', { ...base, program_id: program.id })).status, 201);
  assert.equal((await admin.post('/v1/targets', { ...base, pesantren_id: pesantren.id })).status, 201);
  assert.equal((await admin.post('/v1/targets', { ...base, program_id: program.id, region_code: '35.09' })).status, 201);
  assert.equal((await admin.post('/v1/targets', { ...base, period: '2024-04' })).status, 201);
  assert.equal((await admin.post('/v1/targets', { ...base, indicator_code: 'OMZET' })).status, 201);
  expectProblem(assert, await admin.post('/v1/targets', { ...base, program_id: null, region_code: null }), 409);
});

test('a name that does not exist is a 422 on its field', async () => {
  const base = { indicator_code: 'OMZET', period: '2023', value: 1 };
  expectProblem(assert, await admin.post('/v1/targets', { ...base, indicator_code: 'NO_SUCH' }), 422, 'indicator_code');
  expectProblem(assert, await admin.post('/v1/targets', { ...base, program_id: '00000000-0000-4000-8000-000000000000' }), 422, 'program_id');
  expectProblem(assert, await admin.post('/v1/targets', { ...base, pesantren_id: '00000000-0000-4000-8000-000000000000' }), 422, 'pesantren_id');
  expectProblem(assert, await admin.post('/v1/targets', { ...base, region_code: '35.99' }), 422, 'region_code');
  expectProblem(assert, await admin.post('/v1/targets', { ...base, region_code: '36.01' }), 422, 'region_code');
});

test('periods are YYYY, YYYY-Qn or YYYY-MM', async () => {
  for (const period of ['2024-13', '2024-00', '2024-Q0', '2024-Q5', '24', '2024-1', '2024-q1', '2024-W10', ' 2024', '1999', '2101', 2024])
    expectProblem(assert, await admin.post('/v1/targets', { indicator_code: 'OMZET', period, value: 1 }), 422, 'period');
  for (const period of ['2019-01', '2022-Q4', '2100', '2000-12'])
    assert.equal((await admin.post('/v1/targets', { indicator_code: 'SANTRI_TRAINED', period, value: 1 })).status, 201, period);
});

test('values are numbers from 0, whole except for percent indicators', async () => {
  const base = { indicator_code: 'EMPLOYEES', period: '2023-Q1' };
  expectProblem(assert, await admin.post('/v1/targets', { ...base, value: -1 }), 422, 'value');
  expectProblem(assert, await admin.post('/v1/targets', { ...base, value: '10' }), 422, 'value');
  expectProblem(assert, await admin.post('/v1/targets', { ...base, value: null }), 422, 'value');
  expectProblem(assert, await admin.post('/v1/targets', { ...base, value: 1e16 }), 422, 'value');
  expectProblem(assert, await admin.post('/v1/targets', { ...base, value: 2.5 }), 422, 'value');
  assert.equal((await admin.post('/v1/targets', { ...base, value: 0 })).status, 201);
  const pct = await admin.post('/v1/targets', { indicator_code: 'SHARE_CERTIFIED', period: '2024', value: 62.5 });
  assert.equal(pct.status, 201, pct.text);
  assert.equal(pct.json.value, 62.5);
  const tenth = await admin.post('/v1/targets', { indicator_code: 'SHARE_CERTIFIED', period: '2023', value: 0.1 });
  assert.equal(tenth.json.value, 0.1);
});

test('every bad field at once; unknown and read-only fields are 422', async () => {
  const r = await admin.post('/v1/targets', { indicator_code: 'x', period: 'soon', value: -5, region_code: 'Surabaya', program_id: 'abc', colour: 1, version: 2 });
  expectProblem(assert, r, 422);
  assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['colour', 'indicator_code', 'period', 'program_id', 'region_code', 'value', 'version']);
  const missing = await admin.post('/v1/targets', {});
  assert.deepEqual(missing.json.errors.map((e) => e.field).sort(), ['indicator_code', 'period', 'value']);
});

test('lists filter by indicator, period, scope fields and province scope', async () => {
  const ind = 'KOPPONTREN_MEMBERS';
  await admin.post('/v1/targets', { indicator_code: ind, period: '2022', value: 100 });
  await admin.post('/v1/targets', { indicator_code: ind, period: '2022', value: 5, region_code: '35.78' });
  await admin.post('/v1/targets', { indicator_code: ind, period: '2022', value: 7, pesantren_id: pesantren.id });
  await admin.post('/v1/targets', { indicator_code: ind, period: '2022', value: 9, program_id: program.id });
  await admin.post('/v1/targets', { indicator_code: ind, period: '2021', value: 90 });
  const all = await viewer.get(`/v1/targets?indicator_code=${ind}&include_total=true`);
  assert.equal(all.status, 200, all.text);
  assert.equal(all.json.total, 5);
  assert.ok(all.json.items.every((t) => t.indicator_code === ind));
  const prov = await viewer.get(`/v1/targets?indicator_code=${ind}&scope=province`);
  assert.deepEqual(prov.json.items.map((t) => t.period).sort(), ['2021', '2022']);
  const y = await viewer.get(`/v1/targets?indicator_code=${ind}&period=2022&region_code=35.78`);
  assert.deepEqual(y.json.items.map((t) => t.value), [5]);
  assert.deepEqual((await viewer.get(`/v1/targets?indicator_code=${ind}&pesantren_id=${pesantren.id}`)).json.items.map((t) => t.value), [7]);
  assert.deepEqual((await viewer.get(`/v1/targets?indicator_code=${ind}&program_id=${program.id}`)).json.items.map((t) => t.value), [9]);
  assert.deepEqual((await viewer.get('/v1/targets?indicator_code=NO_SUCH')).json.items, []);
  const seen = [];
  let cursor = null;
  do {
    const r = await mentor.get(`/v1/targets?limit=2&indicator_code=${ind}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    seen.push(...r.json.items.map((t) => t.id));
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.equal(seen.length, 5);
  assert.equal(new Set(seen).size, 5);
});

test('bad list parameters are 400', async () => {
  expectProblem(assert, await viewer.get('/v1/targets?program_id=abc'), 400, 'program_id');
  expectProblem(assert, await viewer.get('/v1/targets?pesantren_id=1'), 400, 'pesantren_id');
  expectProblem(assert, await viewer.get('/v1/targets?period=2024-13'), 400, 'period');
  expectProblem(assert, await viewer.get('/v1/targets?scope=region'), 400, 'scope');
  expectProblem(assert, await viewer.get('/v1/targets?year=2024'), 400, 'year');
});

test('an admin patches a target; its indicator stays; a collision is 409', async () => {
  const t = (await admin.post('/v1/targets', { indicator_code: 'ALUMNI_TRAINED', period: '2024', value: 50 })).json;
  await admin.post('/v1/targets', { indicator_code: 'ALUMNI_TRAINED', period: '2023', value: 40 });
  const r = await admin.patch(`/v1/targets/${t.id}`, { value: 60, region_code: '35.01' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.value, 60);
  assert.equal(r.json.region_code, '35.01');
  assert.equal(r.json.version, 2);
  const back = await admin.patch(`/v1/targets/${t.id}`, { region_code: null, period: '2024-Q1' });
  assert.equal(back.json.period_end, '2024-03-31');
  expectProblem(assert, await admin.patch(`/v1/targets/${t.id}`, { period: '2023' }), 409);
  expectProblem(assert, await admin.patch(`/v1/targets/${t.id}`, { indicator_code: 'OMZET' }), 422, 'indicator_code');
  expectProblem(assert, await admin.patch(`/v1/targets/${t.id}`, { indicator_code: 'ALUMNI_TRAINED', value: 1.5 }), 422, 'value');
  expectProblem(assert, await admin.patch(`/v1/targets/${t.id}`, { program_id: '00000000-0000-4000-8000-000000000000' }), 422, 'program_id');
  expectProblem(assert, await admin.patch(`/v1/targets/${t.id}`, { value: 1 }, { 'If-Match': '"1"' }), 412);
  expectProblem(assert, await admin.patch('/v1/targets/00000000-0000-4000-8000-000000000000', { value: 1 }), 404);
  expectProblem(assert, await admin.patch('/v1/targets/nope', { value: 1 }), 404);
});

test('an admin deletes a target, honouring If-Match', async () => {
  const t = (await admin.post('/v1/targets', { indicator_code: 'PRODUCTS_HALAL', period: '2024', value: 3 })).json;
  expectProblem(assert, await admin.del(`/v1/targets/${t.id}`, { 'If-Match': '"7"' }), 412);
  const d = await admin.del(`/v1/targets/${t.id}`, { 'If-Match': '"1"' });
  assert.equal(d.status, 204);
  expectProblem(assert, await viewer.get(`/v1/targets/${t.id}`), 404);
  expectProblem(assert, await admin.del(`/v1/targets/${t.id}`), 404);
  assert.equal((await admin.post('/v1/targets', { indicator_code: 'PRODUCTS_HALAL', period: '2024', value: 3 })).status, 201);
});

test('only an admin writes targets; everyone reads them', async () => {
  const t = (await admin.post('/v1/targets', { indicator_code: 'OMZET', period: '2020', value: 1 })).json;
  for (const c of [mentor, operator, viewer]) {
    expectProblem(assert, await c.post('/v1/targets', { indicator_code: 'OMZET', period: '2019', value: 1 }), 403);
    expectProblem(assert, await c.patch(`/v1/targets/${t.id}`, { value: 2 }), 403);
    expectProblem(assert, await c.del(`/v1/targets/${t.id}`), 403);
    assert.equal((await c.get(`/v1/targets/${t.id}`)).status, 200);
    assert.equal((await c.get('/v1/targets')).status, 200);
  }
  assert.equal((await viewer.get(`/v1/targets/${t.id}`)).json.version, 1);
});
