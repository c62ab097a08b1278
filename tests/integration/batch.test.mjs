// POST /v1/measurements/batch: each row validated like a single POST and stored
// in its own transaction; the answer reports every row, in order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeUser, makePesantren, expectProblem, psql } from './lib/harness.mjs';

let s, adminToken, admin, operator, mentor, viewer, pes, other;
before(async () => {
  s = await startServer();
  adminToken = await s.login();
  admin = s.api(adminToken);
  pes = await makePesantren(s, adminToken, { region_code: '35.15' });
  other = await makePesantren(s, adminToken, { region_code: '35.16' });
  operator = s.api((await makeUser(s, adminToken, 'operator', { pesantren_id: pes.id })).token);
  mentor = s.api((await makeUser(s, adminToken, 'mentor', { region_codes: ['35.15'] })).token);
  viewer = s.api((await makeUser(s, adminToken, 'viewer')).token);
});
after(async () => s && s.stop());

const row = (extra = {}) => ({ indicator_code: 'OMZET', pesantren_id: pes.id, period: '2024-01', value: 1000, ...extra });
const count = (where) => Number(psql(s.db, `SELECT count(*) FROM measurements WHERE ${where}`));

test('good and bad rows: each answered in order, the good ones stored', async () => {
  const items = [
    row({ period: '2022-01' }),
    row({ period: '2022-01' }),                                  // duplicate of row 0
    row({ period: '2022-02', value: 10.5 }),                     // fraction for rupiah
    row({ period: '2022-03', indicator_code: 'NO_SUCH' }),
    'not an object',
    row({ period: '2022-13', value: -1, colour: 'red' }),        // several bad fields
    row({ period: '2022-04', pesantren_id: '00000000-0000-4000-8000-000000000000' }),
    row({ period: '2022-05', note: 'ok', evidence_url: 'https://example.org/e.pdf' }),
    row({ period: '2022-06', status: 'verified' }),
  ];
  const r = await admin.post('/v1/measurements/batch', { items });
  assert.equal(r.status, 200, r.text);
  const res = r.json.items;
  assert.equal(res.length, items.length);
  res.forEach((it, i) => assert.equal(it.index, i));
  assert.deepEqual(res.map((it) => it.status), [201, 409, 422, 422, 422, 422, 422, 201, 422]);
  assert.equal(r.json.created, 2);
  assert.equal(r.json.failed, 7);
  const field = (i) => res[i].errors.map((e) => e.field).sort();
  assert.deepEqual(field(2), ['value']);
  assert.deepEqual(field(3), ['indicator_code']);
  assert.deepEqual(field(5), ['colour', 'period', 'value']);
  assert.deepEqual(field(6), ['pesantren_id']);
  assert.deepEqual(field(8), ['status']);
  assert.equal(typeof res[1].detail, 'string');
  assert.equal(res[1].id, undefined);
  for (const i of [0, 7]) {
    const g = await s.api(adminToken).get(`/v1/measurements/${res[i].id}`);
    assert.equal(g.status, 200);
    assert.equal(g.json.status, 'draft');
    assert.equal(g.json.period, items[i].period);
  }
  assert.equal(count(`pesantren_id = '${pes.id}' AND period LIKE '2022-%'`), 2);
});

test('no row is half-done: a failed row leaves no measurement, audit event or change behind', async () => {
  const before = Number(psql(s.db, "SELECT count(*) FROM audit_events WHERE entity = 'measurement'"));
  const beforeChanges = Number(psql(s.db, "SELECT count(*) FROM changes WHERE entity = 'measurement'"));
  const r = await admin.post('/v1/measurements/batch', {
    items: [row({ period: '2021-01' }), row({ period: '2021-02', value: 0.5 }), row({ period: '2021-03' })],
  });
  assert.deepEqual(r.json.items.map((it) => it.status), [201, 422, 201]);
  assert.equal(Number(psql(s.db, "SELECT count(*) FROM audit_events WHERE entity = 'measurement'")), before + 2);
  assert.equal(Number(psql(s.db, "SELECT count(*) FROM changes WHERE entity = 'measurement'")), beforeChanges + 2);
  assert.equal(count(`pesantren_id = '${pes.id}' AND period = '2021-02'`), 0);
  const actors = psql(s.db, `SELECT DISTINCT created_by IS NOT NULL FROM measurements WHERE period IN ('2021-01', '2021-03')`);
  assert.equal(actors, 't');
});

test('an operator\'s rows for another pesantren are 403 in that row only', async () => {
  const r = await operator.post('/v1/measurements/batch', {
    items: [row({ period: '2020-01' }), row({ period: '2020-01', pesantren_id: other.id }), row({ period: '2020-02' })],
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((it) => it.status), [201, 403, 201]);
  assert.equal(typeof r.json.items[1].detail, 'string');
  assert.equal(count(`pesantren_id = '${other.id}'`), 0);
});

test('mentors and viewers cannot send batches', async () => {
  expectProblem(assert, await mentor.post('/v1/measurements/batch', { items: [row({ period: '2019-01' })] }), 403);
  expectProblem(assert, await viewer.post('/v1/measurements/batch', { items: [row({ period: '2019-01' })] }), 403);
  assert.equal(count("period = '2019-01'"), 0);
});

test('the body must be {"items": [1 to 1000 rows]}', async () => {
  expectProblem(assert, await admin.post('/v1/measurements/batch', { items: [] }), 422, 'items');
  expectProblem(assert, await admin.post('/v1/measurements/batch', { items: row() }), 422, 'items');
  expectProblem(assert, await admin.post('/v1/measurements/batch', {}), 422, 'items');
  expectProblem(assert, await admin.post('/v1/measurements/batch', [row()]), 422);
  expectProblem(assert, await admin.post('/v1/measurements/batch', { items: [row()], dry_run: true }), 422, 'dry_run');
  expectProblem(assert, await admin.post('/v1/measurements/batch', '{"items": ['), 400);
  const tooMany = Array.from({ length: 1001 }, (_, i) => row({ period: '2019-02', value: i }));
  expectProblem(assert, await admin.post('/v1/measurements/batch', { items: tooMany }), 422, 'items');
  assert.equal(count("period = '2019-02'"), 0);
});

test('a full batch of 1000 rows is stored', async () => {
  const pesantren = [];
  for (let i = 0; i < 10; i++) pesantren.push((await makePesantren(s, adminToken)).id);
  const indicators = ['OMZET', 'ASET', 'SANTRI_TRAINED', 'ALUMNI_TRAINED', 'KOPPONTREN_MEMBERS'];
  const items = [];
  for (let i = 0; i < 1000; i++) {
    items.push({
      indicator_code: indicators[i % 5],
      pesantren_id: pesantren[Math.floor(i / 5) % 10],
      period: `${2005 + Math.floor(i / 50) % 20}-${String((Math.floor(i / 1000 * 12)) + 1).padStart(2, '0')}`,
      value: i,
    });
  }
  const r = await admin.post('/v1/measurements/batch', { items });
  assert.equal(r.status, 200, r.text.slice(0, 500));
  assert.equal(r.json.created, 1000, JSON.stringify(r.json.items.find((it) => it.status !== 201)));
  assert.equal(r.json.failed, 0);
  assert.equal(new Set(r.json.items.map((it) => it.id)).size, 1000);
  assert.equal(count(`pesantren_id IN (${pesantren.map((p) => `'${p}'`).join(',')})`), 1000);
});

test('rows created by a batch go through the workflow like any other', async () => {
  const r = await operator.post('/v1/measurements/batch', { items: [row({ period: '2018-05' })] });
  const id = r.json.items[0].id;
  assert.equal((await operator.post(`/v1/measurements/${id}/submit`)).status, 200);
  const v = await mentor.post(`/v1/measurements/${id}/verify`);
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.status, 'verified');
});

test('concurrent batches with the same rows create each measurement once', async () => {
  const items = Array.from({ length: 40 }, (_, i) => row({ period: `2017-${String((i % 12) + 1).padStart(2, '0')}`, indicator_code: ['OMZET', 'ASET', 'EMPLOYEES', 'SANTRI_TRAINED'][Math.floor(i / 12) % 4] }));
  const answers = await Promise.all([1, 2, 3].map(() => admin.post('/v1/measurements/batch', { items })));
  for (const a of answers) assert.equal(a.status, 200, a.text);
  const unique = new Set(items.map((it) => `${it.indicator_code}|${it.period}`)).size;
  assert.equal(answers.reduce((n, a) => n + a.json.created, 0), unique);
  for (let i = 0; i < items.length; i++) {
    const statuses = answers.map((a) => a.json.items[i].status);
    assert.ok(statuses.every((st) => st === 201 || st === 409), statuses.join());
  }
  assert.equal(count(`pesantren_id = '${pes.id}' AND period LIKE '2017-%'`), unique);
});
