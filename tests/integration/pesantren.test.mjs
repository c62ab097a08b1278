// Pesantren: every field rule, filters, sorts, search, paging while rows are
// added, role boundaries (an operator only changes its own), deletion rules
// and the audit trail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeUser, makePesantren, expectProblem, nspp, psql } from './lib/harness.mjs';

let s, admin, api;

before(async () => {
  s = await startServer();
  admin = await s.login();
  api = s.api(admin);
});
after(async () => s && s.stop());

const base = (extra = {}) => ({ nspp: nspp(), name: 'Pondok Pesantren Al-Hikmah', region_code: '35.09', ...extra });
const thisYear = new Date().getUTCFullYear();
const tag = () => 'Tag' + crypto.randomUUID().slice(0, 8);

async function create(extra) {
  const r = await api.post('/v1/pesantren', base(extra));
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function pageAll(path, limit = 3, between = async () => {}) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 500; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await api.get(`${path}${sep}limit=${limit}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.length <= limit);
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
    if (!cursor) return items;
    await between(i);
  }
  throw new Error('paging did not end');
}

// ---- create and read ----

test('a full pesantren is created and read back with every field', async () => {
  const full = base({
    address: 'Jl. Raya Tebuireng No. 10', district: 'Diwek', village: 'Cukir', leader_name: 'KH. Abdul Hakim',
    phone: '+62 321-861 234', email: 'info@tebuireng.example', founded_year: 1899, santri_count: 4500,
    typology: 'terpadu', latitude: -7.6069, longitude: 112.2371, active: true,
  });
  const r = await api.post('/v1/pesantren', full);
  assert.equal(r.status, 201, r.text);
  for (const [k, v] of Object.entries(full)) assert.deepEqual(r.json[k], v, k);
  assert.equal(r.json.cohort_year, null);
  assert.equal(r.json.version, 1);
  assert.match(r.json.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.match(r.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(r.json.created_at, r.json.updated_at);
  assert.equal(r.headers.get('location'), `/v1/pesantren/${r.json.id}`);
  assert.equal(r.headers.get('etag'), '"1"');
  const g = await api.get(`/v1/pesantren/${r.json.id}`);
  assert.deepEqual(g.json, r.json);
  assert.deepEqual(Object.keys(g.json).sort(), ['active', 'address', 'cohort_year', 'created_at', 'district', 'email',
    'founded_year', 'id', 'latitude', 'leader_name', 'longitude', 'name', 'nspp', 'phone', 'region_code', 'santri_count',
    'typology', 'updated_at', 'version', 'village'].sort());
});

test('optional fields default to null and active to true', async () => {
  const p = await create();
  for (const k of ['address', 'district', 'village', 'leader_name', 'phone', 'email', 'founded_year', 'santri_count',
    'typology', 'latitude', 'longitude', 'cohort_year']) assert.equal(p[k], null, k);
  assert.equal(p.active, true);
  const withNulls = await create({ address: null, phone: null, typology: null, latitude: null, longitude: null });
  assert.equal(withNulls.address, null);
  const inactive = await create({ active: false });
  assert.equal(inactive.active, false);
});

// ---- field rules ----

test('nspp: exactly 12 ASCII digits, unique', async () => {
  const bad = ['12345678901', '1234567890123', '12345678901a', ' 123456789012', '1234 5678 9012', '',
    '١٢٣٤٥٦٧٨٩٠١٢', '１２３４５６７８９０１２', '12345678901٢', '०१२३४५६७८९०१', '-12345678901', '1.2345678901'];
  for (const v of bad) expectProblem(assert, await api.post('/v1/pesantren', base({ nspp: v })), 422, 'nspp');
  expectProblem(assert, await api.post('/v1/pesantren', base({ nspp: 123456789012 })), 422, 'nspp');
  expectProblem(assert, await api.post('/v1/pesantren', base({ nspp: null })), 422, 'nspp');
  const p = await create({ nspp: '012345678901' });
  assert.equal(p.nspp, '012345678901');
  const dup = await api.post('/v1/pesantren', base({ nspp: '012345678901', name: 'Pondok Lain' }));
  expectProblem(assert, dup, 409);
  const other = await create();
  expectProblem(assert, await api.patch(`/v1/pesantren/${other.id}`, { nspp: '012345678901' }), 409);
  assert.equal((await api.get(`/v1/pesantren/${other.id}`)).json.nspp, other.nspp);
});

test('name: 3 to 200 characters after trimming, counted in characters', async () => {
  for (const v of ['', '  ', 'ab', '  ab  ', '\tab\n', 'n'.repeat(201), 'é'.repeat(201), '😀'.repeat(201), 42, null]) {
    expectProblem(assert, await api.post('/v1/pesantren', base({ name: v })), 422, 'name');
  }
  for (const v of ['\u00a0\u00a0ab\u3000', '\u2003ab\u2028', '\ufeffab ', '\u00a0 \u00a0']) {
    expectProblem(assert, await api.post('/v1/pesantren', base({ name: v })), 422, 'name');
  }
  assert.equal((await create({ name: '\u00a0Pondok Nurul Huda\u3000\u2003' })).name, 'Pondok Nurul Huda');
  assert.equal((await create({ name: 'Pondok\u00a0Nurul' })).name, 'Pondok\u00a0Nurul');
  assert.equal((await create({ name: '  abc  ' })).name, 'abc');
  assert.equal((await create({ name: 'é'.repeat(200) })).name, 'é'.repeat(200));
  assert.equal((await create({ name: '😀'.repeat(200) })).name.length, 400); // UTF-16 units in JS
  assert.equal((await create({ name: ' ' + 'n'.repeat(200) + ' ' })).name, 'n'.repeat(200));
  assert.equal((await create({ name: 'Pondok Pesantren Lirboyo' })).name, 'Pondok Pesantren Lirboyo');
});

test('region_code: one of the 38 codes', async () => {
  for (const v of ['35.30', '35.70', '35.80', '36.01', '35,78', 'Surabaya', '', 3578, null]) {
    expectProblem(assert, await api.post('/v1/pesantren', base({ region_code: v })), 422, 'region_code');
  }
  for (const v of ['35.01', '35.29', '35.71', '35.79']) assert.equal((await create({ region_code: v })).region_code, v);
});

test('address, district, village and leader_name: length limits in characters', async () => {
  const limits = { address: 300, district: 100, village: 100, leader_name: 200 };
  for (const [field, max] of Object.entries(limits)) {
    expectProblem(assert, await api.post('/v1/pesantren', base({ [field]: 'a'.repeat(max + 1) })), 422, field);
    expectProblem(assert, await api.post('/v1/pesantren', base({ [field]: 7 })), 422, field);
    assert.equal((await create({ [field]: 'ü'.repeat(max) }))[field], 'ü'.repeat(max));
  }
});

test('phone: 6 to 20 characters of digits, spaces, + and -', async () => {
  for (const v of ['12345', '1'.repeat(21), '0812-ABC-999', '(031) 123456', '031.123.456', '٠٨١٢٣٤٥٦٧', 812345678]) {
    expectProblem(assert, await api.post('/v1/pesantren', base({ phone: v })), 422, 'phone');
  }
  for (const v of ['123456', '+62 812-3456-7890', '1'.repeat(20), '031 8661234']) {
    assert.equal((await create({ phone: v })).phone, v);
  }
});

test('email: an email address', async () => {
  for (const v of ['pondok', 'pondok@', '@example.org', 'a@b', 'a b@example.org', 'a@@example.org', 5]) {
    expectProblem(assert, await api.post('/v1/pesantren', base({ email: v })), 422, 'email');
  }
  assert.equal((await create({ email: 'santri.center@pondok.example.id' })).email, 'santri.center@pondok.example.id');
});

test('founded_year: an integer from 1700 to the current year', async () => {
  for (const v of [1699, thisYear + 1, 3000, 1900.5, '1900', -5]) {
    expectProblem(assert, await api.post('/v1/pesantren', base({ founded_year: v })), 422, 'founded_year');
  }
  assert.equal((await create({ founded_year: 1700 })).founded_year, 1700);
  assert.equal((await create({ founded_year: thisYear })).founded_year, thisYear);
});

test('santri_count: an integer from 0 to 100000', async () => {
  for (const v of [-1, 100001, 1.5, '10', true, 1e12]) {
    expectProblem(assert, await api.post('/v1/pesantren', base({ santri_count: v })), 422, 'santri_count');
  }
  assert.equal((await create({ santri_count: 0 })).santri_count, 0);
  assert.equal((await create({ santri_count: 100000 })).santri_count, 100000);
});

test('typology: salafiyah, khalafiyah or terpadu', async () => {
  for (const v of ['modern', 'Salafiyah', '', 1]) {
    expectProblem(assert, await api.post('/v1/pesantren', base({ typology: v })), 422, 'typology');
  }
  for (const v of ['salafiyah', 'khalafiyah', 'terpadu']) assert.equal((await create({ typology: v })).typology, v);
});

test('latitude and longitude: both or neither, inside East Java', async () => {
  expectProblem(assert, await api.post('/v1/pesantren', base({ latitude: -7.5 })), 422, 'longitude');
  expectProblem(assert, await api.post('/v1/pesantren', base({ longitude: 112.5 })), 422, 'latitude');
  expectProblem(assert, await api.post('/v1/pesantren', base({ latitude: -7.5, longitude: null })), 422, 'longitude');
  for (const [lat, lon, bad] of [[-9.01, 112, 'latitude'], [-4.99, 112, 'latitude'], [7.5, 112, 'latitude'],
    [-7.5, 110.49, 'longitude'], [-7.5, 116.51, 'longitude'], ['-7.5', 112, 'latitude'], [-7.5, '112', 'longitude']]) {
    expectProblem(assert, await api.post('/v1/pesantren', base({ latitude: lat, longitude: lon })), 422, bad);
  }
  const edge = await create({ latitude: -9, longitude: 116.5 });
  assert.equal(edge.latitude, -9);
  assert.equal(edge.longitude, 116.5);
  const p = await create({ latitude: -7.2575, longitude: 112.7521 });
  assert.equal(p.latitude, -7.2575);
  assert.equal(p.longitude, 112.7521);
  expectProblem(assert, await api.patch(`/v1/pesantren/${p.id}`, { latitude: null }), 422, 'latitude');
  const cleared = await api.patch(`/v1/pesantren/${p.id}`, { latitude: null, longitude: null });
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.json.latitude, null);
  expectProblem(assert, await api.patch(`/v1/pesantren/${p.id}`, { longitude: 112 }), 422, 'latitude');
});

test('active: a boolean', async () => {
  for (const v of ['true', 1, null]) expectProblem(assert, await api.post('/v1/pesantren', base({ active: v })), 422, 'active');
});

test('cohort_year is read-only and follows the earliest programme enrolled in', async () => {
  expectProblem(assert, await api.post('/v1/pesantren', base({ cohort_year: 2024 })), 422, 'cohort_year');
  const p = await create();
  expectProblem(assert, await api.patch(`/v1/pesantren/${p.id}`, { cohort_year: 2023 }), 422, 'cohort_year');
  for (const [pillar, year] of [['santripreneur', 2024], ['pesantrenpreneur', 2023]]) {
    const program = psql(s.db, `INSERT INTO programs (pillar, name, year) VALUES ('${pillar}', 'Pelatihan ${year}', ${year})
      RETURNING id`);
    psql(s.db, `INSERT INTO enrolments (program_id, pesantren_id) VALUES ('${program}', '${p.id}')`);
  }
  const g = await api.get(`/v1/pesantren/${p.id}`);
  assert.equal(g.json.cohort_year, 2023);
  const list = await api.get('/v1/pesantren?cohort_year=2023');
  assert.deepEqual(list.json.items.map((x) => x.id), [p.id]);
  assert.deepEqual((await api.get('/v1/pesantren?cohort_year=2024')).json.items, []);
  expectProblem(assert, await api.get('/v1/pesantren?cohort_year=1999'), 400, 'cohort_year');
  // A pesantren in programmes cannot be deleted: 409, deactivate instead.
  const del = await api.del(`/v1/pesantren/${p.id}`);
  expectProblem(assert, del, 409);
  assert.equal((await api.get(`/v1/pesantren/${p.id}`)).status, 200);
  const off = await api.patch(`/v1/pesantren/${p.id}`, { active: false });
  assert.equal(off.status, 200);
  assert.equal(off.json.active, false);
});

test('every bad field is listed in one answer', async () => {
  const r = await api.post('/v1/pesantren', {
    nspp: 'abc', name: 'x', region_code: '99.99', phone: '?', email: 'no', founded_year: 1, santri_count: -3,
    typology: 'x', latitude: 0, active: 'y', website: 'http://x',
  });
  expectProblem(assert, r, 422);
  assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['active', 'email', 'founded_year', 'latitude', 'name', 'nspp',
    'phone', 'region_code', 'santri_count', 'typology', 'website'].sort());
});

// ---- PATCH ----

test('PATCH is a merge patch: absent fields stay, null clears, the result is re-validated', async () => {
  const p = await create({ address: 'Jl. Lama', santri_count: 100, typology: 'salafiyah' });
  const r = await api.patch(`/v1/pesantren/${p.id}`, { address: null, santri_count: 150, name: '  Pondok Baru  ' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.address, null);
  assert.equal(r.json.santri_count, 150);
  assert.equal(r.json.name, 'Pondok Baru');
  assert.equal(r.json.typology, 'salafiyah');
  assert.equal(r.json.nspp, p.nspp);
  assert.equal(r.json.version, 2);
  assert.equal(r.json.created_at, p.created_at);
  assert.equal(r.headers.get('etag'), '"2"');
  for (const [patch, field] of [[{ name: null }, 'name'], [{ nspp: null }, 'nspp'], [{ region_code: null }, 'region_code'],
    [{ name: 'ab' }, 'name'], [{ santri_count: -1 }, 'santri_count'], [{ founded_year: thisYear + 1 }, 'founded_year'],
    [{ active: null }, 'active'], [{ unknown: 1 }, 'unknown']]) {
    expectProblem(assert, await api.patch(`/v1/pesantren/${p.id}`, patch), 422, field);
  }
  const now = await api.get(`/v1/pesantren/${p.id}`);
  assert.equal(now.json.version, 2);
});

// ---- roles ----

test('viewers and mentors read but never write', async () => {
  const p = await create();
  for (const [role, extra] of [['viewer', {}], ['mentor', { region_codes: ['35.09'] }]]) {
    const u = await makeUser(s, admin, role, extra);
    const as = s.api(u.token);
    assert.equal((await as.get('/v1/pesantren')).status, 200);
    assert.equal((await as.get(`/v1/pesantren/${p.id}`)).status, 200);
    expectProblem(assert, await as.post('/v1/pesantren', base()), 403);
    expectProblem(assert, await as.patch(`/v1/pesantren/${p.id}`, { santri_count: 9 }), 403);
    expectProblem(assert, await as.del(`/v1/pesantren/${p.id}`), 403);
  }
  const g = await api.get(`/v1/pesantren/${p.id}`);
  assert.equal(g.json.version, 1);
  assert.equal(g.json.santri_count, null);
});

test('an operator changes its own pesantren and nothing else', async () => {
  const own = await create({ santri_count: 10 });
  const other = await create({ santri_count: 20 });
  const op = await makeUser(s, admin, 'operator', { pesantren_id: own.id });
  const as = s.api(op.token);
  const ok = await as.patch(`/v1/pesantren/${own.id.toUpperCase()}`, { santri_count: 11, leader_name: 'KH. Baru' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.santri_count, 11);
  expectProblem(assert, await as.patch(`/v1/pesantren/${own.id}`, { santri_count: 12 }, { 'If-Match': '"1"' }), 412);
  expectProblem(assert, await as.patch(`/v1/pesantren/${own.id}`, { santri_count: -12 }), 422, 'santri_count');
  const auditBefore = psql(s.db, `SELECT count(*) FROM audit_events WHERE entity_id = '${other.id}'`);
  for (const patch of [{ santri_count: 21 }, { active: false }, { name: 'Diambil Alih' }, { santri_count: -1 }, {}]) {
    expectProblem(assert, await as.patch(`/v1/pesantren/${other.id}`, patch), 403);
  }
  expectProblem(assert, await as.patch(`/v1/pesantren/${other.id}`, '{'), 403);
  expectProblem(assert, await as.del(`/v1/pesantren/${other.id}`), 403);
  expectProblem(assert, await as.del(`/v1/pesantren/${own.id}`), 403);
  expectProblem(assert, await as.post('/v1/pesantren', base()), 403);
  const g = await api.get(`/v1/pesantren/${other.id}`);
  assert.equal(g.json.version, 1);
  assert.equal(g.json.santri_count, 20);
  assert.equal(g.json.active, true);
  assert.equal(psql(s.db, `SELECT count(*) FROM audit_events WHERE entity_id = '${other.id}'`), auditBefore);
  // The operator reads everything, like every role.
  assert.equal((await as.get(`/v1/pesantren/${other.id}`)).status, 200);
  assert.ok((await as.get('/v1/pesantren?limit=100')).json.items.length >= 2);
});

test('an operator changing an unknown pesantren is 403 too: it is not its own', async () => {
  const own = await create();
  const op = await makeUser(s, admin, 'operator', { pesantren_id: own.id });
  expectProblem(assert, await s.api(op.token).patch(`/v1/pesantren/${crypto.randomUUID()}`, { santri_count: 1 }), 403);
});

// ---- delete ----

test('DELETE is admin-only, 204, then 404', async () => {
  const p = await create();
  const r = await api.del(`/v1/pesantren/${p.id}`);
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  expectProblem(assert, await api.get(`/v1/pesantren/${p.id}`), 404);
  expectProblem(assert, await api.del(`/v1/pesantren/${p.id}`), 404);
  expectProblem(assert, await api.patch(`/v1/pesantren/${p.id}`, { santri_count: 1 }), 404);
  const actions = psql(s.db, `SELECT string_agg(action, ',' ORDER BY seq) FROM audit_events WHERE entity_id = '${p.id}'`);
  assert.equal(actions.split(',').length, 2, actions);
});

test('a pesantren with an operator account cannot be deleted', async () => {
  const p = await create();
  await makeUser(s, admin, 'operator', { pesantren_id: p.id });
  expectProblem(assert, await api.del(`/v1/pesantren/${p.id}`), 409);
  assert.equal((await api.get(`/v1/pesantren/${p.id}`)).status, 200);
});

// ---- lists ----

test('filters: region_code, typology, active, and their combination', async () => {
  const t = tag();
  const a = await create({ name: `${t} Satu`, region_code: '35.26', typology: 'salafiyah' });
  const b = await create({ name: `${t} Dua`, region_code: '35.26', typology: 'terpadu', active: false });
  const c = await create({ name: `${t} Tiga`, region_code: '35.27', typology: 'salafiyah' });
  const ids = async (q) => (await pageAll(`/v1/pesantren?q=${t}&${q}`, 100)).map((x) => x.id).sort();
  assert.deepEqual(await ids('region_code=35.26'), [a.id, b.id].sort());
  assert.deepEqual(await ids('typology=salafiyah'), [a.id, c.id].sort());
  assert.deepEqual(await ids('active=false'), [b.id]);
  assert.deepEqual(await ids('active=true'), [a.id, c.id].sort());
  assert.deepEqual(await ids('region_code=35.26&typology=salafiyah&active=true'), [a.id]);
  assert.deepEqual(await ids('region_code=35.01'), []);
  const total = await api.get(`/v1/pesantren?q=${t}&include_total=true&limit=1`);
  assert.equal(total.json.total, 3);
  assert.equal(total.json.items.length, 1);
  const noTotal = await api.get(`/v1/pesantren?q=${t}&include_total=false`);
  assert.equal('total' in noTotal.json, false);
});

test('q matches name case-insensitively and NSPP, literally', async () => {
  const t = tag();
  const a = await create({ name: `Pondok ${t} 100% Mandiri` });
  const b = await create({ name: `Pondok ${t} Santri_Tani` });
  const c = await create({ name: `Pondok ${t} Santri Tani` });
  const ids = async (q) => (await pageAll(`/v1/pesantren?q=${encodeURIComponent(q)}`, 100)).map((x) => x.id).sort();
  assert.deepEqual(await ids(t.toLowerCase()), [a.id, b.id, c.id].sort());
  assert.deepEqual(await ids(t.toUpperCase()), [a.id, b.id, c.id].sort());
  assert.deepEqual(await ids(`${t} 100%`), [a.id]);
  assert.deepEqual(await ids(`${t} Santri_`), [b.id]);
  assert.deepEqual(await ids('%'), [a.id]);
  assert.deepEqual(await ids(`${t}%Mandiri`), []);
  assert.deepEqual(await ids(`${t} Santri_Tani`), [b.id]);
  assert.deepEqual(await ids(`${t}\\`), []);
  assert.deepEqual(await ids(a.nspp), [a.id]);
  assert.deepEqual(await ids(a.nspp.slice(4, 10)).then((x) => x.includes(a.id)), true);
});

test('sort by name, created_at and santri_count, both ways, with a stable tie-break', async () => {
  const t = tag();
  const made = [];
  for (const [n, count] of [['Delta', 5], ['alpha', null], ['Charlie', 5], ['Bravo', 0], ['Echo', 100000], ['Bravo', 7]]) {
    made.push(await create({ name: `${t} ${n}`, santri_count: count }));
  }
  const listed = async (sort) => (await pageAll(`/v1/pesantren?q=${t}&sort=${sort}`, 2)).map((x) => x.id);
  const nameAsc = await listed('name');
  assert.equal(nameAsc.length, 6);
  // Names compare in the database's collation; check monotonic order by reading back.
  const names = nameAsc.map((id) => made.find((p) => p.id === id).name);
  const namesDesc = (await listed('-name')).map((id) => made.find((p) => p.id === id).name);
  assert.deepEqual(namesDesc, [...names].reverse());
  const twins = nameAsc.filter((id) => made.find((p) => p.id === id).name === `${t} Bravo`);
  assert.deepEqual(twins, made.filter((p) => p.name === `${t} Bravo`).map((p) => p.id));
  const counts = (await listed('santri_count')).map((id) => made.find((p) => p.id === id).santri_count);
  assert.deepEqual(counts, [null, 0, 5, 5, 7, 100000]);
  const countsDesc = (await listed('-santri_count')).map((id) => made.find((p) => p.id === id).santri_count);
  assert.deepEqual(countsDesc, [100000, 7, 5, 5, 0, null]);
  assert.deepEqual(await listed('created_at'), made.map((p) => p.id));
  assert.deepEqual(await listed('-created_at'), made.map((p) => p.id).reverse());
  assert.deepEqual(await listed('santri_count').then((x) => x.slice(2, 4)), [made[0].id, made[2].id]);
  // The default order is the order of creation.
  assert.deepEqual((await pageAll(`/v1/pesantren?q=${t}`, 4)).map((x) => x.id), made.map((p) => p.id));
});

test('a cursor belongs to its sort', async () => {
  const t = tag();
  for (let i = 0; i < 3; i++) await create({ name: `${t} ${i}` });
  const first = await api.get(`/v1/pesantren?q=${t}&sort=name&limit=1`);
  assert.ok(first.json.next_cursor);
  expectProblem(assert, await api.get(`/v1/pesantren?q=${t}&sort=-name&limit=1&cursor=${first.json.next_cursor}`), 400, 'cursor');
  expectProblem(assert, await api.get(`/v1/pesantren?q=${t}&limit=1&cursor=${first.json.next_cursor}`), 400, 'cursor');
  const next = await api.get(`/v1/pesantren?q=${t}&sort=name&limit=1&cursor=${first.json.next_cursor}`);
  assert.equal(next.status, 200);
});

for (const sort of ['', 'name', '-name', 'created_at', '-created_at', 'santri_count', '-santri_count']) {
  test(`paging ${sort || 'by default'} returns every row once while rows are added`, async () => {
    const t = tag();
    const existing = [];
    const letters = 'MGTBWKDQZAPH';
    for (let i = 0; i < 12; i++) {
      existing.push(await create({ name: `${t} ${letters[i]} ${i}`, santri_count: (i * 37) % 11 }));
    }
    let added = 0;
    const seen = await pageAll(`/v1/pesantren?q=${t}${sort ? `&sort=${sort}` : ''}`, 4, async (page) => {
      // New rows that sort before, between and after what was already read.
      for (const name of [`${t} A new ${page}`, `${t} N new ${page}`, `${t} Z new ${page}`]) {
        await create({ name, santri_count: (page * 5 + added) % 13 });
        added++;
      }
    });
    const ids = seen.map((x) => x.id);
    assert.equal(new Set(ids).size, ids.length, 'a row came twice');
    for (const p of existing) assert.ok(ids.includes(p.id), `missing ${p.name}`);
    assert.ok(added >= 6);
  });
}

test('paging with concurrent writers never repeats or skips an existing row', async () => {
  const t = tag();
  const existing = [];
  for (let i = 0; i < 25; i++) existing.push(await create({ name: `${t} ${String(i).padStart(2, '0')}` }));
  let stop = false;
  const writer = (async () => {
    let i = 0;
    while (!stop) {
      await api.post('/v1/pesantren', base({ name: `${t} ${String(i++ % 30).padStart(2, '0')} x` }));
    }
  })();
  try {
    for (const sort of ['name', '-name', '']) {
      const seen = await pageAll(`/v1/pesantren?q=${t}${sort ? `&sort=${sort}` : ''}`, 5);
      const ids = seen.map((x) => x.id);
      assert.equal(new Set(ids).size, ids.length);
      for (const p of existing) assert.ok(ids.includes(p.id));
    }
  } finally {
    stop = true;
    await writer;
  }
});

test('list parameters are checked', async () => {
  expectProblem(assert, await api.get('/v1/pesantren?limit=0'), 400, 'limit');
  expectProblem(assert, await api.get('/v1/pesantren?limit=101'), 400, 'limit');
  expectProblem(assert, await api.get('/v1/pesantren?sort=-'), 400, 'sort');
  expectProblem(assert, await api.get('/v1/pesantren?sort=--name'), 400, 'sort');
  expectProblem(assert, await api.get('/v1/pesantren?sort=nspp'), 400, 'sort');
  expectProblem(assert, await api.get('/v1/pesantren?typology=pesantren'), 400, 'typology');
  expectProblem(assert, await api.get('/v1/pesantren?active=TRUE'), 400, 'active');
  expectProblem(assert, await api.get('/v1/pesantren?cohort_year=20x4'), 400, 'cohort_year');
  expectProblem(assert, await api.get('/v1/pesantren?nspp=123'), 400, 'nspp');
  for (const code of ['35.99', '35.30', 'Surabaya', '', '35.7']) {
    expectProblem(assert, await api.get(`/v1/pesantren?region_code=${code}`), 400, 'region_code');
  }
  const r = await api.get('/v1/pesantren?limit=100');
  assert.ok(r.json.items.length <= 100);
  const d = await api.get('/v1/pesantren');
  assert.ok(d.json.items.length <= 20);
});

// ---- audit ----

test('create, update and delete leave audit rows naming the actor and the change', async () => {
  const me = (await api.get('/v1/me')).json;
  const p = await create({ santri_count: 1 });
  await api.patch(`/v1/pesantren/${p.id}`, { santri_count: 2 });
  const row = psql(s.db, `SELECT json_build_object('actor', actor_id, 'kind', actor_kind, 'before', before, 'after', after)
    FROM audit_events WHERE entity = 'pesantren' AND entity_id = '${p.id}' AND action = 'update'`);
  const audit = JSON.parse(row);
  assert.equal(audit.actor, me.id);
  assert.equal(audit.kind, 'user');
  assert.equal(audit.before.santri_count, 1);
  assert.equal(audit.after.santri_count, 2);
  await api.del(`/v1/pesantren/${p.id}`);
  const actions = psql(s.db, `SELECT string_agg(action, ',' ORDER BY seq) FROM audit_events WHERE entity_id = '${p.id}'`);
  assert.equal(actions.split(',').length, 3, actions);
  const rejected = await api.post('/v1/pesantren', base({ nspp: 'x' }));
  assert.equal(rejected.status, 422);
});
