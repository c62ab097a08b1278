// Mentoring visits: recorded by mentors and admins (the caller is the mentor),
// read by every role; field rules, dates in WIB, idempotency and lists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, makeUser, makePesantren, expectProblem, psql } from './lib/harness.mjs';

let s, admin, adminId, pA, pB, mentor, farMentor, opA, viewer;

function wibDate(offsetDays = 0) {
  return new Date(Date.now() + 7 * 3600e3 + offsetDays * 86400e3).toISOString().slice(0, 10);
}

const visitsOf = (p) => `/v1/pesantren/${p.id}/visits`;
const good = { visited_on: '2024-05-14', aspects: ['produk', 'pemasaran'], notes: 'Review kemasan dan label halal.' };
const countOf = (p) => Number(psql(s.db, `SELECT count(*) FROM visits WHERE pesantren_id = '${p.id}'`));

before(async () => {
  s = await startServer();
  admin = await s.login();
  adminId = (await s.api(admin).get('/v1/me')).json.id;
  pA = await makePesantren(s, admin, { region_code: '35.17' });
  pB = await makePesantren(s, admin, { region_code: '35.10' });
  mentor = await makeUser(s, admin, 'mentor', { region_codes: ['35.17'] });
  farMentor = await makeUser(s, admin, 'mentor', { region_codes: ['35.01', '35.17'] });
  opA = await makeUser(s, admin, 'operator', { pesantren_id: pA.id });
  viewer = await makeUser(s, admin, 'viewer');
});
after(async () => s && s.stop());

test('a mentor records a visit and is its mentor; it reads back at its Location', async () => {
  const r = await s.api(mentor.token).post(visitsOf(pA), { ...good, notes: '  Review kemasan.  ', follow_up: 'Daftar PIRT' });
  assert.equal(r.status, 201, r.text);
  const v = r.json;
  assert.equal(r.headers.get('location'), `/v1/pesantren/${pA.id}/visits/${v.id}`);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(v.mentor_id, mentor.id);
  assert.equal(v.mentor_name, 'Test mentor');
  assert.equal(v.pesantren_id, pA.id);
  assert.equal(v.visited_on, '2024-05-14');
  assert.deepEqual(v.aspects, ['produk', 'pemasaran']);
  assert.equal(v.notes, 'Review kemasan.');
  assert.equal(v.follow_up, 'Daftar PIRT');
  assert.equal(v.version, 1);
  for (const who of [admin, mentor.token, opA.token, viewer.token]) {
    const g = await s.api(who).get(r.headers.get('location'));
    assert.equal(g.status, 200);
    assert.deepEqual(g.json, v);
  }
  const flat = await s.api(viewer.token).get(`/v1/visits/${v.id}`);
  assert.equal(flat.status, 200);
  assert.deepEqual(flat.json, v);
  const nm = await s.api(viewer.token).get(`/v1/visits/${v.id}`, { 'If-None-Match': '"1"' });
  assert.equal(nm.status, 304);
});

test('an admin records visits as their mentor; follow_up is optional', async () => {
  const r = await s.api(admin).post(visitsOf(pB), { visited_on: '2023-11-02', aspects: ['kelembagaan'], notes: 'Rapat pengurus Koppontren.' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.mentor_id, adminId);
  assert.equal(r.json.follow_up, null);
});

test('a mentor records visits only at pesantren in its regions', async () => {
  const before = countOf(pB);
  expectProblem(assert, await s.api(farMentor.token).post(visitsOf(pB), good), 403);
  expectProblem(assert, await s.api(mentor.token).post(visitsOf(pB), good), 403);
  assert.equal(countOf(pB), before);
  const r = await s.api(farMentor.token).post(visitsOf(pA), good);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.mentor_id, farMentor.id);
});

test('operators and viewers cannot record visits, and nothing is stored', async () => {
  const before = countOf(pA);
  expectProblem(assert, await s.api(opA.token).post(visitsOf(pA), good), 403);
  expectProblem(assert, await s.api(viewer.token).post(visitsOf(pA), good), 403);
  expectProblem(assert, await s.api().post(visitsOf(pA), good), 401);
  assert.equal(countOf(pA), before);
});

test('visited_on must be a real date, today (in WIB) at the latest', async () => {
  const bad = async (visited_on) =>
    expectProblem(assert, await s.api(mentor.token).post(visitsOf(pA), { ...good, visited_on }), 422, 'visited_on');
  await bad(wibDate(1));
  await bad('2999-01-01');
  await bad('2024-02-30');
  await bad('2023-02-29');
  await bad('14-05-2024');
  await bad('2024-5-14');
  await bad('2024-05-14T10:00:00Z');
  await bad(20240514);
  await bad(null);
  const today = await s.api(mentor.token).post(visitsOf(pA), { ...good, visited_on: wibDate(0) });
  assert.equal(today.status, 201, today.text);
  const leap = await s.api(mentor.token).post(visitsOf(pA), { ...good, visited_on: '2024-02-29' });
  assert.equal(leap.status, 201, leap.text);
});

test('aspects is a non-empty list of the five aspects without repeats', async () => {
  const bad = async (aspects) =>
    expectProblem(assert, await s.api(mentor.token).post(visitsOf(pA), { ...good, aspects }), 422, 'aspects');
  await bad([]);
  await bad(['produk', 'keuangan']);
  await bad(['produk', 'produk']);
  await bad(['SDM']);
  await bad('produk');
  await bad([1]);
  await bad(null);
  const all = ['kelembagaan', 'sdm', 'produk', 'pemasaran', 'pembiayaan'];
  const r = await s.api(mentor.token).post(visitsOf(pA), { ...good, aspects: all });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.aspects, all);
});

test('notes are required; every bad field is listed at once', async () => {
  expectProblem(assert, await s.api(mentor.token).post(visitsOf(pA), { ...good, notes: '   ' }), 422, 'notes');
  expectProblem(assert, await s.api(mentor.token).post(visitsOf(pA), { ...good, notes: 'x'.repeat(5001) }), 422, 'notes');
  expectProblem(assert, await s.api(mentor.token).post(visitsOf(pA), { ...good, follow_up: 7 }), 422, 'follow_up');
  const r = await s.api(mentor.token).post(visitsOf(pA), {
    mentor_id: adminId, id: adminId, pesantren_id: pB.id, rating: 5,
  });
  expectProblem(assert, r, 422);
  assert.deepEqual(r.json.errors.map((e) => e.field).sort(),
    ['aspects', 'id', 'mentor_id', 'notes', 'pesantren_id', 'rating', 'visited_on']);
});

test('malformed bodies and unknown pesantren never reach a 500', async () => {
  const api = s.api(mentor.token);
  expectProblem(assert, await api.post(visitsOf(pA), '{"notes":'), 400);
  expectProblem(assert, await api.post(visitsOf(pA), 'notes=x', { 'Content-Type': 'application/x-www-form-urlencoded' }), 415);
  expectProblem(assert, await api.post(visitsOf(pA), '"visit"'), 422);
  expectProblem(assert, await api.post('/v1/pesantren/00000000-0000-4000-8000-000000000000/visits', good), 404);
  expectProblem(assert, await api.post('/v1/pesantren/nope/visits', good), 404);
  expectProblem(assert, await api.get('/v1/pesantren/00000000-0000-4000-8000-000000000000/visits'), 404);
  expectProblem(assert, await api.get('/v1/visits/00000000-0000-4000-8000-000000000000'), 404);
  expectProblem(assert, await api.get('/v1/visits/xyz'), 404);
});

test('a visit read through another pesantren is 404', async () => {
  const v = (await s.api(mentor.token).post(visitsOf(pA), good)).json;
  expectProblem(assert, await s.api(admin).get(`/v1/pesantren/${pB.id}/visits/${v.id}`), 404);
});

test('the database refuses future dates and repeated aspects from any writer', async () => {
  const insert = (date, aspects) => execFileSync('psql', ['-d', s.db, '-Atqc', `INSERT INTO visits (pesantren_id, mentor_id, visited_on, aspects, notes)
    VALUES ('${pA.id}', '${mentor.id}', '${date}', '${aspects}', 'n')`], { stdio: 'pipe' });
  assert.throws(() => insert('2999-01-01', '{produk}'), /visits_visited_on_check|future/);
  assert.throws(() => insert('2024-01-01', '{produk,produk}'), /visits_aspects_check/);
});

test('Idempotency-Key replays the first visit', async () => {
  const before = countOf(pA);
  const h = { 'Idempotency-Key': 'visit-' + Date.now() };
  const a = await s.api(mentor.token).post(visitsOf(pA), good, h);
  const b = await s.api(mentor.token).post(visitsOf(pA), good, h);
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(b.json.id, a.json.id);
  assert.equal(countOf(pA), before + 1);
  expectProblem(assert, await s.api(mentor.token).post(visitsOf(pA), { ...good, notes: 'lain' }, h), 422, 'Idempotency-Key');
  assert.equal(countOf(pA), before + 1);
});

test('the list of a pesantren\'s visits pages, counts and filters; every role reads it', async () => {
  const p = await makePesantren(s, admin, { region_code: '35.17' });
  const made = [];
  for (const [who, aspects] of [[mentor, ['sdm']], [mentor, ['produk', 'sdm']], [farMentor, ['pembiayaan']]]) {
    made.push((await s.api(who.token).post(visitsOf(p), { ...good, aspects })).json.id);
  }
  const seen = [];
  let cursor = null;
  do {
    const r = await s.api(opA.token).get(`${visitsOf(p)}?limit=2&include_total=true${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, 3);
    seen.push(...r.json.items.map((v) => v.id));
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, made);
  const ids = async (qs) => (await s.api(viewer.token).get(`${visitsOf(p)}?${qs}`)).json.items.map((v) => v.id);
  assert.deepEqual(await ids('aspect=sdm'), made.slice(0, 2));
  assert.deepEqual(await ids(`mentor_id=${farMentor.id}`), [made[2]]);
  for (const [qs, field] of [['aspect=keuangan', 'aspect'], ['mentor_id=1', 'mentor_id'], ['limit=0', 'limit'],
    ['cursor=zzz', 'cursor'], ['visited_on=2024-01-01', 'visited_on']]) {
    expectProblem(assert, await s.api(admin).get(`${visitsOf(p)}?${qs}`), 400, field);
  }
});

test('GET /v1/visits lists visits across pesantren, by mentor or pesantren', async () => {
  const lone = await makeUser(s, admin, 'mentor', { region_codes: ['35.29', '35.17'] });
  const p = await makePesantren(s, admin, { region_code: '35.29' });
  const a = (await s.api(lone.token).post(visitsOf(p), good)).json;
  const b = (await s.api(lone.token).post(visitsOf(pA), { ...good, aspects: ['sdm'] })).json;
  const mine = await s.api(lone.token).get(`/v1/visits?mentor_id=${lone.id}&include_total=true`);
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.total, 2);
  assert.deepEqual(mine.json.items.map((v) => v.id), [a.id, b.id]);
  const there = await s.api(viewer.token).get(`/v1/visits?pesantren_id=${p.id}`);
  assert.deepEqual(there.json.items.map((v) => v.id), [a.id]);
  const both = await s.api(opA.token).get(`/v1/visits?mentor_id=${lone.id}&aspect=sdm`);
  assert.deepEqual(both.json.items.map((v) => v.id), [b.id]);
  const everything = await s.api(admin).get('/v1/visits?include_total=true');
  assert.equal(everything.json.total, Number(psql(s.db, 'SELECT count(*) FROM visits')));
  expectProblem(assert, await s.api(admin).get('/v1/visits?pesantren_id=x'), 400, 'pesantren_id');
  expectProblem(assert, await s.api(admin).get('/v1/visits?region=35.29'), 400, 'region');
  expectProblem(assert, await s.api(admin).post('/v1/visits', good), 405);
});

test('visits are not changed through the API', async () => {
  const v = (await s.api(mentor.token).post(visitsOf(pA), good)).json;
  const r = await s.api(admin).patch(`/v1/pesantren/${pA.id}/visits/${v.id}`, { notes: 'x' });
  expectProblem(assert, r, 405);
  assert.equal(r.headers.get('allow'), 'GET');
});
