// Signing in and out, /v1/me, token lifetime, deactivation, throttling of
// failed sign-ins, and how secrets are stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, makeUser, makePesantren, expectProblem, psql, dumpDatabase, ADMIN_EMAIL, ADMIN_PASSWORD,
} from './lib/harness.mjs';

const MAX_FAILURES = 3;
const LOCK_SECONDS = 10;
let s, admin;

before(async () => {
  s = await startServer({
    env: { OPOP_LOGIN_MAX_FAILURES: String(MAX_FAILURES), OPOP_LOGIN_LOCK_SECONDS: String(LOCK_SECONDS) },
  });
  admin = await s.login();
});
after(async () => s && s.stop());

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const login = (email, password) => s.api().post('/v1/auth/login', { email, password });

test('login answers a token, its expiry and the user without any password', async () => {
  const before1 = Date.now();
  const r = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(typeof r.json.token, 'string');
  assert.ok(r.json.token.length >= 32);
  assert.match(r.json.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const hours = (Date.parse(r.json.expires_at) - before1) / 3600e3;
  assert.ok(hours > 11.9 && hours <= 12.01, `expires in ${hours} h`);
  assert.equal(r.json.user.email, ADMIN_EMAIL);
  assert.equal(r.json.user.role, 'admin');
  assert.doesNotMatch(r.text, /password|argon2/i);
  const again = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
  assert.notEqual(again.json.token, r.json.token);
});

test('the email is matched without regard to case or surrounding spaces', async () => {
  const r = await login('  ' + ADMIN_EMAIL.toUpperCase() + ' ', ADMIN_PASSWORD);
  assert.equal(r.status, 200, r.text);
});

test('a wrong password or unknown email is 401 with the same answer', async () => {
  const u = await makeUser(s, admin, 'viewer');
  const wrong = await login(u.email, 'not-the-password');
  const unknown = await login('nobody-' + crypto.randomUUID() + '@example.org', 'whatever-123');
  expectProblem(assert, wrong, 401);
  expectProblem(assert, unknown, 401);
  assert.equal(wrong.json.detail, unknown.json.detail);
  assert.equal(wrong.headers.get('www-authenticate'), 'Bearer');
});

test('login validates its body', async () => {
  const api = s.api();
  expectProblem(assert, await api.post('/v1/auth/login', {}), 422, 'email');
  const missing = await api.post('/v1/auth/login', {});
  assert.ok(missing.json.errors.some((e) => e.field === 'password'));
  expectProblem(assert, await api.post('/v1/auth/login', { email: ADMIN_EMAIL }), 422, 'password');
  expectProblem(assert, await api.post('/v1/auth/login', { email: 5, password: 'x' }), 422, 'email');
  expectProblem(assert, await api.post('/v1/auth/login', { email: ADMIN_EMAIL, password: '' }), 422, 'password');
  expectProblem(assert, await api.post('/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, remember: true }),
    422, 'remember');
  expectProblem(assert, await api.post('/v1/auth/login', '{"email":'), 400, 'body');
  expectProblem(assert, await api.post('/v1/auth/login', 'email=a&password=b',
    { 'Content-Type': 'application/x-www-form-urlencoded' }), 415);
  expectProblem(assert, await api.get('/v1/auth/login'), 405);
});

test('GET /v1/me describes the caller', async () => {
  const r = await s.api(admin).get('/v1/me');
  assert.equal(r.status, 200);
  assert.equal(r.json.email, ADMIN_EMAIL);
  assert.equal(r.json.role, 'admin');
  assert.equal(r.json.kind, 'user');
  assert.doesNotMatch(r.text, /password/i);
  const p = await makePesantren(s, admin);
  const op = await makeUser(s, admin, 'operator', { pesantren_id: p.id });
  const me = await s.api(op.token).get('/v1/me');
  assert.equal(me.json.role, 'operator');
  assert.equal(me.json.pesantren_id, p.id);
  const mentor = await makeUser(s, admin, 'mentor', { region_codes: ['35.09', '35.10'] });
  assert.deepEqual((await s.api(mentor.token).get('/v1/me')).json.region_codes, ['35.09', '35.10']);
  expectProblem(assert, await s.api().get('/v1/me'), 401);
});

test('logout revokes only the token it was sent with', async () => {
  const u = await makeUser(s, admin, 'mentor');
  const second = await s.login(u.email, u.password);
  const r = await s.api(u.token).post('/v1/auth/logout');
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  const after1 = await s.api(u.token).get('/v1/me');
  expectProblem(assert, after1, 401);
  assert.equal(after1.headers.get('www-authenticate'), 'Bearer');
  expectProblem(assert, await s.api(u.token).post('/v1/auth/logout'), 401);
  assert.equal((await s.api(second).get('/v1/me')).status, 200);
  expectProblem(assert, await s.api().post('/v1/auth/logout'), 401);
});

test('a deactivated user can neither sign in nor use a token it has', async () => {
  const u = await makeUser(s, admin, 'viewer');
  assert.equal((await s.api(u.token).get('/v1/pesantren')).status, 200);
  const off = await s.api(admin).patch(`/v1/users/${u.id}`, { active: false });
  assert.equal(off.status, 200, off.text);
  expectProblem(assert, await s.api(u.token).get('/v1/pesantren'), 401);
  expectProblem(assert, await login(u.email, u.password), 401);
  // Reactivation lets the user sign in again.
  await s.api(admin).patch(`/v1/users/${u.id}`, { active: true });
  assert.equal((await login(u.email, u.password)).status, 200);
});

test('repeated failed logins lock the account for a while, then it recovers', async () => {
  const u = await makeUser(s, admin, 'viewer');
  // At once, so a slow machine cannot spread them beyond the counting window.
  const failed = await Promise.all(Array.from({ length: MAX_FAILURES }, (_, i) => login(u.email, 'wrong-password-' + i)));
  for (const r of failed) expectProblem(assert, r, 401);
  const locked = await login(u.email, u.password);
  expectProblem(assert, locked, 429);
  const retry = Number(locked.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= LOCK_SECONDS, `Retry-After ${retry}`);
  // The refused attempt is in the audit trail too.
  const audit = await s.api(admin).get(`/v1/audit-events?entity=user&entity_id=${u.id}`);
  assert.ok(audit.json.items.some((e) => e.action === 'login_locked'), audit.text);
  // Other accounts are not affected, and tokens already given keep working.
  assert.equal((await login(ADMIN_EMAIL, ADMIN_PASSWORD)).status, 200);
  assert.equal((await s.api(u.token).get('/v1/me')).status, 200);
  await sleep(LOCK_SECONDS * 1000 + 300);
  const ok = await login(u.email, u.password);
  assert.equal(ok.status, 200, ok.text);
});

test('the lock counts per account, whatever the case of the email', async () => {
  const u = await makeUser(s, admin, 'viewer');
  await Promise.all(Array.from({ length: MAX_FAILURES }, (_, i) =>
    login(i % 2 ? u.email.toUpperCase() : u.email, 'nope-' + i)));
  expectProblem(assert, await login(u.email, u.password), 429);
});

test('a successful login clears earlier failures', async () => {
  const u = await makeUser(s, admin, 'viewer');
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < MAX_FAILURES - 1; i++) expectProblem(assert, await login(u.email, 'nope'), 401);
    assert.equal((await login(u.email, u.password)).status, 200);
  }
});

test('unknown emails are throttled too, so the answer never tells which exist', async () => {
  const ghost = 'ghost-' + crypto.randomUUID() + '@example.org';
  const guesses = await Promise.all(Array.from({ length: MAX_FAILURES }, (_, i) => login(ghost, 'guess-' + i)));
  for (const r of guesses) expectProblem(assert, r, 401);
  expectProblem(assert, await login(ghost, 'guess-x'), 429);
});

test('failed and successful sign-ins are in the audit trail without secrets', async () => {
  const u = await makeUser(s, admin, 'viewer');
  await login(u.email, 'wrong-one');
  const actions = psql(s.db, `SELECT string_agg(action, ',' ORDER BY seq) FROM audit_events
    WHERE entity = 'user' AND entity_id = '${u.id}'`);
  assert.match(actions, /create/);
  assert.match(actions, /login/);
  assert.match(actions, /login_failed/);
  const text = psql(s.db, `SELECT coalesce(string_agg(coalesce(before::text, '') || coalesce(after::text, ''), ' '), '')
    FROM audit_events WHERE entity_id = '${u.id}'`);
  assert.ok(!text.includes(u.password));
  assert.ok(!text.includes(u.token));
  assert.doesNotMatch(text, /\$argon2/);
});

test('passwords are stored only as argon2id hashes, tokens only as hashes', async () => {
  const u = await makeUser(s, admin, 'viewer');
  const hash = psql(s.db, `SELECT password_hash FROM users WHERE id = '${u.id}'`);
  assert.match(hash, /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
  const dump = dumpDatabase(s.db);
  assert.ok(!dump.includes(u.password), 'password in clear');
  assert.ok(!dump.includes(u.token), 'token in clear');
  assert.ok(!dump.includes(admin), 'admin token in clear');
  assert.ok(!dump.includes(u.token.replace(/^opop_/, '')), 'token body in clear');
  const stored = psql(s.db, `SELECT count(*) FROM tokens WHERE user_id = '${u.id}'`);
  assert.equal(stored, '1');
});

test('a token past its lifetime is refused', async () => {
  const short = await startServer({ env: { OPOP_TOKEN_TTL: '4s' } });
  try {
    const r = await short.api().post('/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    assert.equal(r.status, 200);
    const left = (Date.parse(r.json.expires_at) - Date.now()) / 1000;
    assert.ok(left <= 5, `expires in ${left} s`);
    assert.equal((await short.api(r.json.token).get('/v1/me')).status, 200);
    await sleep(Math.max(0, Date.parse(r.json.expires_at) - Date.now()) + 1500);
    const late = await short.api(r.json.token).get('/v1/me');
    expectProblem(assert, late, 401);
    assert.equal(late.headers.get('www-authenticate'), 'Bearer');
  } finally {
    await short.stop();
  }
});

test('every /v1 endpoint but login needs credentials', async () => {
  const anon = s.api();
  const paths = [['GET', '/v1/me'], ['POST', '/v1/auth/logout'], ['GET', '/v1/users'], ['POST', '/v1/users'],
    ['GET', `/v1/users/${crypto.randomUUID()}`], ['PATCH', `/v1/users/${crypto.randomUUID()}`],
    ['GET', '/v1/api-keys'], ['POST', '/v1/api-keys'], ['DELETE', `/v1/api-keys/${crypto.randomUUID()}`],
    ['GET', '/v1/regions'], ['GET', '/v1/regions/35.78'], ['GET', '/v1/pesantren'], ['POST', '/v1/pesantren'],
    ['GET', `/v1/pesantren/${crypto.randomUUID()}`], ['PATCH', `/v1/pesantren/${crypto.randomUUID()}`],
    ['DELETE', `/v1/pesantren/${crypto.randomUUID()}`]];
  for (const [method, path] of paths) {
    const r = await anon.request(method, path, method === 'POST' || method === 'PATCH' ? {} : undefined);
    expectProblem(assert, r, 401);
  }
  for (const path of ['/healthz', '/readyz']) assert.equal((await anon.get(path)).status, 200);
});

test('user create on the command line reads the password from standard input', async () => {
  const { execFileSync } = await import('node:child_process');
  const email = `cli-${crypto.randomUUID().slice(0, 8)}@example.org`;
  const bin = process.env.OPOP_BIN || new URL('../../build/opop-api', import.meta.url).pathname;
  const env = { ...process.env, OPOP_DATABASE_URL: `host=${process.env.PGHOST} port=${process.env.PGPORT || 5432} dbname=${s.db} user=postgres`, OPOP_LOG_LEVEL: 'error' };
  execFileSync(bin, ['user', 'create', '--email', email, '--name', 'Admin Dua', '--role', 'admin'],
    { env, input: 'Cli-password-9\n' });
  const r = await login(email, 'Cli-password-9');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.role, 'admin');
  assert.throws(() => execFileSync(bin, ['user', 'create', '--email', 'x@example.org', '--name', 'N', '--role', 'admin'],
    { env, input: 'short\n', stdio: ['pipe', 'ignore', 'ignore'] }));
});
