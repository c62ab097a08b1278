// Enrolments: joining programmes, quotas, status moves with their history,
// roles, the quota race, and the cohort year they give a pesantren.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, makeUser, makePesantren, expectProblem } from './lib/harness.mjs';

let s, admin, adminId, roles;
before(async () => {
  s = await startServer({ env: { OPOP_DB_POOL_SIZE: '6' } });
  admin = await s.login();
  adminId = (await s.api(admin).get('/v1/me')).json.id;
  const p = await makePesantren(s, admin);
  roles = {
    mentor: (await makeUser(s, admin, 'mentor', { region_codes: ['35.78'] })).token,
    operator: (await makeUser(s, admin, 'operator', { pesantren_id: p.id })).token,
    viewer: (await makeUser(s, admin, 'viewer')).token,
  };
});
after(async () => s && s.stop());

const NIL = '00000000-0000-0000-0000-000000000000';
const tag = () => randomBytes(3).toString('hex');

async function makeProgram(extra = {}) {
  const r = await s.api(admin).post('/v1/programs', { pillar: 'pesantrenpreneur', name: `Program ${tag()}`, year: 2024, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
const enrol = (programId, pesantrenId, token = admin, headers = {}) =>
  s.api(token).post(`/v1/programs/${programId}/participants`, { pesantren_id: pesantrenId }, headers);
const move = (programId, pesantrenId, status, headers = {}) =>
  s.api(admin).patch(`/v1/programs/${programId}/participants/${pesantrenId}`, { status }, headers);
const cohortOf = async (id) => (await s.api(admin).get(`/v1/pesantren/${id}`)).json.cohort_year;

test('enrolling answers 201 with Location under the programme, ETag and the first history entry', async () => {
  const prog = await makeProgram();
  const p = await makePesantren(s, admin);
  const r = await enrol(prog.id, p.id);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), `/v1/programs/${prog.id}/participants/${p.id}`);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(r.json.program_id, prog.id);
  assert.equal(r.json.pesantren_id, p.id);
  assert.equal(r.json.pesantren_name, p.name);
  assert.equal(r.json.status, 'registered');
  assert.equal(r.json.version, 1);
  assert.match(r.json.id, /^[0-9a-f-]{36}$/);
  assert.match(r.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(r.json.history.length, 1);
  assert.equal(r.json.history[0].from_status, null);
  assert.equal(r.json.history[0].to_status, 'registered');
  assert.equal(r.json.history[0].actor_id, adminId);
  assert.match(r.json.history[0].at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const g = await s.api(roles.viewer).get(r.headers.get('location'));
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('etag'), '"1"');
  assert.deepEqual(g.json, r.json);
  assert.equal((await s.api(admin).get(r.headers.get('location'), { 'If-None-Match': '"1"' })).status, 304);
});

test('a second enrolment of the same pesantren is 409, and says so even when the quota is full', async () => {
  const prog = await makeProgram({ quota: 1 });
  const p = await makePesantren(s, admin);
  assert.equal((await enrol(prog.id, p.id)).status, 201);
  const r = await enrol(prog.id, p.id);
  expectProblem(assert, r, 409);
  assert.match(r.json.detail, /already enrolled/);
  const full = await enrol(prog.id, (await makePesantren(s, admin)).id);
  expectProblem(assert, full, 409);
  assert.match(full.json.detail, /quota/);
});

test('a bad body is a 422 on its field', async () => {
  const prog = await makeProgram();
  const p = await makePesantren(s, admin);
  const url = `/v1/programs/${prog.id}/participants`;
  expectProblem(assert, await enrol(prog.id, NIL), 422, 'pesantren_id');
  expectProblem(assert, await enrol(prog.id, 'not-a-uuid'), 422, 'pesantren_id');
  expectProblem(assert, await enrol(prog.id, 42), 422, 'pesantren_id');
  expectProblem(assert, await enrol(prog.id, null), 422, 'pesantren_id');
  expectProblem(assert, await s.api(admin).post(url, {}), 422, 'pesantren_id');
  expectProblem(assert, await s.api(admin).post(url, { pesantren_id: p.id, note: 'x' }), 422, 'note');
  expectProblem(assert, await s.api(admin).post(url, { pesantren_id: p.id, program_id: prog.id }), 422, 'program_id');
  expectProblem(assert, await s.api(admin).post(url, { pesantren_id: p.id, status: 'selected' }), 422, 'status');
  expectProblem(assert, await s.api(admin).post(url, { pesantren_id: p.id, history: [] }), 422, 'history');
  expectProblem(assert, await s.api(admin).post(url, '{"pesantren_id":'), 400);
  expectProblem(assert, await s.api(admin).post(url, ''), 400);
  expectProblem(assert, await s.api(admin).post(url, JSON.stringify({ pesantren_id: p.id }), { 'Content-Type': 'text/plain' }), 415);
  const ok = await s.api(admin).post(url, { pesantren_id: p.id, status: 'registered' });
  assert.equal(ok.status, 201, ok.text);
});

test('an unknown or malformed programme is 404 everywhere', async () => {
  const p = await makePesantren(s, admin);
  for (const id of [NIL, 'programme']) {
    expectProblem(assert, await enrol(id, p.id), 404);
    expectProblem(assert, await s.api(admin).get(`/v1/programs/${id}/participants`), 404);
    expectProblem(assert, await s.api(admin).get(`/v1/programs/${id}/participants/${p.id}`), 404);
    expectProblem(assert, await move(id, p.id, 'selected'), 404);
  }
});

test('a pesantren that is not enrolled is 404', async () => {
  const prog = await makeProgram();
  const p = await makePesantren(s, admin);
  expectProblem(assert, await s.api(admin).get(`/v1/programs/${prog.id}/participants/${p.id}`), 404);
  expectProblem(assert, await s.api(admin).get(`/v1/programs/${prog.id}/participants/xyz`), 404);
  expectProblem(assert, await move(prog.id, p.id, 'selected'), 404);
  expectProblem(assert, await move(prog.id, NIL, 'selected'), 404);
});

test('enrolment is open while planned or active, 409 once completed or cancelled', async () => {
  const p = await makePesantren(s, admin);
  const planned = await makeProgram();
  assert.equal((await enrol(planned.id, p.id)).status, 201);
  const active = await makeProgram({ status: 'active' });
  assert.equal((await enrol(active.id, p.id)).status, 201);
  const done = await makeProgram({ status: 'active' });
  await s.api(admin).patch(`/v1/programs/${done.id}`, { status: 'completed' });
  expectProblem(assert, await enrol(done.id, p.id), 409);
  const cancelled = await makeProgram();
  await s.api(admin).patch(`/v1/programs/${cancelled.id}`, { status: 'cancelled' });
  const closed = await enrol(cancelled.id, p.id);
  expectProblem(assert, closed, 409);
  assert.match(closed.json.detail, /cancelled/);
  assert.equal((await s.api(admin).get(`/v1/programs/${done.id}/participants?include_total=true`)).json.total, 0);
});

test('a full quota is 409; rejected and withdrawn enrolments free their seat', async () => {
  const prog = await makeProgram({ quota: 2 });
  const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => makePesantren(s, admin)));
  assert.equal((await enrol(prog.id, a.id)).status, 201);
  assert.equal((await enrol(prog.id, b.id)).status, 201);
  expectProblem(assert, await enrol(prog.id, c.id), 409);
  assert.equal((await move(prog.id, a.id, 'rejected')).status, 200);
  assert.equal((await enrol(prog.id, c.id)).status, 201);
  expectProblem(assert, await enrol(prog.id, d.id), 409);
  assert.equal((await move(prog.id, b.id, 'withdrawn')).status, 200);
  assert.equal((await enrol(prog.id, d.id)).status, 201);
  expectProblem(assert, await enrol(prog.id, a.id), 409, undefined);
});

test('a quota cannot shrink below the seats taken', async () => {
  const prog = await makeProgram({ quota: 5 });
  for (let i = 0; i < 3; i++) assert.equal((await enrol(prog.id, (await makePesantren(s, admin)).id)).status, 201);
  expectProblem(assert, await s.api(admin).patch(`/v1/programs/${prog.id}`, { quota: 2 }), 409);
  assert.equal((await s.api(admin).get(`/v1/programs/${prog.id}`)).json.quota, 5);
  assert.equal((await s.api(admin).patch(`/v1/programs/${prog.id}`, { quota: 3 })).status, 200);
  assert.equal((await s.api(admin).patch(`/v1/programs/${prog.id}`, { quota: null })).status, 200);
});

test('status moves registered -> selected -> active -> graduated, each in the history', async () => {
  const prog = await makeProgram();
  const p = await makePesantren(s, admin);
  await enrol(prog.id, p.id);
  let last;
  for (const to of ['selected', 'active', 'graduated']) {
    last = await move(prog.id, p.id, to);
    assert.equal(last.status, 200, last.text);
    assert.equal(last.json.status, to);
  }
  assert.equal(last.json.version, 4);
  assert.equal(last.headers.get('etag'), '"4"');
  assert.deepEqual(last.json.history.map((h) => [h.from_status, h.to_status, h.actor_id]), [
    [null, 'registered', adminId], ['registered', 'selected', adminId],
    ['selected', 'active', adminId], ['active', 'graduated', adminId],
  ]);
  for (const h of last.json.history) assert.match(h.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const g = await s.api(roles.mentor).get(`/v1/programs/${prog.id}/participants/${p.id}`);
  assert.deepEqual(g.json, last.json);
  for (const to of ['registered', 'selected', 'active', 'rejected', 'withdrawn']) expectProblem(assert, await move(prog.id, p.id, to), 409);
});

test('any of the first three may be rejected or withdrawn; nothing else moves', async () => {
  const forbidden = {
    registered: ['active', 'graduated'],
    selected: ['registered', 'graduated'],
    active: ['registered', 'selected'],
  };
  const path = { registered: [], selected: ['selected'], active: ['selected', 'active'] };
  for (const from of ['registered', 'selected', 'active']) {
    for (const end of ['rejected', 'withdrawn']) {
      const prog = await makeProgram();
      const p = await makePesantren(s, admin);
      await enrol(prog.id, p.id);
      for (const step of path[from]) assert.equal((await move(prog.id, p.id, step)).status, 200);
      for (const bad of forbidden[from]) expectProblem(assert, await move(prog.id, p.id, bad), 409);
      const r = await move(prog.id, p.id, end);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.history.at(-1).from_status, from);
      for (const bad of ['registered', 'selected', 'active', 'graduated', end === 'rejected' ? 'withdrawn' : 'rejected']) {
        expectProblem(assert, await move(prog.id, p.id, bad), 409);
      }
      assert.equal(r.json.history.length, path[from].length + 2);
    }
  }
});

test('staying in a status is no move and keeps the version', async () => {
  const prog = await makeProgram();
  const p = await makePesantren(s, admin);
  await enrol(prog.id, p.id);
  const r = await move(prog.id, p.id, 'registered');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, 1);
  assert.equal(r.json.history.length, 1);
});

test('PATCH honours If-Match and rejects every other field', async () => {
  const prog = await makeProgram();
  const p = await makePesantren(s, admin);
  await enrol(prog.id, p.id);
  expectProblem(assert, await move(prog.id, p.id, 'selected', { 'If-Match': '"2"' }), 412);
  const ok = await move(prog.id, p.id, 'selected', { 'If-Match': '"1"' });
  assert.equal(ok.status, 200, ok.text);
  const url = `/v1/programs/${prog.id}/participants/${p.id}`;
  expectProblem(assert, await s.api(admin).patch(url, { status: 'hired' }), 422, 'status');
  expectProblem(assert, await s.api(admin).patch(url, { status: null }), 422, 'status');
  expectProblem(assert, await s.api(admin).patch(url, { pesantren_id: NIL }), 422, 'pesantren_id');
  expectProblem(assert, await s.api(admin).patch(url, { program_id: NIL }), 422, 'program_id');
  expectProblem(assert, await s.api(admin).patch(url, { history: [] }), 422, 'history');
  expectProblem(assert, await s.api(admin).patch(url, { version: 5 }), 422, 'version');
  expectProblem(assert, await s.api(admin).patch(url, { note: 'x' }), 422, 'note');
  expectProblem(assert, await s.api(admin).patch(url, '{"status"'), 400);
  expectProblem(assert, await s.api(admin).patch(url, JSON.stringify({ status: 'active' }), { 'Content-Type': 'text/plain' }), 415);
  const g = await s.api(admin).get(url);
  assert.equal(g.json.status, 'selected');
  assert.equal(g.json.version, 2);
});

test('the list pages through a programme\'s participants with history, filtered by status', async () => {
  const prog = await makeProgram();
  const ps = [];
  for (let i = 0; i < 5; i++) {
    ps.push(await makePesantren(s, admin));
    assert.equal((await enrol(prog.id, ps[i].id)).status, 201);
  }
  const other = await makeProgram();
  await enrol(other.id, ps[0].id);
  await move(prog.id, ps[1].id, 'selected');
  await move(prog.id, ps[3].id, 'selected');
  const seen = [];
  let cursor = null;
  do {
    const r = await s.api(roles.operator).get(`/v1/programs/${prog.id}/participants?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.length <= 2);
    seen.push(...r.json.items);
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.deepEqual(seen.map((e) => e.pesantren_id), ps.map((p) => p.id));
  for (const e of seen) {
    assert.equal(e.program_id, prog.id);
    assert.ok(Array.isArray(e.history) && e.history.length >= 1);
    assert.equal(typeof e.version, 'number');
  }
  const sel = await s.api(admin).get(`/v1/programs/${prog.id}/participants?status=selected&include_total=true`);
  assert.deepEqual(sel.json.items.map((e) => e.pesantren_id), [ps[1].id, ps[3].id]);
  assert.equal(sel.json.total, 2);
  assert.equal(sel.json.items[0].history.length, 2);
  const none = await s.api(admin).get(`/v1/programs/${prog.id}/participants?status=graduated`);
  assert.deepEqual(none.json, { items: [], next_cursor: null });
  for (const [qs, field] of [['status=done', 'status'], ['limit=0', 'limit'], ['pillar=x', 'pillar'], ['cursor=%%%', 'cursor'], ['include_total=1', 'include_total']]) {
    expectProblem(assert, await s.api(admin).get(`/v1/programs/${prog.id}/participants?${qs}`), 400, field);
  }
});

test('mentors, operators and viewers read participants but cannot enrol or move them', async () => {
  const prog = await makeProgram();
  const p = await makePesantren(s, admin);
  await enrol(prog.id, p.id);
  for (const [role, token] of Object.entries(roles)) {
    assert.equal((await s.api(token).get(`/v1/programs/${prog.id}/participants`)).status, 200, role);
    assert.equal((await s.api(token).get(`/v1/programs/${prog.id}/participants/${p.id}`)).status, 200, role);
    expectProblem(assert, await enrol(prog.id, (await makePesantren(s, admin)).id, token), 403);
    expectProblem(assert, await s.api(token).patch(`/v1/programs/${prog.id}/participants/${p.id}`, { status: 'selected' }), 403);
  }
  const g = await s.api(admin).get(`/v1/programs/${prog.id}/participants?include_total=true`);
  assert.equal(g.json.total, 1);
  assert.equal(g.json.items[0].status, 'registered');
  expectProblem(assert, await s.api().get(`/v1/programs/${prog.id}/participants`), 401);
});

test('other methods are 405 with Allow', async () => {
  const prog = await makeProgram();
  const p = await makePesantren(s, admin);
  const r = await s.api(admin).del(`/v1/programs/${prog.id}/participants/${p.id}`);
  expectProblem(assert, r, 405);
  assert.match(r.headers.get('allow'), /PATCH/);
});

test('Idempotency-Key replays the enrolment instead of answering 409', async () => {
  const prog = await makeProgram();
  const p = await makePesantren(s, admin);
  const key = 'enrol-' + tag();
  const r1 = await enrol(prog.id, p.id, admin, { 'Idempotency-Key': key });
  assert.equal(r1.status, 201, r1.text);
  const r2 = await enrol(prog.id, p.id, admin, { 'Idempotency-Key': key });
  assert.equal(r2.status, 201, r2.text);
  assert.equal(r2.json.id, r1.json.id);
  assert.equal(r2.headers.get('location'), `/v1/programs/${prog.id}/participants/${p.id}`);
  const other = await makePesantren(s, admin);
  expectProblem(assert, await enrol(prog.id, other.id, admin, { 'Idempotency-Key': key }), 422, 'Idempotency-Key');
  const list = await s.api(admin).get(`/v1/programs/${prog.id}/participants?include_total=true`);
  assert.equal(list.json.total, 1);
});

test('concurrent enrolments never overfill a quota', async () => {
  const K = 4, N = 16;
  const prog = await makeProgram({ quota: K });
  const ps = [];
  for (let i = 0; i < N; i++) ps.push(await makePesantren(s, admin));
  const answers = await Promise.all(ps.map((p) => enrol(prog.id, p.id)));
  const statuses = answers.map((r) => r.status);
  assert.equal(statuses.filter((x) => x === 201).length, K, statuses.join(','));
  assert.equal(statuses.filter((x) => x === 409).length, N - K, statuses.join(','));
  for (const r of answers.filter((x) => x.status === 409)) expectProblem(assert, r, 409);
  const list = await s.api(admin).get(`/v1/programs/${prog.id}/participants?include_total=true`);
  assert.equal(list.json.total, K);
});

test('the same pesantren enrolled concurrently is enrolled once', async () => {
  const prog = await makeProgram();
  const p = await makePesantren(s, admin);
  const answers = await Promise.all(Array.from({ length: 8 }, () => enrol(prog.id, p.id)));
  const statuses = answers.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
});

test('the cohort year is the year of the earliest programme joined, and the pesantren list filters on it', async () => {
  const p = await makePesantren(s, admin);
  const q = await makePesantren(s, admin);
  assert.equal(await cohortOf(p.id), null);
  const y2024 = await makeProgram({ year: 2024 });
  const y2022 = await makeProgram({ year: 2022 });
  const y2023 = await makeProgram({ year: 2023 });
  await enrol(y2024.id, p.id);
  assert.equal(await cohortOf(p.id), 2024);
  await enrol(y2022.id, p.id);
  assert.equal(await cohortOf(p.id), 2022);
  await enrol(y2023.id, q.id);
  const inCohort = async (year) => {
    const r = await s.api(roles.viewer).get(`/v1/pesantren?cohort_year=${year}&limit=100`);
    assert.equal(r.status, 200, r.text);
    return r.json.items.map((x) => x.id).filter((id) => id === p.id || id === q.id);
  };
  assert.deepEqual(await inCohort(2022), [p.id]);
  assert.deepEqual(await inCohort(2023), [q.id]);
  assert.deepEqual(await inCohort(2024), []);
  // A rejected application makes no cohort; a withdrawal keeps it.
  await move(y2022.id, p.id, 'rejected');
  assert.equal(await cohortOf(p.id), 2024);
  await move(y2024.id, p.id, 'withdrawn');
  assert.equal(await cohortOf(p.id), 2024);
  // Moving a programme to another year moves its cohort along.
  await s.api(admin).patch(`/v1/programs/${y2023.id}`, { year: 2021 });
  assert.equal(await cohortOf(q.id), 2021);
  assert.deepEqual(await inCohort(2021), [q.id]);
  expectProblem(assert, await s.api(admin).patch(`/v1/pesantren/${q.id}`, { cohort_year: 2020 }), 422, 'cohort_year');
});

test('a pesantren with enrolments cannot be deleted', async () => {
  const prog = await makeProgram();
  const p = await makePesantren(s, admin);
  await enrol(prog.id, p.id);
  expectProblem(assert, await s.api(admin).del(`/v1/pesantren/${p.id}`), 409);
});
