// Users (admin only): fields, roles and their scope, password handling, and
// who may touch the list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeUser, makePesantren, expectProblem, psql } from './lib/harness.mjs';

let s, admin, api, pesantren;

before(async () => {
  s = await startServer();
  admin = await s.login();
  api = s.api(admin);
  pesantren = await makePesantren(s, admin);
});
after(async () => s && s.stop());

const email = (tag = 'u') => `${tag}-${crypto.randomUUID().slice(0, 8)}@example.org`;
const body = (extra = {}) => ({ email: email(), name: 'Siti Aminah', role: 'viewer', password: 'Rahasia-123', ...extra });
const noSecret = (r) => assert.doesNotMatch(r.text, /password|argon2|Rahasia/i, r.text);

test('an admin creates a user: 201, Location, ETag, and no password in the answer', async () => {
  const b = body({ role: 'mentor', region_codes: ['35.78', '35.15'] });
  const r = await api.post('/v1/users', b);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), `/v1/users/${r.json.id}`);
  assert.equal(r.headers.get('etag'), '"1"');
  noSecret(r);
  for (const k of ['id', 'email', 'name', 'role', 'pesantren_id', 'region_codes', 'active', 'version', 'created_at', 'updated_at']) {
    assert.ok(k in r.json, k);
  }
  assert.equal(r.json.email, b.email);
  assert.equal(r.json.active, true);
  assert.equal(r.json.pesantren_id, null);
  assert.deepEqual(r.json.region_codes, ['35.78', '35.15']);
  assert.match(r.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const g = await api.get(`/v1/users/${r.json.id}`);
  assert.equal(g.status, 200);
  assert.deepEqual(g.json, r.json);
  noSecret(g);
});

test('the user list pages through every user and never shows a password', async () => {
  for (let i = 0; i < 5; i++) await api.post('/v1/users', body());
  const seen = new Set();
  let cursor = null;
  let pages = 0;
  do {
    const r = await api.get('/v1/users?limit=2' + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
    assert.equal(r.status, 200, r.text);
    noSecret(r);
    for (const u of r.json.items) {
      assert.ok(!seen.has(u.id), 'seen twice');
      seen.add(u.id);
    }
    cursor = r.json.next_cursor;
    pages++;
  } while (cursor && pages < 100);
  assert.equal(seen.size, Number(psql(s.db, 'SELECT count(*) FROM users')));
  const t = await api.get('/v1/users?include_total=true&limit=1');
  assert.equal(t.json.total, seen.size);
});

test('the user list filters by role, active and q', async () => {
  const tag = 'cari' + crypto.randomUUID().slice(0, 6);
  const m = await api.post('/v1/users', body({ email: email(tag), role: 'mentor' }));
  const v = await api.post('/v1/users', body({ email: email(tag), role: 'viewer', active: false }));
  const byQ = await api.get(`/v1/users?q=${tag.toUpperCase()}`);
  assert.deepEqual(byQ.json.items.map((u) => u.id).sort(), [m.json.id, v.json.id].sort());
  const mentors = await api.get(`/v1/users?q=${tag}&role=mentor`);
  assert.deepEqual(mentors.json.items.map((u) => u.id), [m.json.id]);
  const inactive = await api.get(`/v1/users?q=${tag}&active=false`);
  assert.deepEqual(inactive.json.items.map((u) => u.id), [v.json.id]);
  expectProblem(assert, await api.get('/v1/users?role=superuser'), 400, 'role');
  expectProblem(assert, await api.get('/v1/users?active=maybe'), 400, 'active');
  expectProblem(assert, await api.get('/v1/users?sort=email'), 400, 'sort');
  // q is literal: % and _ match only themselves.
  assert.deepEqual((await api.get('/v1/users?q=%25')).json.items, []);
  assert.deepEqual((await api.get('/v1/users?q=_')).json.items, []);
});

test('every bad field is reported at once', async () => {
  const r = await api.post('/v1/users', {
    email: 'not-an-email', name: '', role: 'superuser', password: 'Xyzzy12', region_codes: ['99.99'], active: 'yes', extra: 1,
  });
  expectProblem(assert, r, 422);
  const fields = r.json.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['active', 'email', 'extra', 'name', 'password', 'region_codes', 'role']);
  assert.ok(!r.text.includes('Xyzzy12'), 'the password is echoed');
});

test('required fields on create', async () => {
  const r = await api.post('/v1/users', {});
  expectProblem(assert, r, 422);
  assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['email', 'name', 'password', 'role']);
});

test('field rules: email, name, role, password, region codes', async () => {
  const bad = [
    [{ email: 'a@b' }, 'email'], [{ email: 'two@at@example.org' }, 'email'], [{ email: 'sp ace@example.org' }, 'email'],
    [{ email: 'x'.repeat(250) + '@example.org' }, 'email'], [{ email: null }, 'email'],
    [{ name: '   ' }, 'name'], [{ name: 'n'.repeat(201) }, 'name'], [{ name: 42 }, 'name'],
    [{ role: 'Admin' }, 'role'], [{ role: null }, 'role'],
    [{ password: '1234567' }, 'password'], [{ password: 'p'.repeat(1025) }, 'password'], [{ password: 12345678 }, 'password'],
    [{ role: 'mentor', region_codes: '35.78' }, 'region_codes'], [{ role: 'mentor', region_codes: ['35.78', '35.78'] }, 'region_codes'],
    [{ role: 'mentor', region_codes: ['35.30'] }, 'region_codes'], [{ role: 'mentor', region_codes: [35.78] }, 'region_codes'],
    [{ active: null }, 'active'], [{ pesantren_id: 'not-a-uuid', role: 'operator' }, 'pesantren_id'],
  ];
  for (const [extra, field] of bad) {
    const r = await api.post('/v1/users', body(extra));
    expectProblem(assert, r, 422, field);
  }
  const okName = await api.post('/v1/users', body({ name: 'é'.repeat(200) }));
  assert.equal(okName.status, 201, okName.text);
  const okPass = await api.post('/v1/users', body({ password: 'ééééééé' + 'é' }));
  assert.equal(okPass.status, 201, okPass.text);
});

test('an operator needs exactly one existing pesantren; others have none', async () => {
  expectProblem(assert, await api.post('/v1/users', body({ role: 'operator' })), 422, 'pesantren_id');
  expectProblem(assert, await api.post('/v1/users', body({ role: 'operator', pesantren_id: crypto.randomUUID() })),
    422, 'pesantren_id');
  expectProblem(assert, await api.post('/v1/users', body({ role: 'viewer', pesantren_id: pesantren.id })), 422, 'pesantren_id');
  const ok = await api.post('/v1/users', body({ role: 'operator', pesantren_id: pesantren.id }));
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.pesantren_id, pesantren.id);
});

test('a duplicate email is 409, whatever its case', async () => {
  const b = body();
  assert.equal((await api.post('/v1/users', b)).status, 201);
  expectProblem(assert, await api.post('/v1/users', { ...b, email: b.email.toUpperCase() }), 409);
  const other = await api.post('/v1/users', body());
  expectProblem(assert, await api.patch(`/v1/users/${other.json.id}`, { email: b.email }), 409);
});

test('the email is trimmed and stored as given', async () => {
  const e = email('Trim');
  const r = await api.post('/v1/users', body({ email: `  ${e}  ` }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.email, e);
  assert.equal((await s.api().post('/v1/auth/login', { email: e.toLowerCase(), password: 'Rahasia-123' })).status, 200);
});

test('PATCH changes fields, bumps the version, and never shows the password', async () => {
  const u = await api.post('/v1/users', body({ role: 'mentor', region_codes: ['35.01'] }));
  const r = await api.patch(`/v1/users/${u.json.id}`, { name: 'Siti A.', region_codes: ['35.02', '35.03'] },
    { 'If-Match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'Siti A.');
  assert.deepEqual(r.json.region_codes, ['35.02', '35.03']);
  assert.equal(r.json.version, 2);
  assert.equal(r.headers.get('etag'), '"2"');
  noSecret(r);
  expectProblem(assert, await api.patch(`/v1/users/${u.json.id}`, { name: 'Stale' }, { 'If-Match': '"1"' }), 412);
  const cleared = await api.patch(`/v1/users/${u.json.id}`, { region_codes: null });
  assert.equal(cleared.status, 200, cleared.text);
  assert.deepEqual(cleared.json.region_codes, []);
});

test('PATCH of a password: the old one stops working, the new one works', async () => {
  const u = await makeUser(s, admin, 'viewer');
  const r = await api.patch(`/v1/users/${u.id}`, { password: 'Brand-new-pass-1' });
  assert.equal(r.status, 200, r.text);
  noSecret(r);
  assert.equal(r.json.version, 2);
  expectProblem(assert, await s.api().post('/v1/auth/login', { email: u.email, password: u.password }), 401);
  assert.equal((await s.api().post('/v1/auth/login', { email: u.email, password: 'Brand-new-pass-1' })).status, 200);
  expectProblem(assert, await api.patch(`/v1/users/${u.id}`, { password: 'short' }), 422, 'password');
  expectProblem(assert, await api.patch(`/v1/users/${u.id}`, { password: null }), 422, 'password');
  const hash = psql(s.db, `SELECT password_hash FROM users WHERE id = '${u.id}'`);
  assert.match(hash, /^\$argon2id\$/);
});

test('PATCH keeps the role rules on the merged user', async () => {
  const op = await api.post('/v1/users', body({ role: 'operator', pesantren_id: pesantren.id }));
  expectProblem(assert, await api.patch(`/v1/users/${op.json.id}`, { role: 'viewer' }), 422, 'pesantren_id');
  expectProblem(assert, await api.patch(`/v1/users/${op.json.id}`, { pesantren_id: null }), 422, 'pesantren_id');
  const moved = await api.patch(`/v1/users/${op.json.id}`, { role: 'viewer', pesantren_id: null });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.pesantren_id, null);
  expectProblem(assert, await api.patch(`/v1/users/${op.json.id}`, { role: 'root' }), 422, 'role');
});

test('PATCH refuses unknown and read-only fields and bad bodies', async () => {
  const u = await api.post('/v1/users', body());
  for (const [patch, field] of [[{ id: crypto.randomUUID() }, 'id'], [{ version: 5 }, 'version'],
    [{ created_at: '2020-01-01T00:00:00Z' }, 'created_at'], [{ password_hash: 'x' }, 'password_hash'], [{ nik: '1' }, 'nik']]) {
    expectProblem(assert, await api.patch(`/v1/users/${u.json.id}`, patch), 422, field);
  }
  expectProblem(assert, await api.patch(`/v1/users/${u.json.id}`, '{'), 400);
  expectProblem(assert, await api.patch(`/v1/users/${u.json.id}`, '[]'), 422);
  expectProblem(assert, await api.patch(`/v1/users/${u.json.id}`, '{}', { 'Content-Type': 'text/plain' }), 415);
  expectProblem(assert, await api.patch(`/v1/users/${crypto.randomUUID()}`, { name: 'X' }), 404);
  expectProblem(assert, await api.patch('/v1/users/nope', { name: 'X' }), 404);
  assert.equal((await api.get(`/v1/users/${u.json.id}`)).json.version, 1);
});

test('GET of one user honours If-None-Match and answers 404 for unknown ids', async () => {
  const u = await api.post('/v1/users', body());
  assert.equal((await api.get(`/v1/users/${u.json.id}`, { 'If-None-Match': '"1"' })).status, 304);
  expectProblem(assert, await api.get(`/v1/users/${crypto.randomUUID()}`), 404);
  expectProblem(assert, await api.get('/v1/users/123'), 404);
});

test('mentors, operators and viewers cannot read or change users', async () => {
  const target = await api.post('/v1/users', body());
  const callers = [
    await makeUser(s, admin, 'mentor', { region_codes: ['35.78'] }),
    await makeUser(s, admin, 'operator', { pesantren_id: pesantren.id }),
    await makeUser(s, admin, 'viewer'),
  ];
  for (const c of callers) {
    const as = s.api(c.token);
    expectProblem(assert, await as.get('/v1/users'), 403);
    expectProblem(assert, await as.get(`/v1/users/${target.json.id}`), 403);
    expectProblem(assert, await as.post('/v1/users', body({ role: 'admin' })), 403);
    expectProblem(assert, await as.patch(`/v1/users/${target.json.id}`, { name: 'Hacked' }), 403);
    expectProblem(assert, await as.patch(`/v1/users/${c.id}`, { role: 'admin' }), 403);
  }
  const after1 = await api.get(`/v1/users/${target.json.id}`);
  assert.equal(after1.json.name, 'Siti Aminah');
  assert.equal(after1.json.version, 1);
  assert.equal(psql(s.db, `SELECT count(*) FROM users WHERE role = 'admin'`), '1');
});

test('creating a user is idempotent with an Idempotency-Key and still hides the password', async () => {
  const key = crypto.randomUUID();
  const b = body();
  const a = await api.post('/v1/users', b, { 'Idempotency-Key': key });
  const again = await api.post('/v1/users', b, { 'Idempotency-Key': key });
  assert.equal(a.status, 201);
  assert.equal(again.status, 201);
  assert.deepEqual(again.json, a.json);
  noSecret(again);
  assert.equal(psql(s.db, `SELECT count(*) FROM users WHERE email = '${b.email}'`), '1');
  const stored = psql(s.db, `SELECT coalesce(string_agg(body || request_hash, ''), '') FROM idempotency_keys`);
  assert.ok(!stored.includes('Rahasia-123'));
  expectProblem(assert, await api.post('/v1/users', { ...b, password: 'Another-pass-1' }, { 'Idempotency-Key': key }),
    422, 'Idempotency-Key');
});

test('writes to users are audited, with the password hash redacted', async () => {
  const u = await api.post('/v1/users', body());
  await api.patch(`/v1/users/${u.json.id}`, { password: 'Changed-pass-1', name: 'Nama Baru' });
  const rows = psql(s.db, `SELECT action || ':' || coalesce(actor_id::text, '') FROM audit_events
    WHERE entity = 'user' AND entity_id = '${u.json.id}' AND action IN ('create', 'update', 'insert') ORDER BY seq`).split('\n');
  assert.equal(rows.length, 2, rows.join(','));
  const adminId = (await api.get('/v1/me')).json.id;
  for (const row of rows) assert.ok(row.endsWith(':' + adminId), row);
  const text = psql(s.db, `SELECT string_agg(coalesce(before::text, '') || coalesce(after::text, ''), ' ')
    FROM audit_events WHERE entity_id = '${u.json.id}'`);
  assert.doesNotMatch(text, /\$argon2|Changed-pass|Rahasia/);
});
