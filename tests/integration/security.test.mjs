// Security: rights at object, property and function level, measurements a
// caller may read, headers, and the database rights of the running service.
// docs/security.md names these tests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  startServer, makeUser, makePesantren, expectProblem, psql, dbUrl, RUNTIME_ROLE,
  rawRequest,
} from './lib/harness.mjs';
import { loadRoutes } from '../contract/lib/routes.mjs';

let s, admin, own, other, far, operator, mentor, viewer, viewerKey, mentorKey;

before(async () => {
  s = await startServer();
  admin = await s.login();
  own = await makePesantren(s, admin, { region_code: '35.78' });
  other = await makePesantren(s, admin, { region_code: '35.78' });
  far = await makePesantren(s, admin, { region_code: '35.01' });
  operator = await makeUser(s, admin, 'operator', { pesantren_id: own.id });
  mentor = await makeUser(s, admin, 'mentor', { region_codes: ['35.78'] });
  viewer = await makeUser(s, admin, 'viewer');
  viewerKey = (await s.api(admin).post('/v1/api-keys', { name: 'OPD viewer', role: 'viewer' })).json.key;
  mentorKey = (await s.api(admin).post('/v1/api-keys', { name: 'OPD mentor', role: 'mentor' })).json.key;
});

after(async () => { await s?.stop(); });

async function measurement(pesantrenId, period, steps = []) {
  const r = await s.api(admin).post('/v1/measurements', {
    indicator_code: 'OMZET', pesantren_id: pesantrenId, period, value: 1250000,
  });
  assert.equal(r.status, 201, r.text);
  for (const step of steps) assert.equal((await s.api(admin).post(`/v1/measurements/${r.json.id}/${step}`)).status, 200);
  return r.json.id;
}

test('an operator sending nspp, name, region_code or active gets 403 naming them, and nothing changes', async () => {
  const api = s.api(operator.token);
  const r = await api.patch(`/v1/pesantren/${own.id}`, { region_code: '35.01', nspp: '510099999999', name: 'Moved',
    active: false, leader_name: 'KH. Baru' });
  expectProblem(assert, r, 403, 'region_code');
  for (const f of ['nspp', 'name', 'active']) assert.ok(r.json.errors.some((e) => e.field === f), r.text);
  const now = (await api.get(`/v1/pesantren/${own.id}`)).json;
  assert.equal(now.region_code, '35.78');
  assert.equal(now.version, own.version);
  assert.equal(now.leader_name ?? null, null);
  const ok = await api.patch(`/v1/pesantren/${own.id}`, { leader_name: 'KH. Baru', santri_count: 120,
    typology: 'terpadu', latitude: -7.25, longitude: 112.75 });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.leader_name, 'KH. Baru');
  const adm = await s.api(admin).patch(`/v1/pesantren/${own.id}`, { name: 'Pondok Pesantren Nama Baru' });
  assert.equal(adm.status, 200, adm.text);
});

test('object level: an operator on another pesantren, its products and measurements gets 403 and nothing changes', async () => {
  const api = s.api(operator.token);
  expectProblem(assert, await api.patch(`/v1/pesantren/${other.id}`, { leader_name: 'X' }), 403);
  expectProblem(assert, await api.post(`/v1/pesantren/${other.id}/products`, { name: 'Kopi', category: 'beverage' }), 403);
  const product = await s.api(admin).post(`/v1/pesantren/${other.id}/products`, { name: 'Sabun', category: 'other' });
  assert.equal(product.status, 201, product.text);
  expectProblem(assert, await api.patch(`/v1/products/${product.json.id}`, { name: 'Diambil' }), 403);
  expectProblem(assert, await api.del(`/v1/products/${product.json.id}`), 403);
  const m = await measurement(other.id, '2024-01');
  expectProblem(assert, await api.patch(`/v1/measurements/${m}`, { value: 1 }), 403);
  expectProblem(assert, await api.post(`/v1/measurements/${m}/submit`), 403);
  expectProblem(assert, await api.post('/v1/measurements', { indicator_code: 'OMZET', pesantren_id: other.id,
    period: '2024-02', value: 5 }), 403);
  assert.equal((await s.api(admin).get(`/v1/products/${product.json.id}`)).json.name, 'Sabun');
  const still = (await s.api(admin).get(`/v1/measurements/${m}`)).json;
  assert.equal(still.status, 'draft');
  assert.equal(still.version, 1);
});

test('a mentor records visits only at pesantren in its regions', async () => {
  const visit = { visited_on: '2024-03-01', aspects: ['sdm'], notes: 'Pendampingan' };
  expectProblem(assert, await s.api(mentor.token).post(`/v1/pesantren/${far.id}/visits`, visit), 403);
  assert.equal((await s.api(mentor.token).post(`/v1/pesantren/${own.id}/visits`, visit)).status, 201);
  assert.equal((await s.api(admin).post(`/v1/pesantren/${far.id}/visits`, visit)).status, 201);
  assert.equal(psql(s.db, `SELECT count(*) FROM visits WHERE pesantren_id = '${far.id}'`), '1');
});

test('measurements not verified are read only by admins, their operator and mentors of their region', async () => {
  const draftOwn = await measurement(own.id, '2023-05');
  const submittedFar = await measurement(far.id, '2023-05', ['submit']);
  const verifiedFar = await measurement(far.id, '2023-06', ['submit', 'verify']);
  const draftOther = await measurement(other.id, '2023-05');
  const sees = {
    admin: [admin, [draftOwn, submittedFar, verifiedFar, draftOther]],
    operator: [operator.token, [draftOwn, verifiedFar]],
    mentor: [mentor.token, [draftOwn, verifiedFar, draftOther]],
    viewer: [viewer.token, [verifiedFar]],
    'viewer key': [viewerKey, [verifiedFar]],
    'mentor key (no regions)': [mentorKey, [verifiedFar]],
  };
  const all = [draftOwn, submittedFar, verifiedFar, draftOther];
  for (const [who, [token, visible]] of Object.entries(sees)) {
    const list = await s.api(token).get('/v1/measurements?limit=100&period_from=2023-01&period_to=2023-12&include_total=true');
    assert.equal(list.status, 200, list.text);
    const ids = list.json.items.map((m) => m.id).filter((id) => all.includes(id));
    assert.deepEqual(ids.sort(), [...visible].sort(), who);
    assert.ok(list.json.items.every((m) => m.status === 'verified' || visible.includes(m.id)), who);
    assert.equal(list.json.total, list.json.items.length, who);
    for (const id of all) {
      const one = await s.api(token).get(`/v1/measurements/${id}`);
      assert.equal(one.status, visible.includes(id) ? 200 : 404, `${who} GET ${id}: ${one.text}`);
    }
  }
  const summary = await s.api(viewer.token).get(`/v1/pesantren/${far.id}/summary`);
  const omzet = summary.json.indicators.find((i) => i.code === 'OMZET');
  assert.equal(omzet.period, '2023-06'); // the verified one, never the submitted one
});

test('reports with include_unverified=true are for admins and mentors', async () => {
  for (const token of [viewer.token, viewerKey, operator.token]) {
    expectProblem(assert, await s.api(token).get('/v1/reports/achievement?year=2024&include_unverified=true'), 403);
    expectProblem(assert, await s.api(token).get('/v1/reports/regions?indicator=OMZET&year=2024&include_unverified=true'), 403);
    assert.equal((await s.api(token).get('/v1/reports/achievement?year=2024')).status, 200);
  }
  for (const token of [admin, mentor.token]) {
    assert.equal((await s.api(token).get('/v1/reports/pillars?year=2024&include_unverified=true')).status, 200);
  }
});

test('function level: every admin-only route of api/routes.c is 403 for every other role and a non-admin API key', async () => {
  const adminOnly = loadRoutes().filter((r) => !r.public && r.roles.size === 1 && r.roles.has('admin'));
  assert.ok(adminOnly.length >= 15, 'admin-only routes found: ' + adminOnly.length);
  const callers = { operator: operator.token, mentor: mentor.token, viewer: viewer.token, 'viewer key': viewerKey };
  const zero = '00000000-0000-4000-8000-000000000000';
  const before = psql(s.db, 'SELECT count(*) FROM audit_events');
  for (const route of adminOnly) {
    const path = route.path.replace(/\{[^}]+\}/g, zero);
    for (const [who, token] of Object.entries(callers)) {
      const body = ['POST', 'PATCH', 'PUT'].includes(route.method) ? {} : undefined;
      const r = await s.api(token).request(route.method, path, body);
      assert.equal(r.status, 403, `${who} ${route.method} ${route.path}: ${r.status} ${r.text}`);
    }
  }
  assert.equal(psql(s.db, 'SELECT count(*) FROM audit_events'), before);
});

test('headers: nosniff on every answer, private, no-cache on authenticated ones', async () => {
  for (const r of [await fetch(s.base + '/healthz'), await fetch(s.base + '/nowhere'),
    await fetch(s.base + '/v1/pesantren', { headers: { Authorization: `Bearer ${admin}` } }),
    await fetch(s.base + `/v1/pesantren/${own.id}`, { headers: { Authorization: `Bearer ${viewerKey}` } }),
    await fetch(s.base + '/v1/users', { headers: { Authorization: `Bearer ${viewer.token}` } })]) {
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', r.url);
  }
  const auth = await fetch(s.base + `/v1/pesantren/${own.id}`, { headers: { Authorization: `Bearer ${admin}` } });
  assert.equal(auth.headers.get('cache-control'), 'private, no-cache');
  const denied = await fetch(s.base + '/v1/users', { headers: { Authorization: `Bearer ${viewer.token}` } });
  assert.equal(denied.headers.get('cache-control'), 'private, no-cache');
  assert.equal((await fetch(s.base + '/healthz')).headers.get('cache-control'), null);
});

test('resource consumption: limit above 100 is 400, a body over 1 MiB is 413', async () => {
  expectProblem(assert, await s.api(admin).get('/v1/pesantren?limit=101'), 400, 'limit');
  // The 413 comes from the headers, before the body: send only the headers.
  const head = `POST /v1/pesantren HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${admin}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${1024 * 1024 + 1}\r\n\r\n`;
  assert.equal((await rawRequest(s.port, head, { timeoutMs: 5000 })).status, 413);
});

test('misconfiguration: an error answer carries no SQL text or stack, CORS only for configured origins', async () => {
  const r = await s.api(admin).get('/v1/measurements?cursor=garbage');
  assert.ok(r.status >= 400 && r.status < 500, r.text);
  assert.doesNotMatch(r.text, /SELECT|FROM |WHERE |syntax error|ERROR:|\.c:\d+/);
  const bad = await s.api(admin).post('/v1/pesantren', { nspp: own.nspp, name: 'Dup', region_code: '35.78' });
  assert.equal(bad.status, 409);
  assert.doesNotMatch(bad.text, /duplicate key|constraint|INSERT/);
  const cors = await fetch(s.base + '/v1/pesantren', { headers: { Origin: 'https://evil.example', Authorization: `Bearer ${admin}` } });
  assert.equal(cors.headers.get('access-control-allow-origin'), null);
});

test('property level: no secret in any answer or audit row', async () => {
  const u = await s.api(admin).get(`/v1/users/${operator.id}`);
  assert.doesNotMatch(u.text, /password|hash|\$argon2/i);
  const keys = await s.api(admin).get('/v1/api-keys?limit=100');
  assert.ok(!keys.text.includes(viewerKey) && !/key_hash|secret_hash/.test(keys.text), keys.text);
  const audit = psql(s.db, 'SELECT coalesce(string_agg(coalesce(before::text, \'\') || coalesce(after::text, \'\'), \' \'), \'\') FROM audit_events');
  assert.ok(!audit.includes(operator.password) && !audit.includes(viewerKey) && !/\$argon2/.test(audit));
  const me = await s.api(operator.token).patch(`/v1/pesantren/${own.id}`, { version: 99, id: other.id, cohort_year: 2001 });
  expectProblem(assert, me, 422);
});

test('the service runs as a role that cannot rewrite the audit trail or change the schema', () => {
  const asRuntime = (sql) => {
    try {
      execFileSync('psql', [dbUrl(s.db, RUNTIME_ROLE), '-v', 'ON_ERROR_STOP=1', '-Atqc', sql], { stdio: 'pipe' });
      return 'allowed';
    } catch (e) {
      return String(e.stderr);
    }
  };
  assert.equal(psql(s.db, `SELECT count(*) FROM pg_stat_activity WHERE datname = '${s.db}' AND usename = '${RUNTIME_ROLE}'`) > '0', true);
  for (const sql of ['UPDATE audit_events SET action = action', 'DELETE FROM audit_events',
    'TRUNCATE audit_events', 'ALTER TABLE pesantren ADD COLUMN x int', 'DROP TABLE measurements',
    'CREATE TABLE sneaky (a int)', 'DELETE FROM schema_migrations']) {
    assert.match(asRuntime(sql), /permission denied|must be owner/, sql);
  }
  // Each monthly partition too, now and when made later.
  psql(s.db, "SELECT opop_partition_create('audit_events', now() + interval '14 months')");
  for (const part of psql(s.db, "SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'audit_events'::regclass").split('\n')) {
    assert.match(asRuntime(`UPDATE ${part} SET action = action`), /permission denied/, part);
    assert.match(asRuntime(`DELETE FROM ${part}`), /permission denied/, part);
  }
  assert.equal(asRuntime('SELECT count(*) FROM audit_events'), 'allowed');
});
