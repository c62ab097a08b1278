// Programmes: fields, validation, status moves, lists, roles and idempotent creation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, makeUser, makePesantren, expectProblem, psql } from './lib/harness.mjs';

let s, admin, roles;
before(async () => {
  s = await startServer();
  admin = await s.login();
  const p = await makePesantren(s, admin);
  roles = {
    mentor: (await makeUser(s, admin, 'mentor', { region_codes: ['35.78'] })).token,
    operator: (await makeUser(s, admin, 'operator', { pesantren_id: p.id })).token,
    viewer: (await makeUser(s, admin, 'viewer')).token,
  };
});
after(async () => s && s.stop());

const tag = () => randomBytes(3).toString('hex');
const body = (extra = {}) => ({ pillar: 'pesantrenpreneur', name: `Pelatihan Koppontren ${tag()}`, year: 2024, ...extra });

async function makeProgram(extra = {}) {
  const r = await s.api(admin).post('/v1/programs', body(extra));
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('a minimal programme is created planned, with Location, ETag and every field', async () => {
  const r = await s.api(admin).post('/v1/programs', { pillar: 'santripreneur', name: '  Santri Digital 2024 ', year: 2024 });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), `/v1/programs/${r.json.id}`);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.match(r.json.id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(
    { ...r.json, id: undefined, created_at: undefined, updated_at: undefined },
    {
      id: undefined, pillar: 'santripreneur', name: 'Santri Digital 2024', description: null, year: 2024,
      start_date: null, end_date: null, quota: null, organizer: null, status: 'planned', version: 1,
      created_at: undefined, updated_at: undefined,
    });
  assert.match(r.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(r.json.updated_at, r.json.created_at);
  const g = await s.api(admin).get(`/v1/programs/${r.json.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('etag'), '"1"');
  assert.deepEqual(g.json, r.json);
});

test('a full programme keeps every field', async () => {
  const full = body({
    pillar: 'sosiopreneur', description: 'Pendampingan usaha sosial alumni', year: 2025,
    start_date: '2025-03-01', end_date: '2025-03-01', quota: 40, organizer: 'Dinas Koperasi dan UKM', status: 'planned',
  });
  const r = await s.api(admin).post('/v1/programs', full);
  assert.equal(r.status, 201, r.text);
  for (const k of Object.keys(full)) assert.deepEqual(r.json[k], full[k], k);
});

test('a programme may be recorded in a state it already reached', async () => {
  const p = await makeProgram({ status: 'active' });
  assert.equal(p.status, 'active');
});

test('missing required fields are all reported at once', async () => {
  const r = await s.api(admin).post('/v1/programs', {});
  expectProblem(assert, r, 422, 'pillar');
  for (const f of ['name', 'year']) assert.ok(r.json.errors.some((e) => e.field === f), f);
});

test('every bad field value is a 422 on that field', async () => {
  const cases = [
    [{ pillar: 'entrepreneur' }, 'pillar'], [{ pillar: null }, 'pillar'], [{ pillar: 3 }, 'pillar'],
    [{ name: 'ab' }, 'name'], [{ name: '   ab   ' }, 'name'], [{ name: 'x'.repeat(201) }, 'name'], [{ name: 7 }, 'name'],
    [{ year: 2018 }, 'year'], [{ year: 2101 }, 'year'], [{ year: '2024' }, 'year'], [{ year: 2024.5 }, 'year'],
    [{ year: 1e30 }, 'year'], [{ year: null }, 'year'],
    [{ quota: 0 }, 'quota'], [{ quota: -3 }, 'quota'], [{ quota: 2.5 }, 'quota'], [{ quota: '10' }, 'quota'],
    [{ start_date: '2024-02-30' }, 'start_date'], [{ start_date: '2024/01/01' }, 'start_date'],
    [{ end_date: '24-01-01' }, 'end_date'], [{ start_date: '2024-05-02', end_date: '2024-05-01' }, 'end_date'],
    [{ description: 'd'.repeat(5001) }, 'description'], [{ organizer: 'o'.repeat(201) }, 'organizer'],
    [{ status: 'open' }, 'status'], [{ status: null }, 'status'],
    [{ id: '00000000-0000-0000-0000-000000000000' }, 'id'], [{ version: 3 }, 'version'],
    [{ created_at: '2024-01-01T00:00:00Z' }, 'created_at'], [{ updated_at: 'x' }, 'updated_at'],
    [{ colour: 'green' }, 'colour'],
  ];
  for (const [extra, field] of cases) {
    const r = await s.api(admin).post('/v1/programs', body(extra));
    expectProblem(assert, r, 422, field);
  }
});

test('a date order error is reported beside the other bad fields', async () => {
  const r = await s.api(admin).post('/v1/programs', { pillar: 'x', name: 'Tanggal terbalik', year: 2024, start_date: '2024-01-02', end_date: '2024-01-01' });
  expectProblem(assert, r, 422, 'end_date');
  assert.ok(r.json.errors.some((e) => e.field === 'pillar'));
  const bad = await s.api(admin).post('/v1/programs', body({ start_date: '2024-13-01', end_date: '2024-01-01' }));
  assert.deepEqual(bad.json.errors.map((e) => e.field), ['start_date']);
});

test('lengths count characters, not bytes', async () => {
  const p = await makeProgram({ name: 'é'.repeat(200), organizer: 'ü'.repeat(200) });
  assert.equal(p.name, 'é'.repeat(200));
});

test('malformed bodies are 400, 415 or 422, never 500', async () => {
  expectProblem(assert, await s.api(admin).post('/v1/programs', '{"pillar":'), 400, 'body');
  expectProblem(assert, await s.api(admin).post('/v1/programs', '[]'), 422, 'body');
  expectProblem(assert, await s.api(admin).post('/v1/programs', ''), 400);
  expectProblem(assert, await s.api(admin).post('/v1/programs', JSON.stringify(body()), { 'Content-Type': 'text/plain' }), 415);
  expectProblem(assert, await s.api(admin).post('/v1/programs', '{"name":"a","name":"b"}'), 400);
});

test('a programme reads back with ETag, and If-None-Match gives 304', async () => {
  const p = await makeProgram();
  const r = await s.api(admin).get(`/v1/programs/${p.id}`, { 'If-None-Match': '"1"' });
  assert.equal(r.status, 304);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal((await s.api(admin).get(`/v1/programs/${p.id}`, { 'If-None-Match': '"7"' })).status, 200);
});

test('an unknown or malformed id is 404', async () => {
  expectProblem(assert, await s.api(admin).get('/v1/programs/00000000-0000-0000-0000-000000000000'), 404);
  expectProblem(assert, await s.api(admin).get('/v1/programs/nope'), 404);
  expectProblem(assert, await s.api(admin).patch('/v1/programs/00000000-0000-0000-0000-000000000000', { name: 'Baru sekali' }), 404);
  expectProblem(assert, await s.api(admin).patch('/v1/programs/12', { name: 'Baru sekali' }), 404);
});

test('PATCH merges, bumps version and honours If-Match', async () => {
  const p = await makeProgram({ quota: 10, organizer: 'Dinas' });
  const r = await s.api(admin).patch(`/v1/programs/${p.id}`, { name: 'Nama baru program', organizer: null }, { 'If-Match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.json.name, 'Nama baru program');
  assert.equal(r.json.organizer, null);
  assert.equal(r.json.quota, 10);
  assert.equal(r.json.version, 2);
  assert.equal(r.json.created_at, p.created_at);
  expectProblem(assert, await s.api(admin).patch(`/v1/programs/${p.id}`, { quota: 5 }, { 'If-Match': '"1"' }), 412);
  assert.equal((await s.api(admin).get(`/v1/programs/${p.id}`)).json.quota, 10);
  const same = await s.api(admin).patch(`/v1/programs/${p.id}`, { quota: 10 });
  assert.equal(same.json.version, 2, 'an unchanged document keeps its version');
});

test('PATCH re-validates the whole document', async () => {
  const p = await makeProgram({ start_date: '2024-06-01' });
  expectProblem(assert, await s.api(admin).patch(`/v1/programs/${p.id}`, { end_date: '2024-05-31' }), 422, 'end_date');
  expectProblem(assert, await s.api(admin).patch(`/v1/programs/${p.id}`, { pillar: null }), 422, 'pillar');
  expectProblem(assert, await s.api(admin).patch(`/v1/programs/${p.id}`, { year: 2200 }), 422, 'year');
  expectProblem(assert, await s.api(admin).patch(`/v1/programs/${p.id}`, { version: 9 }), 422, 'version');
  expectProblem(assert, await s.api(admin).patch(`/v1/programs/${p.id}`, { id: p.id }), 422, 'id');
  expectProblem(assert, await s.api(admin).patch(`/v1/programs/${p.id}`, { seats: 3 }), 422, 'seats');
  expectProblem(assert, await s.api(admin).patch(`/v1/programs/${p.id}`, { quota: 0 }), 422, 'quota');
  expectProblem(assert, await s.api(admin).patch(`/v1/programs/${p.id}`, '{'), 400);
  const ok = await s.api(admin).patch(`/v1/programs/${p.id}`, { start_date: null, end_date: '2024-05-31' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await s.api(admin).get(`/v1/programs/${p.id}`)).json.version, 2);
});

async function move(id, status) {
  return s.api(admin).patch(`/v1/programs/${id}`, { status });
}

test('status moves planned -> active -> completed, and nothing back', async () => {
  const p = await makeProgram();
  expectProblem(assert, await move(p.id, 'completed'), 409);
  assert.equal((await move(p.id, 'active')).json.status, 'active');
  expectProblem(assert, await move(p.id, 'planned'), 409);
  const done = await move(p.id, 'completed');
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.status, 'completed');
  for (const to of ['planned', 'active', 'cancelled']) expectProblem(assert, await move(p.id, to), 409);
  assert.equal((await s.api(admin).get(`/v1/programs/${p.id}`)).json.status, 'completed');
  assert.equal((await move(p.id, 'completed')).status, 200, 'staying is no move');
});

test('planned or active may be cancelled, and a cancelled programme stays so', async () => {
  const a = await makeProgram();
  assert.equal((await move(a.id, 'cancelled')).json.status, 'cancelled');
  const b = await makeProgram({ status: 'active' });
  assert.equal((await move(b.id, 'cancelled')).json.status, 'cancelled');
  for (const to of ['planned', 'active', 'completed']) expectProblem(assert, await move(a.id, to), 409);
  expectProblem(assert, await move(a.id, 'finished'), 422, 'status');
  expectProblem(assert, await move(a.id, null), 422, 'status');
});

test('a status move and another field change together or not at all', async () => {
  const p = await makeProgram({ status: 'completed' });
  expectProblem(assert, await s.api(admin).patch(`/v1/programs/${p.id}`, { status: 'active', name: 'Tidak berubah' }), 409);
  assert.equal((await s.api(admin).get(`/v1/programs/${p.id}`)).json.name, p.name);
});

test('mentors, operators and viewers read programmes but cannot write them', async () => {
  const p = await makeProgram();
  for (const [role, token] of Object.entries(roles)) {
    assert.equal((await s.api(token).get('/v1/programs')).status, 200, role);
    assert.equal((await s.api(token).get(`/v1/programs/${p.id}`)).status, 200, role);
    expectProblem(assert, await s.api(token).post('/v1/programs', body()), 403);
    expectProblem(assert, await s.api(token).patch(`/v1/programs/${p.id}`, { name: 'Diubah orang lain' }), 403);
  }
  assert.equal((await s.api(admin).get(`/v1/programs/${p.id}`)).json.version, 1);
  expectProblem(assert, await s.api().get('/v1/programs'), 401);
});

test('other methods are 405 with Allow', async () => {
  const r = await s.api(admin).del('/v1/programs');
  expectProblem(assert, r, 405);
  assert.match(r.headers.get('allow'), /GET/);
  assert.match(r.headers.get('allow'), /POST/);
});

test('lists filter by pillar, year, status and q', async () => {
  const t = tag();
  const a = await makeProgram({ pillar: 'santripreneur', year: 2031, name: `Filter ${t} satu` });
  const b = await makeProgram({ pillar: 'sosiopreneur', year: 2031, name: `Filter ${t} dua`, status: 'active' });
  const c = await makeProgram({ pillar: 'santripreneur', year: 2032, name: `Filter ${t} tiga` });
  const ids = async (qs) => {
    const r = await s.api(roles.viewer).get(`/v1/programs?${qs}&limit=100`);
    assert.equal(r.status, 200, r.text);
    return r.json.items.map((p) => p.id).filter((id) => [a.id, b.id, c.id].includes(id));
  };
  assert.deepEqual(await ids('year=2031'), [a.id, b.id]);
  assert.deepEqual(await ids('pillar=santripreneur&year=2031'), [a.id]);
  assert.deepEqual(await ids('status=active&year=2031'), [b.id]);
  assert.deepEqual(await ids(`q=${t.toUpperCase()}`), [a.id, b.id, c.id]);
  assert.deepEqual(await ids(`q=${t}%20TIGA`), [c.id]);
  const total = await s.api(admin).get('/v1/programs?year=2031&include_total=true');
  assert.equal(total.json.total, 2);
  assert.equal((await s.api(admin).get('/v1/programs?year=2031')).json.total, undefined);
});

test('q matches % and _ literally', async () => {
  const t = tag();
  const pct = await makeProgram({ name: `Diskon 100% ${t}` });
  await makeProgram({ name: `Diskon 1000 ${t}` });
  const r = await s.api(admin).get(`/v1/programs?q=${encodeURIComponent(`0% ${t}`)}`);
  assert.deepEqual(r.json.items.map((p) => p.id), [pct.id]);
  const u = await s.api(admin).get(`/v1/programs?q=${encodeURIComponent(`Diskon_1000 ${t}`)}`);
  assert.equal(u.json.items.length, 0);
});

test('sorts by name, year and created_at, either way', async () => {
  const t = tag();
  await makeProgram({ name: `Urut ${t} B`, year: 2040 });
  await makeProgram({ name: `Urut ${t} A`, year: 2042 });
  await makeProgram({ name: `Urut ${t} C`, year: 2041 });
  const names = async (sort) => (await s.api(admin).get(`/v1/programs?q=Urut%20${t}&sort=${sort}`)).json.items.map((p) => p.name.slice(-1));
  assert.deepEqual(await names('name'), ['A', 'B', 'C']);
  assert.deepEqual(await names('-name'), ['C', 'B', 'A']);
  assert.deepEqual(await names('year'), ['B', 'C', 'A']);
  assert.deepEqual(await names('-year'), ['A', 'C', 'B']);
  assert.deepEqual(await names('created_at'), ['B', 'A', 'C']);
  assert.deepEqual(await names('-created_at'), ['C', 'A', 'B']);
});

test('paging returns every programme once, even while programmes are added', async () => {
  const t = tag();
  const made = [];
  for (let i = 0; i < 7; i++) made.push((await makeProgram({ name: `Halaman ${t} ${i}`, year: 2050 + (i % 3) })).id);
  for (const sort of ['', '&sort=-year', '&sort=name']) {
    const seen = [];
    let cursor = null;
    let pages = 0;
    do {
      const r = await s.api(admin).get(`/v1/programs?q=Halaman%20${t}&limit=3${sort}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.items.map((p) => p.id));
      cursor = r.json.next_cursor;
      if (pages++ === 0 && sort === '') made.push((await makeProgram({ name: `Halaman ${t} baru`, year: 2060 })).id);
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'no programme twice');
    assert.deepEqual([...seen].sort(), [...made].sort());
  }
});

test('bad list parameters are 400 on the parameter', async () => {
  const cases = [
    ['pillar=other', 'pillar'], ['year=2018', 'year'], ['year=abc', 'year'], ['year=2024.0', 'year'],
    ['status=open', 'status'], ['sort=quota', 'sort'], ['sort=-', 'sort'], ['limit=0', 'limit'], ['limit=101', 'limit'],
    ['include_total=yes', 'include_total'], ['region_code=35.78', 'region_code'], ['cursor=zzz', 'cursor'],
  ];
  for (const [qs, field] of cases) expectProblem(assert, await s.api(admin).get(`/v1/programs?${qs}`), 400, field);
  const first = await s.api(admin).get('/v1/programs?limit=1');
  assert.ok(first.json.next_cursor);
  expectProblem(assert, await s.api(admin).get(`/v1/programs?limit=1&sort=name&cursor=${encodeURIComponent(first.json.next_cursor)}`), 400, 'cursor');
});

test('Idempotency-Key replays the first answer and creates nothing new', async () => {
  const key = 'prog-' + tag();
  const b = body({ name: `Idempoten ${tag()}` });
  const r1 = await s.api(admin).post('/v1/programs', b, { 'Idempotency-Key': key });
  assert.equal(r1.status, 201, r1.text);
  const r2 = await s.api(admin).post('/v1/programs', b, { 'Idempotency-Key': key });
  assert.equal(r2.status, 201, r2.text);
  assert.equal(r2.json.id, r1.json.id);
  assert.equal(r2.headers.get('location'), r1.headers.get('location'));
  const list = await s.api(admin).get(`/v1/programs?q=${encodeURIComponent(b.name)}&include_total=true`);
  assert.equal(list.json.total, 1);
  expectProblem(assert, await s.api(admin).post('/v1/programs', { ...b, year: 2026 }, { 'Idempotency-Key': key }), 422, 'Idempotency-Key');
});

test('every change leaves an audit row and a change-feed entry with its actor', async () => {
  const p = await makeProgram();
  await move(p.id, 'active');
  const audit = psql(s.db, `SELECT count(*) || ':' || bool_and(actor_id IS NOT NULL) FROM audit_events WHERE entity = 'program' AND entity_id = '${p.id}'`);
  assert.equal(audit, '2:true');
  const feed = psql(s.db, `SELECT action || ':' || version FROM changes WHERE entity = 'program' AND entity_id = '${p.id}' ORDER BY seq`);
  assert.equal(feed, 'created:1\nupdated:2');
});
