// The audit trail: every kind of write leaves its row (actor, time, request id,
// entity, id, changed fields) in the same transaction; admins read it with
// filters; secrets never reach it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startServer, makeUser, makePesantren, expectProblem, psql, nspp } from './lib/harness.mjs';

let s, admin, adminId, roles, home;
before(async () => {
  s = await startServer();
  admin = await s.login();
  adminId = (await s.api(admin).get('/v1/me')).json.id;
  home = await makePesantren(s, admin, { region_code: '35.78' });
  roles = {
    mentor: await makeUser(s, admin, 'mentor', { region_codes: ['35.78'] }),
    operator: await makeUser(s, admin, 'operator', { pesantren_id: home.id }),
    viewer: await makeUser(s, admin, 'viewer'),
  };
});
after(async () => s && s.stop());

const rid = (what) => `audit-${what}-${randomBytes(4).toString('hex')}`;
const withRid = (id) => ({ 'X-Request-Id': id });

/** Every audit event matching query (a query string without limit/cursor), newest first. */
async function events(query = '') {
  const all = [];
  let cursor = null;
  for (let page = 0; page < 1000; page++) {
    const q = `/v1/audit-events?limit=100${query ? '&' + query : ''}${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`;
    const r = await s.api(admin).get(q);
    assert.equal(r.status, 200, r.text);
    all.push(...r.json.items);
    cursor = r.json.next_cursor;
    if (!cursor) return all;
  }
  throw new Error('too many pages');
}

/** The one event recorded under request id requestId. */
async function eventOf(requestId, entity) {
  const found = (await events(entity ? `entity=${entity}` : '')).filter((e) => e.request_id === requestId);
  assert.equal(found.length, 1, `one event for ${requestId}: ${JSON.stringify(found)}`);
  return found[0];
}

test('an event has the documented shape', async () => {
  const r = await s.api(admin).get('/v1/audit-events?limit=1');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 1);
  assert.deepEqual(Object.keys(r.json.items[0]).sort(),
    ['action', 'actor_id', 'actor_kind', 'after', 'at', 'before', 'entity', 'entity_id', 'id', 'request_id']);
  assert.match(r.json.items[0].at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok('next_cursor' in r.json);
});

test('create, update and delete of a pesantren each leave a row with actor, request id and changed fields', async () => {
  const c = rid('create');
  const created = await s.api(admin).post('/v1/pesantren', { nspp: nspp(), name: 'Pondok Audit', region_code: '35.09' }, withRid(c));
  assert.equal(created.status, 201, created.text);
  assert.equal(created.headers.get('x-request-id'), c);
  const id = created.json.id;
  const ev = await eventOf(c);
  assert.equal(ev.entity, 'pesantren');
  assert.equal(ev.entity_id, id);
  assert.equal(ev.action, 'create');
  assert.equal(ev.actor_id, adminId);
  assert.equal(ev.actor_kind, 'user');
  assert.equal(ev.before, null);
  assert.equal(ev.after.name, 'Pondok Audit');
  assert.equal(ev.after.nspp, created.json.nspp);

  const u = rid('update');
  const patched = await s.api(admin).patch(`/v1/pesantren/${id}`, { name: 'Pondok Audit Baru', santri_count: 120, region_code: '35.09' },
    { ...withRid(u), 'Content-Type': 'application/merge-patch+json' });
  assert.equal(patched.status, 200, patched.text);
  const up = await eventOf(u);
  assert.equal(up.action, 'update');
  assert.equal(up.entity_id, id);
  assert.equal(up.actor_id, adminId);
  // Only what changed: region_code was sent unchanged, version/updated_at are bookkeeping.
  assert.deepEqual(up.before, { name: 'Pondok Audit', santri_count: null });
  assert.deepEqual(up.after, { name: 'Pondok Audit Baru', santri_count: 120 });

  const d = rid('delete');
  const deleted = await s.api(admin).del(`/v1/pesantren/${id}`, withRid(d));
  assert.equal(deleted.status, 204, deleted.text);
  const del = await eventOf(d);
  assert.equal(del.action, 'delete');
  assert.equal(del.entity_id, id);
  assert.equal(del.after, null);
  assert.equal(del.before.name, 'Pondok Audit Baru');
  assert.equal(del.before.santri_count, 120);
});

test('a change that changes nothing leaves no row; a refused write leaves none either', async () => {
  const p = await makePesantren(s, admin);
  const same = rid('noop');
  const r = await s.api(admin).patch(`/v1/pesantren/${p.id}`, { name: p.name }, withRid(same));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, p.version);
  const dup = rid('dup');
  const d = await s.api(admin).post('/v1/pesantren', { nspp: p.nspp, name: 'Duplikat', region_code: '35.01' }, withRid(dup));
  expectProblem(assert, d, 409);
  const forbidden = rid('forbidden');
  const f = await s.api(roles.operator.token).patch(`/v1/pesantren/${p.id}`, { name: 'Bukan Milikku' }, withRid(forbidden));
  expectProblem(assert, f, 403);
  const all = await events();
  for (const id of [same, dup, forbidden]) assert.equal(all.filter((e) => e.request_id === id).length, 0, id);
});

test('the operator is recorded as the actor of its own edits', async () => {
  const u = rid('operator');
  const r = await s.api(roles.operator.token).patch(`/v1/pesantren/${home.id}`, { leader_name: 'KH. Audit' }, withRid(u));
  assert.equal(r.status, 200, r.text);
  const ev = await eventOf(u);
  assert.equal(ev.actor_id, roles.operator.id);
  assert.equal(ev.actor_kind, 'user');
  assert.deepEqual(ev.after, { leader_name: 'KH. Audit' });
});

test('a workflow step (programme status) records the status before and after', async () => {
  const prog = await s.api(admin).post('/v1/programs', { pillar: 'santripreneur', name: 'Program Audit', year: 2024 });
  assert.equal(prog.status, 201, prog.text);
  const u = rid('activate');
  const r = await s.api(admin).patch(`/v1/programs/${prog.json.id}`, { status: 'active' }, withRid(u));
  assert.equal(r.status, 200, r.text);
  const ev = await eventOf(u);
  assert.equal(ev.entity, 'program');
  assert.deepEqual(ev.before, { status: 'planned' });
  assert.deepEqual(ev.after, { status: 'active' });
});

test('measurement workflow steps (submit, verify) are audited with their actors', async () => {
  const m = await s.api(roles.operator.token).post('/v1/measurements',
    { indicator_code: 'OMZET', pesantren_id: home.id, period: '2024-04', value: 15000000 });
  assert.equal(m.status, 201, m.text);
  const sub = rid('submit');
  const r1 = await s.api(roles.operator.token).post(`/v1/measurements/${m.json.id}/submit`, undefined, withRid(sub));
  assert.equal(r1.status, 200, r1.text);
  const ver = rid('verify');
  const r2 = await s.api(roles.mentor.token).post(`/v1/measurements/${m.json.id}/verify`, undefined, withRid(ver));
  assert.equal(r2.status, 200, r2.text);
  const e1 = await eventOf(sub, 'measurement');
  assert.equal(e1.entity_id, m.json.id);
  assert.equal(e1.actor_id, roles.operator.id);
  assert.equal(e1.before.status, 'draft');
  assert.equal(e1.after.status, 'submitted');
  const e2 = await eventOf(ver, 'measurement');
  assert.equal(e2.actor_id, roles.mentor.id);
  assert.equal(e2.before.status, 'submitted');
  assert.equal(e2.after.status, 'verified');
  assert.ok(!('value' in e2.after), 'value did not change');

  // A verified value changed by an admin is audited with the old and new value.
  const fix = rid('correct');
  const r3 = await s.api(admin).patch(`/v1/measurements/${m.json.id}`, { value: 16000000 },
    { ...withRid(fix), 'If-Match': r2.headers.get('etag') });
  assert.equal(r3.status, 200, r3.text);
  const e3 = await eventOf(fix, 'measurement');
  assert.equal(e3.actor_id, adminId);
  assert.equal(Number(e3.before.value), 15000000);
  assert.equal(Number(e3.after.value), 16000000);
});

test('a rejection records the reason and the mentor', async () => {
  const m = await s.api(roles.operator.token).post('/v1/measurements',
    { indicator_code: 'SANTRI_TRAINED', pesantren_id: home.id, period: '2024-Q1', value: 40 });
  assert.equal(m.status, 201, m.text);
  assert.equal((await s.api(roles.operator.token).post(`/v1/measurements/${m.json.id}/submit`)).status, 200);
  const rej = rid('reject');
  const r = await s.api(roles.mentor.token).post(`/v1/measurements/${m.json.id}/reject`, { reason: 'Bukti belum lengkap' }, withRid(rej));
  assert.equal(r.status, 200, r.text);
  const ev = await eventOf(rej, 'measurement');
  assert.equal(ev.actor_id, roles.mentor.id);
  assert.equal(ev.before.status, 'submitted');
  assert.equal(ev.after.status, 'rejected');
  assert.equal(ev.after.rejection_reason, 'Bukti belum lengkap');
});

test('API key creation and revocation are audited; a key acts as its own actor', async () => {
  const c = rid('key');
  const k = await s.api(admin).post('/v1/api-keys', { name: 'Sistem OPD Audit', role: 'admin' }, withRid(c));
  assert.equal(k.status, 201, k.text);
  const created = await eventOf(c);
  assert.equal(created.entity, 'api_key');
  assert.equal(created.entity_id, k.json.id);
  assert.equal(created.action, 'create');
  assert.equal(created.after.name, 'Sistem OPD Audit');
  assert.equal(created.after.key_hash, '[redacted]');

  const w = rid('bykey');
  const p = await s.api(k.json.key).post('/v1/pesantren', { nspp: nspp(), name: 'Pondok Lewat Kunci', region_code: '35.10' }, withRid(w));
  assert.equal(p.status, 201, p.text);
  const byKey = await eventOf(w);
  assert.equal(byKey.actor_id, k.json.id);
  assert.equal(byKey.actor_kind, 'api_key');

  const d = rid('revoke');
  const del = await s.api(admin).del(`/v1/api-keys/${k.json.id}`, withRid(d));
  assert.equal(del.status, 204, del.text);
  const revoked = await eventOf(d);
  assert.equal(revoked.entity_id, k.json.id);
  assert.equal(revoked.action, 'update');
  assert.equal(revoked.before.revoked_at, null);
  assert.ok(revoked.after.revoked_at);
});

test('sign-in, sign-out and failed sign-ins are audited', async () => {
  const v = roles.viewer;
  const bad = rid('badlogin');
  const r = await s.api().post('/v1/auth/login', { email: v.email, password: 'wrong-password' }, withRid(bad));
  expectProblem(assert, r, 401);
  const failed = await eventOf(bad);
  assert.equal(failed.action, 'login_failed');
  assert.equal(failed.entity, 'user');
  assert.equal(failed.entity_id, v.id);

  const unknown = rid('unknown');
  const r2 = await s.api().post('/v1/auth/login', { email: 'nobody-' + randomBytes(3).toString('hex') + '@example.org', password: 'x' }, withRid(unknown));
  expectProblem(assert, r2, 401);
  const nobody = await eventOf(unknown);
  assert.equal(nobody.action, 'login_failed');
  assert.equal(nobody.entity_id, null);

  const good = rid('login');
  const ok = await s.api().post('/v1/auth/login', { email: v.email, password: v.password }, withRid(good));
  assert.equal(ok.status, 200, ok.text);
  const login = await eventOf(good);
  assert.equal(login.action, 'login');
  assert.equal(login.actor_id, v.id);

  const out = rid('logout');
  const lo = await s.api(ok.json.token).post('/v1/auth/logout', undefined, withRid(out));
  assert.equal(lo.status, 204, lo.text);
  const logout = await eventOf(out);
  assert.equal(logout.action, 'logout');
  assert.equal(logout.actor_id, v.id);
});

test('user writes are audited without the password or its hash', async () => {
  const password = 'Very-secret-' + randomBytes(6).toString('hex');
  const c = rid('user');
  const u = await s.api(admin).post('/v1/users',
    { email: `audit-${randomBytes(3).toString('hex')}@example.org`, name: 'Pengguna Audit', role: 'viewer', password }, withRid(c));
  assert.equal(u.status, 201, u.text);
  const created = await eventOf(c);
  assert.equal(created.entity, 'user');
  assert.equal(created.after.password_hash, '[redacted]');
  const newPassword = 'Other-secret-' + randomBytes(6).toString('hex');
  const p = rid('password');
  const r = await s.api(admin).patch(`/v1/users/${u.json.id}`, { password: newPassword }, withRid(p));
  assert.equal(r.status, 200, r.text);
  const changed = await eventOf(p);
  // The change shows, the values never do.
  assert.deepEqual(changed.before, { password_hash: '[redacted]' });
  assert.deepEqual(changed.after, { password_hash: '[redacted]' });
  const text = JSON.stringify(await events(`entity_id=${u.json.id}`));
  assert.ok(!text.includes(password) && !text.includes(newPassword));
  assert.ok(!text.includes('$argon2'));
});

test('no secret is stored in audit rows: passwords, hashes, API keys and tokens', async () => {
  const user = await makeUser(s, admin, 'viewer');
  const k = await s.api(admin).post('/v1/api-keys', { name: 'Kunci Rahasia', role: 'viewer' });
  assert.equal(k.status, 201, k.text);
  await s.api(k.json.key).get('/v1/me');
  await s.api().post('/v1/auth/login', { email: user.email, password: user.password + 'x' });
  const sha = (t) => createHash('sha256').update(t).digest('hex');
  const secrets = [
    user.password, k.json.key, sha(k.json.key), admin, sha(admin), user.token, sha(user.token),
    ...psql(s.db, 'SELECT password_hash FROM users').split('\n'),
  ];
  // Straight from the table, every column of every row...
  const stored = psql(s.db, 'SELECT coalesce(string_agg(to_jsonb(a)::text, E\'\\n\'), \'\') FROM audit_events a');
  assert.ok(stored.length > 0);
  assert.ok(!stored.includes('$argon2'), 'no password hash in audit_events');
  for (const secret of secrets) assert.ok(!stored.includes(secret), 'secret found in audit_events');
  // ...and through the endpoint.
  const served = JSON.stringify(await events());
  for (const secret of secrets) assert.ok(!served.includes(secret), 'secret served by /v1/audit-events');
});

test('filters: entity, entity_id, actor_id', async () => {
  const p = await makePesantren(s, admin);
  await s.api(roles.operator.token).patch(`/v1/pesantren/${home.id}`, { village: 'Desa ' + randomBytes(2).toString('hex') });
  await s.api(admin).patch(`/v1/pesantren/${p.id}`, { santri_count: 7 });
  const byId = await events(`entity_id=${p.id}`);
  assert.deepEqual(byId.map((e) => e.action), ['update', 'create']);
  assert.ok(byId.every((e) => e.entity_id === p.id));
  const byEntity = await events('entity=pesantren');
  assert.ok(byEntity.length >= 3 && byEntity.every((e) => e.entity === 'pesantren'));
  const byActor = await events(`actor_id=${roles.operator.id}`);
  assert.ok(byActor.length >= 1 && byActor.every((e) => e.actor_id === roles.operator.id));
  const combined = await events(`entity=user&entity_id=${p.id}`);
  assert.equal(combined.length, 0);
  assert.equal((await events(`entity=nothing_like_this`)).length, 0);
});

test('filters: from and to are inclusive to the second of the shown time', async () => {
  const p = await makePesantren(s, admin);
  const [ev] = await events(`entity_id=${p.id}`);
  const at = ev.at;
  const shift = (sec) => new Date(Date.parse(at) + sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ids = async (q) => (await events(`entity_id=${p.id}&${q}`)).map((e) => e.id);
  assert.deepEqual(await ids(`from=${at}&to=${at}`), [ev.id]);
  assert.deepEqual(await ids(`from=${shift(1)}`), []);
  assert.deepEqual(await ids(`to=${shift(-1)}`), []);
  assert.deepEqual(await ids(`from=${shift(-60)}&to=${shift(60)}`), [ev.id]);
  // The same instant in another zone, with the '+' escaped and unescaped.
  const local = new Date(Date.parse(at) + 7 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  assert.deepEqual(await ids(`from=${encodeURIComponent(local + '+07:00')}&to=${local}+07:00`), [ev.id]);
  assert.deepEqual(await ids(`from=${at.replace('Z', '.000Z')}`), [ev.id]);
});

test('malformed filters are 400 on the parameter', async () => {
  const cases = [
    ['from=yesterday', 'from'], ['from=2024-13-01T00:00:00Z', 'from'], ['to=2024-02-30T00:00:00Z', 'to'],
    ['from=2024-04-25', 'from'], ['from=2024-04-25T09:00:00', 'from'], ['to=2024-04-25T25:00:00Z', 'to'],
    ['from=2024-04-25T09:00:00Z&to=2024-04-25T08:59:59Z', 'to'], ['entity_id=42', 'entity_id'],
    ['actor_id=not-a-uuid', 'actor_id'], ['entity=Pesantren;', 'entity'], ['limit=0', 'limit'], ['limit=101', 'limit'],
    ['cursor=%%%', 'cursor'], ['sort=name', 'sort'], ['colour=blue', 'colour'],
  ];
  for (const [q, field] of cases) expectProblem(assert, await s.api(admin).get('/v1/audit-events?' + q), 400, field);
});

test('paging is newest first by default, oldest first with sort=at, every event once', async () => {
  const p = await makePesantren(s, admin);
  for (let i = 0; i < 4; i++) await s.api(admin).patch(`/v1/pesantren/${p.id}`, { santri_count: i + 1 });
  const seen = [];
  let cursor = null;
  do {
    const r = await s.api(admin).get(`/v1/audit-events?entity_id=${p.id}&limit=2&include_total=true${cursor ? '&cursor=' + cursor : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, 5);
    assert.ok(r.json.items.length <= 2);
    seen.push(...r.json.items);
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.equal(new Set(seen.map((e) => e.id)).size, 5);
  assert.deepEqual(seen.map((e) => e.action), ['update', 'update', 'update', 'update', 'create']);
  assert.deepEqual(seen.slice(0, 4).map((e) => e.after.santri_count), [4, 3, 2, 1]);
  const oldest = await events(`entity_id=${p.id}&sort=at`);
  assert.deepEqual(oldest.map((e) => e.id), seen.map((e) => e.id).reverse());
  // A cursor belongs to its order.
  const first = await s.api(admin).get(`/v1/audit-events?entity_id=${p.id}&limit=2`);
  expectProblem(assert, await s.api(admin).get(`/v1/audit-events?entity_id=${p.id}&sort=at&cursor=${first.json.next_cursor}`), 400, 'cursor');
});

test('only admins read the audit trail', async () => {
  for (const role of ['mentor', 'operator', 'viewer']) {
    expectProblem(assert, await s.api(roles[role].token).get('/v1/audit-events'), 403);
  }
  expectProblem(assert, await s.api().get('/v1/audit-events'), 401);
  const k = await s.api(admin).post('/v1/api-keys', { name: 'Kunci Pembaca', role: 'viewer' });
  expectProblem(assert, await s.api(k.json.key).get('/v1/audit-events'), 403);
});

test('every write to a tracked table has its audit row in the same transaction', async () => {
  // Whatever was written so far, through any path, left exactly one audit row per change-feed row.
  const missing = psql(s.db, `SELECT count(*) FROM changes c WHERE NOT EXISTS (
    SELECT 1 FROM audit_events a WHERE a.entity = c.entity AND a.entity_id = c.entity_id
       AND a.action = CASE c.action WHEN 'created' THEN 'create' WHEN 'updated' THEN 'update' ELSE 'delete' END)`);
  assert.equal(missing, '0');
  // A transaction that rolls back takes its audit row with it.
  const before = psql(s.db, 'SELECT count(*) FROM audit_events');
  psql(s.db, `BEGIN; UPDATE pesantren SET santri_count = 99 WHERE id = '${home.id}'; ROLLBACK;`);
  assert.equal(psql(s.db, 'SELECT count(*) FROM audit_events'), before);
});
