// Reports: the arithmetic of achievement, regions, cohorts and pillars on small
// fixtures with hand-computed answers, CSV against JSON, content negotiation,
// and the rollups against a plain recomputation from the raw rows after
// random writes (also concurrent ones through the API).
//
// Fixtures are written with SQL (the tables are the contract between the
// writers and the reports); each test keeps to its own years and indicators,
// so the tests of this file do not see each other's rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeUser, makePesantren, expectProblem, psql } from './lib/harness.mjs';

let s, admin, api;
const sql = (text) => psql(s.db, text);
const lit = (v) => (v === null || v === undefined ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`);

before(async () => {
  // The random-change test spends minutes in psql between requests: a kept-alive
  // connection must outlive that, or the next request races the server closing it.
  s = await startServer({ env: { OPOP_REQUEST_TIMEOUT: '900' } });
  admin = await s.login();
  api = s.api(admin);
});
after(async () => s && s.stop());

// ---- fixture helpers ----

function indicator(code, aggregation, { pillar = null, higher = true, unit = 'count', name = `Uji ${code}` } = {}) {
  sql(`INSERT INTO indicators (code, name, unit, pillar, aggregation, higher_is_better)
       VALUES (${lit(code)}, ${lit(name)}, ${lit(unit)}, ${lit(pillar)}, ${lit(aggregation)}, ${higher})`);
}

/** rows: [indicator code, pesantren id, period, value, status = 'verified', program id = null] */
function measure(rows) {
  const values = rows.map(([code, pes, period, value, status = 'verified', program = null]) =>
    `(${lit(code)}, ${lit(pes)}::uuid, ${lit(program)}::uuid, ${lit(period)}, ${value}, ${lit(status)})`);
  sql(`INSERT INTO measurements (indicator_id, pesantren_id, program_id, period, value, status, rejection_reason)
       SELECT i.id, v.pes, v.prog, v.period, v.value, v.status, CASE WHEN v.status = 'rejected' THEN 'Bukti kurang' END
         FROM (VALUES ${values.join(', ')}) AS v(code, pes, prog, period, value, status)
         JOIN indicators i ON i.code = v.code`);
}

function target(code, period, value, { region = null, program = null, pesantren = null } = {}) {
  sql(`INSERT INTO targets (indicator_id, period, value, region_code, program_id, pesantren_id)
       SELECT id, ${lit(period)}, ${value}, ${lit(region)}, ${lit(program)}::uuid, ${lit(pesantren)}::uuid
         FROM indicators WHERE code = ${lit(code)}`);
}

function program(pillar, year) {
  return sql(`INSERT INTO programs (pillar, name, year, status)
              VALUES (${lit(pillar)}, ${lit(`Program uji ${pillar} ${year} ${Math.random().toString(36).slice(2, 8)}`)},
                      ${year}, 'active') RETURNING id`);
}

function enrol(programId, pesantrenId, status = 'active') {
  sql(`INSERT INTO enrolments (program_id, pesantren_id, status) VALUES (${lit(programId)}, ${lit(pesantrenId)}, ${lit(status)})`);
}

function product(pesantrenId, certifications = []) {
  sql(`INSERT INTO products (pesantren_id, name, certifications)
       VALUES (${lit(pesantrenId)}, 'Produk uji', ${lit(JSON.stringify(certifications))}::jsonb)`);
}

const pes = async (region = '35.78') => (await makePesantren(s, admin, { region_code: region })).id;

async function report(path) {
  const r = await api.get(path);
  assert.equal(r.status, 200, `${path}: ${r.text}`);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  return r.json;
}

const rowOf = (items, code) => {
  const row = items.find((i) => i.indicator_code === code);
  assert.ok(row, `no row for ${code}`);
  return row;
};

function expectRow(items, code, want) {
  const row = rowOf(items, code);
  for (const [k, v] of Object.entries(want)) assert.deepEqual(row[k], v, `${code}.${k}: ${JSON.stringify(row)}`);
}

// ---- parameters, roles, negotiation ----

test('year is required and checked; unknown parameters and values are 400', async () => {
  expectProblem(assert, await api.get('/v1/reports/achievement'), 400, 'year');
  expectProblem(assert, await api.get('/v1/reports/achievement?year=abc'), 400, 'year');
  expectProblem(assert, await api.get('/v1/reports/achievement?year=1999'), 400, 'year');
  expectProblem(assert, await api.get('/v1/reports/achievement?year=2024&colour=red'), 400, 'colour');
  expectProblem(assert, await api.get('/v1/reports/achievement?year=2024&pillar=other'), 400, 'pillar');
  expectProblem(assert, await api.get('/v1/reports/achievement?year=2024&region_code=35.50'), 400, 'region_code');
  expectProblem(assert, await api.get('/v1/reports/achievement?year=2024&program_id=12'), 400, 'program_id');
  expectProblem(assert, await api.get('/v1/reports/achievement?year=2024&program_id=00000000-0000-4000-8000-000000000000'),
    400, 'program_id');
  expectProblem(assert, await api.get('/v1/reports/achievement?year=2024&include_unverified=yes'), 400, 'include_unverified');
  expectProblem(assert, await api.get('/v1/reports/regions?year=2024'), 400, 'indicator');
  expectProblem(assert, await api.get('/v1/reports/regions?indicator=OMZET'), 400, 'year');
  expectProblem(assert, await api.get('/v1/reports/regions?indicator=NO_SUCH&year=2024'), 400, 'indicator');
  expectProblem(assert, await api.get('/v1/reports/cohorts'), 400, 'indicator');
  expectProblem(assert, await api.get('/v1/reports/cohorts?indicator=OMZET&year=20x4'), 400, 'year');
  expectProblem(assert, await api.get('/v1/reports/pillars'), 400, 'year');
  expectProblem(assert, await api.get('/v1/reports/pillars?year=2024&indicator=OMZET'), 400, 'indicator');
});

test('every role reads the reports; no token is 401; other methods are 405', async () => {
  const p = await pes();
  const users = [
    await makeUser(s, admin, 'viewer'),
    await makeUser(s, admin, 'mentor', { region_codes: ['35.01'] }),
    await makeUser(s, admin, 'operator', { pesantren_id: p }),
  ];
  for (const u of users) {
    for (const path of ['/v1/reports/achievement?year=2024', '/v1/reports/regions?indicator=OMZET&year=2024',
      '/v1/reports/cohorts?indicator=OMZET', '/v1/reports/pillars?year=2024']) {
      const r = await s.api(u.token).get(path);
      assert.equal(r.status, 200, `${path}: ${r.text}`);
    }
  }
  expectProblem(assert, await s.api().get('/v1/reports/achievement?year=2024'), 401);
  const r = await api.post('/v1/reports/achievement?year=2024', {});
  expectProblem(assert, r, 405);
  assert.match(r.headers.get('allow'), /GET/);
});

test('Accept chooses JSON or CSV; neither is 406', async () => {
  const path = '/v1/reports/pillars?year=2024';
  const type = async (accept) => {
    const r = await api.get(path, { Accept: accept });
    return r.status === 200 ? r.headers.get('content-type').split(';')[0] : r.status;
  };
  assert.equal(await type('*/*'), 'application/json');
  assert.equal(await type('application/json'), 'application/json');
  assert.equal(await type('text/csv'), 'text/csv');
  assert.equal(await type('text/*'), 'text/csv');
  assert.equal(await type('text/csv;q=0.5, application/json'), 'application/json');
  assert.equal(await type('application/json;q=0.2, text/csv;q=0.9'), 'text/csv');
  assert.equal(await type('application/json; q=0, */*'), 'text/csv');
  assert.equal(await type('text/html, */*;q=0.8'), 'application/json');
  assert.equal(await type('TEXT/CSV'), 'text/csv');
  const r = await api.get(path, { Accept: 'application/xml' });
  expectProblem(assert, r, 406);
  expectProblem(assert, await api.get(path, { Accept: 'text/html, application/xml;q=0.9' }), 406);
  assert.equal((await api.get(path)).headers.get('vary'), 'Accept, Accept-Encoding');
});

// ---- achievement arithmetic (year 2031) ----

test('sum: total of the year\'s counted values; drafts, rejected and other years never count', async () => {
  indicator('T_SUM', 'sum');
  const [a, b, c] = [await pes('35.01'), await pes('35.02'), await pes('35.03')];
  measure([
    ['T_SUM', a, '2031-01', 100], ['T_SUM', a, '2031-02', 50], ['T_SUM', b, '2031-Q1', 30],
    ['T_SUM', b, '2031-03', 7, 'submitted'], ['T_SUM', c, '2031-04', 1000, 'draft'],
    ['T_SUM', c, '2031-05', 999, 'rejected'], ['T_SUM', a, '2030-12', 5000], ['T_SUM', a, '2032', 3000],
  ]);
  target('T_SUM', '2031', 400);
  target('T_SUM', '2031-Q1', 1); // only the yearly target is used
  const v = await report('/v1/reports/achievement?year=2031');
  assert.deepEqual(v.filters, { pillar: null, region_code: null, program_id: null, include_unverified: false });
  assert.equal(v.year, 2031);
  expectRow(v.items, 'T_SUM', { target: 400, actual: 180, achievement_pct: 45, pesantren_reporting: 2,
    aggregation: 'sum', unit: 'count', higher_is_better: true, pillar: null, indicator_name: 'Uji T_SUM' });
  const u = await report('/v1/reports/achievement?year=2031&include_unverified=true');
  assert.equal(u.filters.include_unverified, true);
  expectRow(u.items, 'T_SUM', { target: 400, actual: 187, achievement_pct: 46.75, pesantren_reporting: 2 });
  const f = await report('/v1/reports/achievement?year=2031&include_unverified=false');
  expectRow(f.items, 'T_SUM', { actual: 180 });
});

test('avg: mean of every counted value of every pesantren and period', async () => {
  indicator('T_AVG', 'avg', { unit: 'percent' });
  const [a, b, c] = [await pes(), await pes(), await pes()];
  measure([
    ['T_AVG', a, '2031-01', 10], ['T_AVG', a, '2031-02', 20], ['T_AVG', b, '2031', 45],
    ['T_AVG', c, '2031-03', 100, 'submitted'], ['T_AVG', c, '2031-04', 1, 'draft'], ['T_AVG', c, '2030-04', 9],
  ]);
  target('T_AVG', '2031', 50);
  expectRow((await report('/v1/reports/achievement?year=2031')).items, 'T_AVG',
    { target: 50, actual: 25, achievement_pct: 50, pesantren_reporting: 2 });
  expectRow((await report('/v1/reports/achievement?year=2031&include_unverified=true')).items, 'T_AVG',
    { target: 50, actual: 43.75, achievement_pct: 87.5, pesantren_reporting: 3 });
});

test('last: each pesantren\'s latest period (finer period on a tie, then the later record), summed', async () => {
  indicator('T_LAST', 'last');
  const [a, b, c, d, e] = [await pes(), await pes(), await pes(), await pes(), await pes()];
  const p1 = program('pesantrenpreneur', 2031);
  measure([
    // a: March ends with Q1; the month is the finer period -> 7
    ['T_LAST', a, '2031-Q1', 5], ['T_LAST', a, '2031-03', 7], ['T_LAST', a, '2031-02', 100], ['T_LAST', a, '2032-01', 999],
    // b: 2031, 2031-Q4 and 2031-12 all end on 31 December -> the month, 60
    ['T_LAST', b, '2031', 50], ['T_LAST', b, '2031-Q4', 55], ['T_LAST', b, '2031-12', 60],
    // c: the later value is only submitted
    ['T_LAST', c, '2031-06', 10], ['T_LAST', c, '2031-09', 20, 'submitted'],
    // d: only a draft
    ['T_LAST', d, '2031-11', 8, 'draft'],
  ]);
  // e: the same period for a programme and for none: the later record wins
  measure([['T_LAST', e, '2031-05', 3, 'verified', p1]]);
  measure([['T_LAST', e, '2031-05', 4]]);
  target('T_LAST', '2031', 162);
  expectRow((await report('/v1/reports/achievement?year=2031')).items, 'T_LAST',
    { target: 162, actual: 81, achievement_pct: 50, pesantren_reporting: 4 });
  expectRow((await report('/v1/reports/achievement?year=2031&include_unverified=true')).items, 'T_LAST',
    { target: 162, actual: 91, achievement_pct: 56.17, pesantren_reporting: 4 });
  // within the programme only its own value counts
  expectRow((await report(`/v1/reports/achievement?year=2031&program_id=${p1}`)).items, 'T_LAST',
    { target: null, actual: 3, achievement_pct: null, pesantren_reporting: 1 });
});

test('without values: sum is 0, avg and last are null; without a target or with a zero one the percentage is null', async () => {
  indicator('T_NONE_SUM', 'sum');
  indicator('T_NONE_AVG', 'avg');
  indicator('T_NONE_LAST', 'last');
  indicator('T_ZERO', 'sum');
  for (const code of ['T_NONE_SUM', 'T_NONE_AVG', 'T_NONE_LAST']) target(code, '2031', 100);
  target('T_ZERO', '2031', 0);
  measure([['T_ZERO', await pes(), '2031-01', 12], ['T_NONE_SUM', await pes(), '2031-02', 5, 'draft']]);
  const items = (await report('/v1/reports/achievement?year=2031')).items;
  expectRow(items, 'T_NONE_SUM', { target: 100, actual: 0, achievement_pct: 0, pesantren_reporting: 0 });
  expectRow(items, 'T_NONE_AVG', { target: 100, actual: null, achievement_pct: null, pesantren_reporting: 0 });
  expectRow(items, 'T_NONE_LAST', { target: 100, actual: null, achievement_pct: null, pesantren_reporting: 0 });
  expectRow(items, 'T_ZERO', { target: 0, actual: 12, achievement_pct: null, pesantren_reporting: 1 });
  // a year without targets
  expectRow((await report('/v1/reports/achievement?year=2039')).items, 'T_SUM',
    { target: null, actual: 0, achievement_pct: null, pesantren_reporting: 0 });
});

test('lower is better: target / actual x 100, null when the actual is 0', async () => {
  indicator('T_LOW', 'sum', { higher: false });
  indicator('T_LOW_NONE', 'sum', { higher: false });
  indicator('T_LOW_AVG', 'avg', { higher: false });
  const [a, b] = [await pes(), await pes()];
  measure([['T_LOW', a, '2031-01', 50], ['T_LOW', b, '2031-02', 30], ['T_LOW_AVG', a, '2031-01', 3],
    ['T_LOW_AVG', b, '2031-01', 4], ['T_LOW_AVG', b, '2031-02', 2]]);
  target('T_LOW', '2031', 60);
  target('T_LOW_NONE', '2031', 10);
  target('T_LOW_AVG', '2031', 2);
  const items = (await report('/v1/reports/achievement?year=2031')).items;
  expectRow(items, 'T_LOW', { target: 60, actual: 80, achievement_pct: 75, higher_is_better: false });
  expectRow(items, 'T_LOW_NONE', { target: 10, actual: 0, achievement_pct: null });
  // mean 3, 2 / 3 = 66.666... -> 66.67
  expectRow(items, 'T_LOW_AVG', { target: 2, actual: 3, achievement_pct: 66.67 });
});

// ---- scopes (year 2032) ----

test('scopes: region, programme, both, and pillar pick the rows and the target of that scope', async () => {
  indicator('T_SCOPE', 'sum', { pillar: 'santripreneur' });
  indicator('T_ANY', 'sum');
  const [r1a, r1b, r2] = [await pes('35.10'), await pes('35.10'), await pes('35.11')];
  const [p1, p2] = [program('santripreneur', 2032), program('santripreneur', 2032)];
  measure([
    ['T_SCOPE', r1a, '2032-01', 10, 'verified', p1], ['T_SCOPE', r1a, '2032-02', 20],
    ['T_SCOPE', r1b, '2032-01', 40, 'verified', p2], ['T_SCOPE', r2, '2032-01', 80, 'verified', p1],
    ['T_ANY', r2, '2032-03', 9],
  ]);
  target('T_SCOPE', '2032', 300);
  target('T_SCOPE', '2032', 100, { region: '35.10' });
  target('T_SCOPE', '2032', 45, { program: p1 });
  target('T_SCOPE', '2032', 20, { region: '35.10', program: p1 });
  target('T_SCOPE', '2032', 1, { pesantren: r1a });
  const at = async (query) => rowOf((await report(`/v1/reports/achievement?year=2032${query}`)).items, 'T_SCOPE');
  const all = await at('');
  assert.deepEqual([all.target, all.actual, all.achievement_pct, all.pesantren_reporting], [300, 150, 50, 3]);
  const region = await at('&region_code=35.10');
  assert.deepEqual([region.target, region.actual, region.achievement_pct, region.pesantren_reporting], [100, 70, 70, 2]);
  const prog = await at(`&program_id=${p1}`);
  assert.deepEqual([prog.target, prog.actual, prog.achievement_pct, prog.pesantren_reporting], [45, 90, 200, 2]);
  const both = await at(`&program_id=${p1}&region_code=35.10`);
  assert.deepEqual([both.target, both.actual, both.achievement_pct, both.pesantren_reporting], [20, 10, 50, 1]);
  const other = await at('&region_code=35.11');
  assert.deepEqual([other.target, other.actual, other.achievement_pct, other.pesantren_reporting], [null, 80, null, 1]);
  const p2row = await at(`&program_id=${p2}`);
  assert.deepEqual([p2row.target, p2row.actual, p2row.pesantren_reporting], [null, 40, 1]);

  const santri = await report(`/v1/reports/achievement?year=2032&pillar=santripreneur&region_code=35.11&program_id=${p1}`);
  assert.deepEqual(santri.filters, { pillar: 'santripreneur', region_code: '35.11', program_id: p1, include_unverified: false });
  const codes = santri.items.map((i) => i.indicator_code);
  assert.ok(codes.includes('T_SCOPE') && codes.includes('SANTRI_TRAINED'));
  assert.ok(codes.includes('T_ANY') && codes.includes('EMPLOYEES'), 'indicators of every pillar are in each pillar');
  assert.ok(!codes.includes('OMZET') && !codes.includes('ALUMNI_TRAINED'));
  assert.deepEqual(codes, [...codes].sort());
  const sosio = (await report('/v1/reports/achievement?year=2032&pillar=sosiopreneur')).items.map((i) => i.indicator_code);
  assert.ok(!sosio.includes('T_SCOPE') && sosio.includes('T_ANY') && sosio.includes('ALUMNI_TRAINED'));
});

// ---- regions (year 2033) ----

test('regions: all 38 rows with the region\'s target, zeros and nulls where nothing was reported', async () => {
  indicator('T_REG', 'sum');
  indicator('T_REG_AVG', 'avg');
  const [a, b, c] = [await pes('35.05'), await pes('35.05'), await pes('35.78')];
  measure([
    ['T_REG', a, '2033-01', 10], ['T_REG', b, '2033-02', 20], ['T_REG', c, '2033-01', 5],
    ['T_REG', c, '2033-02', 7, 'submitted'], ['T_REG_AVG', a, '2033-01', 4], ['T_REG_AVG', b, '2033-01', 7],
  ]);
  target('T_REG', '2033', 60, { region: '35.05' });
  target('T_REG', '2033', 0, { region: '35.78' });
  target('T_REG', '2033', 1000);
  const all = (await api.get('/v1/regions?limit=100')).json.items.map((r) => r.code);
  const v = await report('/v1/reports/regions?indicator=T_REG&year=2033');
  assert.equal(v.year, 2033);
  assert.deepEqual(v.filters, { indicator: 'T_REG', include_unverified: false });
  assert.equal(v.items.length, 38);
  assert.deepEqual(v.items.map((i) => i.region_code), all);
  const by = (items, code) => items.find((i) => i.region_code === code);
  assert.deepEqual(by(v.items, '35.05'), { region_code: '35.05', region_name: 'Kabupaten Blitar', indicator_code: 'T_REG',
    target: 60, actual: 30, achievement_pct: 50, pesantren_reporting: 2 });
  assert.deepEqual(by(v.items, '35.78'), { region_code: '35.78', region_name: 'Kota Surabaya', indicator_code: 'T_REG',
    target: 0, actual: 5, achievement_pct: null, pesantren_reporting: 1 });
  assert.deepEqual(by(v.items, '35.01'), { region_code: '35.01', region_name: 'Kabupaten Pacitan', indicator_code: 'T_REG',
    target: null, actual: 0, achievement_pct: null, pesantren_reporting: 0 });
  const u = await report('/v1/reports/regions?indicator=T_REG&year=2033&include_unverified=true');
  assert.equal(by(u.items, '35.78').actual, 12);
  const avg = await report('/v1/reports/regions?indicator=T_REG_AVG&year=2033');
  assert.equal(by(avg.items, '35.05').actual, 5.5);
  assert.equal(by(avg.items, '35.78').actual, null);
});

// ---- cohorts (programmes of 2040 and 2041, values of 2041 and 2042) ----

test('cohorts: one row per cohort and year, with the cohort\'s size and who reported', async () => {
  indicator('T_COH', 'sum');
  const [pa, pb] = [program('pesantrenpreneur', 2040), program('sosiopreneur', 2041)];
  const [k1, k2, k3, k4, k5] = [await pes(), await pes(), await pes(), await pes(), await pes()];
  enrol(pa, k1, 'graduated');
  enrol(pa, k2, 'active');
  enrol(pb, k3, 'registered');
  enrol(pb, k4, 'rejected'); // a rejected application makes no cohort
  enrol(pb, k5, 'withdrawn');
  measure([
    ['T_COH', k1, '2041-01', 10], ['T_COH', k1, '2042-01', 20], ['T_COH', k2, '2041-02', 5],
    ['T_COH', k3, '2041-03', 100], ['T_COH', k3, '2042-05', 1, 'submitted'], ['T_COH', k4, '2041-01', 1000],
  ]);
  const v = await report('/v1/reports/cohorts?indicator=T_COH');
  assert.equal(v.year, null);
  assert.deepEqual(v.filters, { indicator: 'T_COH', include_unverified: false });
  const pick = (items) => items.filter((i) => i.cohort_year === 2040 || i.cohort_year === 2041)
    .map(({ cohort_year, year, pesantren, pesantren_reporting, actual }) => [cohort_year, year, pesantren, pesantren_reporting, actual]);
  assert.deepEqual(pick(v.items), [[2040, 2041, 2, 2, 15], [2040, 2042, 2, 1, 20], [2041, 2041, 2, 1, 100], [2041, 2042, 2, 0, 0]]);
  assert.ok(v.items.every((i) => i.year === 2041 || i.year === 2042), 'only years with counted values');
  assert.ok(v.items.every((i) => i.indicator_code === 'T_COH'));
  const u = await report('/v1/reports/cohorts?indicator=T_COH&include_unverified=true');
  assert.deepEqual(pick(u.items).at(-1), [2041, 2042, 2, 1, 1]);
  const y = await report('/v1/reports/cohorts?indicator=T_COH&year=2042');
  assert.equal(y.year, 2042);
  assert.deepEqual(pick(y.items), [[2040, 2042, 2, 1, 20], [2041, 2042, 2, 0, 0]]);
  const none = await report('/v1/reports/cohorts?indicator=T_COH&year=2050');
  assert.ok(none.items.length > 0 && none.items.every((i) => i.actual === 0 && i.pesantren_reporting === 0));
});

// ---- pillars (year 2045) ----

test('pillars: programmes, enrolled and graduated pesantren, their products, certified products and santri trained', async () => {
  const [pp1, pp2, sp1, sOld] = [program('pesantrenpreneur', 2045), program('pesantrenpreneur', 2045),
    program('santripreneur', 2045), program('santripreneur', 2044)];
  const [l1, l2, l3, l4, l5] = [await pes(), await pes(), await pes(), await pes(), await pes()];
  enrol(pp1, l1, 'graduated');
  enrol(pp2, l1, 'active');
  enrol(pp1, l2, 'rejected');
  enrol(pp2, l3, 'withdrawn');
  enrol(sp1, l3, 'active');
  enrol(sp1, l4, 'graduated');
  enrol(sOld, l5, 'active');
  const valid = { type: 'halal', number: 'ID-1', issued_on: '2020-01-01', expires_on: '2099-01-01' };
  const expired = { type: 'pirt', number: 'P-1', issued_on: '2000-01-01', expires_on: '2001-01-01' };
  const forever = { type: 'nib', number: 'N-1' };
  product(l1, [valid]);
  product(l1, []);
  product(l3, [expired]);
  product(l3, [forever, expired]);
  product(l4, [valid]);
  product(l2, [valid]);
  product(l5, [valid]);
  measure([
    ['SANTRI_TRAINED', l1, '2045-01', 10], ['SANTRI_TRAINED', l3, '2045-02', 5],
    ['SANTRI_TRAINED', l3, '2045-03', 2, 'submitted'], ['SANTRI_TRAINED', l4, '2045-Q1', 20],
    ['SANTRI_TRAINED', l5, '2045-01', 100], ['SANTRI_TRAINED', l1, '2044-12', 50], ['SANTRI_TRAINED', l2, '2045-01', 7],
  ]);
  const v = await report('/v1/reports/pillars?year=2045');
  assert.equal(v.year, 2045);
  assert.deepEqual(v.filters, { include_unverified: false });
  assert.deepEqual(v.items, [
    { pillar: 'pesantrenpreneur', programs: 2, enrolled_pesantren: 2, graduated_pesantren: 1, products: 4,
      certified_products: 2, santri_trained: 15 },
    { pillar: 'santripreneur', programs: 1, enrolled_pesantren: 2, graduated_pesantren: 1, products: 3,
      certified_products: 2, santri_trained: 25 },
    { pillar: 'sosiopreneur', programs: 0, enrolled_pesantren: 0, graduated_pesantren: 0, products: 0,
      certified_products: 0, santri_trained: 0 },
  ]);
  const u = await report('/v1/reports/pillars?year=2045&include_unverified=true');
  assert.deepEqual(u.items.map((i) => i.santri_trained), [17, 27, 0]);
});

// ---- CSV ----

/** RFC 4180: every line ends with CRLF; quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false, i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"' && field === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 2; continue; }
    assert.ok(c !== '\n' && c !== '\r' && c !== '"', `bare ${JSON.stringify(c)} at ${i}`);
    field += c; i++;
  }
  assert.equal(field, '', 'the last line ends with CRLF');
  assert.equal(row.length, 0, 'the last line ends with CRLF');
  return rows;
}

function sameCell(cell, value, where) {
  if (value === null) assert.equal(cell, '', where);
  else if (typeof value === 'number') assert.equal(Number(cell), value, where);
  else assert.equal(cell, String(value), where);
}

async function csvMatchesJson(path) {
  const json = await report(path);
  const r = await api.get(path, { Accept: 'text/csv' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  const [header, ...lines] = parseCsv(r.text);
  assert.ok(json.items.length > 0, path);
  assert.deepEqual(header, Object.keys(json.items[0]), `${path}: the columns are the fields, in order`);
  assert.equal(lines.length, json.items.length);
  json.items.forEach((item, n) => header.forEach((col, k) => sameCell(lines[n][k], item[col], `${path} row ${n} ${col}`)));
  return r.text;
}

test('CSV has the same rows as JSON, for every report, with RFC 4180 quoting', async () => {
  indicator('T_CSV', 'avg', { name: 'Omzet, "bersih"\nper bulan', unit: 'percent' });
  const p = await pes('35.07');
  measure([['T_CSV', p, '2031-01', 1], ['T_CSV', p, '2031-02', 2], ['T_CSV', p, '2031-03', 2]]);
  target('T_CSV', '2031', 3);
  const text = await csvMatchesJson('/v1/reports/achievement?year=2031&include_unverified=true');
  assert.match(text, /^indicator_code,indicator_name,unit,pillar,aggregation,higher_is_better,target,actual,achievement_pct,pesantren_reporting\r\n/);
  assert.ok(text.includes('T_CSV,"Omzet, ""bersih""\nper bulan",percent,,avg,true,3,1.66666666666667,55.56,1\r\n'), text);
  await csvMatchesJson('/v1/reports/achievement?year=2032&region_code=35.10');
  await csvMatchesJson('/v1/reports/regions?indicator=T_REG&year=2033');
  await csvMatchesJson('/v1/reports/cohorts?indicator=T_COH');
  await csvMatchesJson('/v1/reports/pillars?year=2045');
  const bad = await api.get('/v1/reports/achievement', { Accept: 'text/csv' });
  expectProblem(assert, bad, 400, 'year');
});

// ---- rollups against a plain recomputation ----

function rng(seed) {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), 1 | t);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Everything the reports read, straight from the tables. */
function snapshot() {
  const q = (text) => JSON.parse(sql(text) || '[]') || [];
  return {
    indicators: q(`SELECT json_agg(json_build_object('id', id, 'code', code, 'pillar', pillar, 'aggregation', aggregation,
                     'higher', higher_is_better)) FROM indicators`),
    pesantren: q(`SELECT json_agg(json_build_object('id', id, 'region', region_code, 'cohort', cohort_year)) FROM pesantren`),
    measurements: q(`SELECT json_agg(json_build_object('seq', seq, 'ind', indicator_id, 'pes', pesantren_id,
                       'prog', program_id, 'start', period_start, 'end', period_end, 'value', value::text, 'status', status))
                     FROM measurements`),
    targets: q(`SELECT json_agg(json_build_object('ind', indicator_id, 'period', period, 'value', value::text,
                  'region', region_code, 'prog', program_id, 'pes', pesantren_id)) FROM targets`),
    programs: q(`SELECT json_agg(json_build_object('id', id, 'pillar', pillar, 'year', year)) FROM programs`),
    enrolments: q(`SELECT json_agg(json_build_object('prog', program_id, 'pes', pesantren_id, 'status', status)) FROM enrolments`),
    regions: q(`SELECT json_agg(code ORDER BY code) FROM regions`),
    products: q(`SELECT json_agg(json_build_object('pes', pesantren_id, 'certs', certifications)) FROM products`),
  };
}

// Exact rationals: values and targets are whole numbers.
const rat = (num, den = 1n) => ({ num, den });
const later = (a, b) => a.end > b.end || (a.end === b.end && (a.start > b.start || (a.start === b.start && a.seq > b.seq)));

/** actual and pesantren reporting of counted rows of one indicator. */
function combine(rows, aggregation) {
  const latest = new Map();
  let total = 0n;
  for (const m of rows) {
    total += BigInt(m.value);
    const cur = latest.get(m.pes);
    if (!cur || later(m, cur)) latest.set(m.pes, m);
  }
  let actual = null;
  if (aggregation === 'sum') actual = rat(total);
  else if (aggregation === 'avg') actual = rows.length ? rat(total, BigInt(rows.length)) : null;
  else if (latest.size) actual = rat([...latest.values()].reduce((a, m) => a + BigInt(m.value), 0n));
  return { actual, reporting: latest.size };
}

// round(x, 2) half away from zero of a non-negative num/den, as a JSON number
const round2 = (num, den) => Number((2n * num * 100n + den) / (2n * den)) / 100;

function pct(actual, target, higher) {
  if (actual === null || target === null) return null;
  const t = BigInt(target);
  if (higher) return t === 0n ? null : round2(actual.num * 100n, actual.den * t);
  return actual.num === 0n ? null : round2(t * actual.den * 100n, actual.num);
}

function num(r) {
  if (r === null) return null;
  if (r.num % r.den === 0n) return Number(r.num / r.den);
  return Number((Number(r.num) / Number(r.den)).toPrecision(15));
}

const norm = (v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(15)) : v);

function counted(db, { year, unverified }) {
  return db.measurements.filter((m) => (m.status === 'verified' || (unverified && m.status === 'submitted')) &&
    (year === null || Number(m.start.slice(0, 4)) === year));
}

function targetOf(db, ind, year, { region = null, prog = null } = {}) {
  const t = db.targets.find((x) => x.ind === ind && x.period === String(year) && x.pes === null &&
    x.region === region && x.prog === prog);
  return t ? t.value : null;
}

function plainAchievement(db, { year, unverified, pillar = null, region = null, prog = null }) {
  const region_of = new Map(db.pesantren.map((p) => [p.id, p.region]));
  const rows = counted(db, { year, unverified }).filter((m) => (!region || region_of.get(m.pes) === region) &&
    (!prog || m.prog === prog));
  return db.indicators.filter((i) => !pillar || i.pillar === null || i.pillar === pillar)
    .sort((a, b) => (a.code < b.code ? -1 : 1))
    .map((i) => {
      const { actual, reporting } = combine(rows.filter((m) => m.ind === i.id), i.aggregation);
      const t = targetOf(db, i.id, year, { region, prog });
      return { indicator_code: i.code, target: t === null ? null : Number(t), actual: num(actual),
        achievement_pct: pct(actual, t, i.higher), pesantren_reporting: reporting };
    });
}

function plainRegions(db, ind, { year, unverified }) {
  const i = db.indicators.find((x) => x.code === ind);
  const rows = counted(db, { year, unverified }).filter((m) => m.ind === i.id);
  const region_of = new Map(db.pesantren.map((p) => [p.id, p.region]));
  return db.regions.map((code) => {
    const { actual, reporting } = combine(rows.filter((m) => region_of.get(m.pes) === code), i.aggregation);
    const t = targetOf(db, i.id, year, { region: code });
    return { region_code: code, target: t === null ? null : Number(t), actual: num(actual),
      achievement_pct: pct(actual, t, i.higher), pesantren_reporting: reporting };
  });
}

function plainCohorts(db, ind, { unverified }) {
  const i = db.indicators.find((x) => x.code === ind);
  const cohort_of = new Map(db.pesantren.map((p) => [p.id, p.cohort]));
  const rows = counted(db, { year: null, unverified }).filter((m) => m.ind === i.id && cohort_of.get(m.pes) !== null);
  const cohorts = [...new Set(db.pesantren.map((p) => p.cohort).filter((c) => c !== null))].sort();
  const years = [...new Set(rows.map((m) => Number(m.start.slice(0, 4))))].sort();
  return cohorts.flatMap((c) => years.map((y) => {
    const { actual, reporting } = combine(rows.filter((m) => cohort_of.get(m.pes) === c && Number(m.start.slice(0, 4)) === y),
      i.aggregation);
    return { cohort_year: c, year: y, pesantren: db.pesantren.filter((p) => p.cohort === c).length,
      pesantren_reporting: reporting, actual: num(actual) };
  }));
}

function plainPillars(db, { year, unverified }) {
  const st = db.indicators.find((x) => x.code === 'SANTRI_TRAINED');
  return ['pesantrenpreneur', 'santripreneur', 'sosiopreneur'].map((pillar) => {
    const progs = new Set(db.programs.filter((p) => p.pillar === pillar && p.year === year).map((p) => p.id));
    const enr = db.enrolments.filter((e) => progs.has(e.prog) && e.status !== 'rejected');
    const members = new Set(enr.map((e) => e.pes));
    const graduated = new Set(enr.filter((e) => e.status === 'graduated').map((e) => e.pes));
    const products = db.products.filter((p) => members.has(p.pes));
    const rows = counted(db, { year, unverified }).filter((m) => m.ind === st.id && members.has(m.pes));
    // in force until the expiry day has passed in WIB (UTC+7), or for good without one
    const today = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
    const certified = (p) => p.certs.some((c) => !c.expires_on || c.expires_on >= today);
    return { pillar, programs: progs.size, enrolled_pesantren: members.size, graduated_pesantren: graduated.size,
      products: products.length, certified_products: products.filter(certified).length,
      santri_trained: num(combine(rows, st.aggregation).actual) };
  });
}

function sameItems(got, want, where) {
  assert.equal(got.length, want.length, `${where}: row count`);
  want.forEach((w, n) => {
    for (const [k, v] of Object.entries(w)) assert.deepEqual(norm(got[n][k]), v, `${where} row ${n} ${k}`);
  });
}

async function compareEverything(db, ctx) {
  const { years, regions, programs, codes } = ctx;
  for (const year of years) {
    for (const unverified of [false, true]) {
      const flag = `&include_unverified=${unverified}`;
      const scopes = [{}, { pillar: 'pesantrenpreneur' }, ...regions.map((region) => ({ region })),
        ...programs.map((prog) => ({ prog })), { region: regions[0], prog: programs[0] }];
      for (const sc of scopes) {
        const query = (sc.pillar ? `&pillar=${sc.pillar}` : '') + (sc.region ? `&region_code=${sc.region}` : '') +
          (sc.prog ? `&program_id=${sc.prog}` : '');
        const got = await report(`/v1/reports/achievement?year=${year}${flag}${query}`);
        sameItems(got.items, plainAchievement(db, { year, unverified, ...sc }), `achievement ${year}${flag}${query}`);
      }
      for (const code of codes) {
        const got = await report(`/v1/reports/regions?indicator=${code}&year=${year}${flag}`);
        sameItems(got.items, plainRegions(db, code, { year, unverified }), `regions ${code} ${year}${flag}`);
      }
      const pillars = await report(`/v1/reports/pillars?year=${year}${flag}`);
      sameItems(pillars.items, plainPillars(db, { year, unverified }), `pillars ${year}${flag}`);
    }
  }
  for (const code of codes) {
    for (const unverified of [false, true]) {
      const got = await report(`/v1/reports/cohorts?indicator=${code}&include_unverified=${unverified}`);
      sameItems(got.items, plainCohorts(db, code, { unverified }), `cohorts ${code} ${unverified}`);
    }
  }
}

test('the rollups give exactly what a plain recomputation gives, after random inserts, updates and deletes', async () => {
  const seed = Number(process.env.REPORTS_SEED || Date.now() % 100000);
  const rand = rng(seed);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const where = `seed ${seed}`;
  indicator('R_SUM', 'sum');
  indicator('R_AVG', 'avg', { pillar: 'sosiopreneur' });
  indicator('R_LAST', 'last', { pillar: 'pesantrenpreneur' });
  indicator('R_LOW', 'last', { higher: false });
  const codes = ['R_SUM', 'R_AVG', 'R_LAST', 'R_LOW', 'SANTRI_TRAINED'];
  const regions = ['35.12', '35.13', '35.79'];
  const programs = [program('santripreneur', 2027), program('pesantrenpreneur', 2027), program('sosiopreneur', 2026)];
  const pesantren = [];
  for (let n = 0; n < 18; n++) pesantren.push(await pes(regions[n % 3]));
  for (const p of pesantren.slice(0, 14)) enrol(pick(programs), p, pick(['active', 'graduated', 'rejected', 'registered']));
  for (const p of pesantren.slice(0, 6)) { // a second programme for some
    sql(`INSERT INTO enrolments (program_id, pesantren_id, status) SELECT ${lit(programs[0])}, ${lit(p)}, 'active'
         WHERE NOT EXISTS (SELECT 1 FROM enrolments WHERE program_id = ${lit(programs[0])} AND pesantren_id = ${lit(p)})`);
  }
  const certs = [[], [{ type: 'halal', number: 'H' }], [{ type: 'pirt', number: 'P', expires_on: '2001-02-03' }],
    [{ type: 'bpom', number: 'B', issued_on: '2020-01-01', expires_on: '2098-01-01' }]];
  for (const p of pesantren.slice(0, 8)) product(p, pick(certs));
  const periods = ['2027', '2027-Q1', '2027-Q2', '2027-Q4', '2027-03', '2027-06', '2027-12', '2027-11',
    '2028', '2028-Q1', '2028-Q3', '2028-01', '2028-03', '2028-09', '2028-12'];
  const rows = new Map();
  while (rows.size < 420) {
    const key = [pick(codes), pick(pesantren), pick(periods), rand() < 0.4 ? pick(programs) : null];
    rows.set(key.join('|'), key);
  }
  const batch = [...rows.values()].map(([code, p, period, prog]) =>
    [code, p, period, Math.floor(rand() * 1000), pick(['verified', 'verified', 'submitted', 'draft', 'rejected']), prog]);
  for (let n = 0; n < batch.length; n += 60) measure(batch.slice(n, n + 60));
  for (const code of codes) {
    for (const year of [2027, 2028]) {
      target(code, String(year), Math.floor(rand() * 3000));
      target(code, String(year), Math.floor(rand() * 800), { region: regions[0] });
      target(code, String(year), Math.floor(rand() * 800), { program: programs[0] });
      target(code, String(year), Math.floor(rand() * 400), { region: regions[0], program: programs[0] });
    }
  }
  const ctx = { years: [2027, 2028], regions, programs, codes };
  await compareEverything(snapshot(), ctx);

  // single-row and bulk changes of every kind that moves a rollup, each
  // statement with its own triggers (one psql call, to keep the test quick)
  const m = `measurements WHERE indicator_id IN (SELECT id FROM indicators WHERE code LIKE 'R\\_%' OR code = 'SANTRI_TRAINED')
             AND period_start >= '2027-01-01' AND period_start < '2029-01-01'`;
  const one = (cond) => `(SELECT id FROM ${m} AND ${cond} ORDER BY seq LIMIT 1 OFFSET ${Math.floor(rand() * 5)})`;
  const changes = [];
  for (let n = 0; n < 12; n++) {
    changes.push(`UPDATE measurements SET status = 'submitted' WHERE id = ${one("status IN ('draft', 'rejected')")}`);
    changes.push(`UPDATE measurements SET status = 'verified' WHERE id = ${one("status = 'submitted'")}`);
    changes.push(`UPDATE measurements SET status = 'rejected', rejection_reason = 'x' WHERE id = ${one("status = 'submitted'")}`);
    changes.push(`UPDATE measurements SET value = value + ${n + 1} WHERE id = ${one("status IN ('verified', 'submitted')")}`);
    changes.push(`DELETE FROM measurements WHERE id = ${one("status = 'verified'")}`);
  }
  const free = (prog) => `NOT EXISTS (SELECT 1 FROM measurements o WHERE o.indicator_id = measurements.indicator_id
         AND o.pesantren_id = measurements.pesantren_id AND o.period = measurements.period
         AND o.program_id IS NOT DISTINCT FROM ${prog})`;
  changes.push(`UPDATE measurements SET program_id = NULL WHERE id = ${one('program_id IS NOT NULL')} AND ${free('NULL::uuid')}`);
  changes.push(`UPDATE measurements SET program_id = ${lit(programs[1])}
       WHERE id = ${one('program_id IS NULL')} AND ${free(`${lit(programs[1])}::uuid`)}`);
  // a period moved to the other year, kept unique per key
  changes.push(`UPDATE measurements SET period = '2028-07' WHERE id IN (SELECT DISTINCT ON (indicator_id, pesantren_id, program_id) id
         FROM ${m} AND period LIKE '2027%' ORDER BY indicator_id, pesantren_id, program_id, seq)
       AND NOT EXISTS (SELECT 1 FROM measurements o WHERE o.indicator_id = measurements.indicator_id
         AND o.pesantren_id = measurements.pesantren_id AND o.program_id IS NOT DISTINCT FROM measurements.program_id
         AND o.period = '2028-07')`);
  // bulk: more than a hundred cells at once take the whole rollup
  changes.push(`UPDATE measurements SET status = 'submitted' WHERE id IN (SELECT id FROM ${m} AND status = 'draft')`);
  changes.push(`UPDATE measurements SET value = value * 2 WHERE id IN (SELECT id FROM ${m})`);
  changes.push(`DELETE FROM measurements WHERE id IN (SELECT id FROM ${m} AND seq % 11 = 0)`);
  // a change that moves nothing a report reads
  changes.push(`UPDATE measurements SET note = 'catatan' WHERE id IN (SELECT id FROM ${m})`);
  sql(changes.join(';\n'));
  // regions, cohorts and pillar memberships change with the pesantren, their
  // enrolments, programmes and products
  const ids = (list) => list.map(lit).join(', ');
  sql([
    `UPDATE pesantren SET region_code = '35.13' WHERE id = ${lit(pesantren[0])}`,
    `INSERT INTO enrolments (program_id, pesantren_id, status) VALUES (${lit(programs[2])}, ${lit(pesantren[17])}, 'active')`,
    `UPDATE enrolments SET status = 'graduated' WHERE status = 'active' AND pesantren_id IN (${ids(pesantren.slice(0, 6))})`,
    `UPDATE enrolments SET status = 'withdrawn' WHERE status = 'registered'`,
    `DELETE FROM enrolments WHERE pesantren_id = ${lit(pesantren[3])}`,
    `UPDATE programs SET year = 2028 WHERE id = ${lit(programs[1])}`,
    `UPDATE products SET certifications = '[{"type": "sni", "number": "S"}]' WHERE pesantren_id = ${lit(pesantren[1])}`,
    `DELETE FROM products WHERE pesantren_id = ${lit(pesantren[2])}`,
    `INSERT INTO products (pesantren_id, name) SELECT pesantren_id, 'Produk baru' FROM enrolments
      WHERE pesantren_id IN (${ids(pesantren)}) AND status <> 'rejected'`,
  ].join(';\n'));
  await compareEverything(snapshot(), ctx).catch((e) => { e.message = `${where}: ${e.message}`; throw e; });
  assert.ok(Number(sql('SELECT count(*) FROM report_facts')) > 0);
  assert.ok(Number(sql('SELECT count(*) FROM report_members')) > 0);
  // and a rebuild from scratch (what a bulk load uses) gives the same again
  sql('SELECT report_rollups_rebuild()');
  await compareEverything(snapshot(), ctx).catch((e) => { e.message = `${where}, rebuilt: ${e.message}`; throw e; });
});

test('concurrent submissions and verifications through the API lose no value', async () => {
  indicator('R_RACE', 'sum');
  indicator('R_RACE_LAST', 'last');
  const [a, b] = [await pes('35.14'), await pes('35.14')];
  const months = Array.from({ length: 12 }, (_, n) => `2051-${String(n + 1).padStart(2, '0')}`);
  const bodies = [];
  for (const p of [a, b]) {
    for (const period of months) {
      bodies.push({ indicator_code: 'R_RACE', pesantren_id: p, period, value: 100 + bodies.length });
      bodies.push({ indicator_code: 'R_RACE_LAST', pesantren_id: p, period, value: 1 + bodies.length });
    }
  }
  const created = await Promise.all(bodies.map((body) => api.post('/v1/measurements', body)));
  for (const r of created) assert.equal(r.status, 201, r.text);
  const ids = created.map((r) => r.json.id);
  const rep = async (flag) => (await report(`/v1/reports/achievement?year=2051${flag}`)).items;
  expectRow(await rep('&include_unverified=true'), 'R_RACE', { actual: 0, pesantren_reporting: 0 });
  const all = (await Promise.all(ids.map((id) => api.post(`/v1/measurements/${id}/submit`))));
  for (const r of all) assert.equal(r.status, 200, r.text);
  const sumOf = (code) => bodies.filter((x) => x.indicator_code === code).reduce((t, x) => t + x.value, 0);
  const lastOf = bodies.filter((x) => x.indicator_code === 'R_RACE_LAST' && x.period === '2051-12').reduce((t, x) => t + x.value, 0);
  expectRow(await rep('&include_unverified=true'), 'R_RACE', { actual: sumOf('R_RACE'), pesantren_reporting: 2 });
  expectRow(await rep(''), 'R_RACE', { actual: 0, pesantren_reporting: 0 });
  const verified = await Promise.all(ids.map((id) => api.post(`/v1/measurements/${id}/verify`)));
  for (const r of verified) assert.equal(r.status, 200, r.text);
  expectRow(await rep(''), 'R_RACE', { actual: sumOf('R_RACE'), pesantren_reporting: 2 });
  expectRow(await rep(''), 'R_RACE_LAST', { actual: lastOf, pesantren_reporting: 2 });
  const db = snapshot();
  sameItems((await report('/v1/reports/achievement?year=2051')).items,
    plainAchievement(db, { year: 2051, unverified: false }), 'after the race');
});
