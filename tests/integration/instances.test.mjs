// Several instances on one database: started at the same moment on an empty
// database they migrate once and all serve; what one instance revokes, the
// others refuse at the next request (nothing of a credential is kept in a
// process); failed sign-ins count across instances.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { startServer, psql, makeUser, expectProblem } from './lib/harness.mjs';

const MAX_FAILURES = 4;
let servers = [];
let db;

before(async () => {
  db = 'inst_' + crypto.randomUUID().slice(0, 8);
  psql('postgres', `CREATE DATABASE ${db}`);
  const env = { OPOP_LOGIN_MAX_FAILURES: String(MAX_FAILURES), OPOP_LOGIN_LOCK_SECONDS: '600' };
  // All at once, on a database without a single table yet.
  servers = await Promise.all([1, 2, 3].map(() => startServer({ db, env })));
});

after(async () => {
  for (const s of servers) await s.stop();
});

test('instances started together on an empty database migrate once and are all ready', async () => {
  const files = readdirSync(new URL('../../db/migrations/', import.meta.url)).filter((f) => f.endsWith('.sql'));
  assert.equal(psql(db, 'SELECT count(*) FROM schema_migrations'), String(files.length));
  assert.equal(psql(db, 'SELECT count(DISTINCT name) FROM schema_migrations'), String(files.length));
  for (const s of servers) assert.equal((await s.api().get('/readyz')).status, 200);
  // One bootstrap admin, though three instances were told to create it.
  assert.equal(psql(db, "SELECT count(*) FROM users WHERE email = 'admin@example.org'"), '1');
});

test('a token signed out on one instance is refused by the others at the next request', async () => {
  const [a, b, c] = servers;
  const admin = await a.login();
  const u = await makeUser(a, admin, 'viewer');
  for (const s of servers) assert.equal((await s.api(u.token).get('/v1/me')).status, 200);
  assert.equal((await b.api(u.token).post('/v1/auth/logout')).status, 204);
  expectProblem(assert, await a.api(u.token).get('/v1/me'), 401);
  expectProblem(assert, await c.api(u.token).get('/v1/me'), 401);
});

test('a user deactivated on one instance is refused by the others at the next request', async () => {
  const [a, b, c] = servers;
  const admin = await a.login();
  const u = await makeUser(a, admin, 'viewer');
  assert.equal((await c.api(u.token).get('/v1/pesantren')).status, 200);
  assert.equal((await a.api(admin).patch(`/v1/users/${u.id}`, { active: false })).status, 200);
  expectProblem(assert, await b.api(u.token).get('/v1/pesantren'), 401);
  expectProblem(assert, await c.api(u.token).get('/v1/pesantren'), 401);
});

test('an API key revoked on one instance is refused by the others at the next request', async () => {
  const [a, b, c] = servers;
  const admin = await a.login();
  const created = await a.api(admin).post('/v1/api-keys', { name: 'Sistem Antar Instans', role: 'viewer' });
  assert.equal(created.status, 201, created.text);
  const key = created.json.key;
  assert.equal((await c.api(key).get('/v1/pesantren')).status, 200);
  assert.equal((await b.api(admin).del(`/v1/api-keys/${created.json.id}`)).status, 204);
  expectProblem(assert, await a.api(key).get('/v1/pesantren'), 401);
  expectProblem(assert, await c.api(key).get('/v1/pesantren'), 401);
});

test('failed sign-ins spread over instances add up to the limit', async () => {
  const [a, b, c] = servers;
  const admin = await a.login();
  const u = await makeUser(a, admin, 'viewer');
  const tries = Array.from({ length: MAX_FAILURES }, (_, i) => [a, b][i % 2].api()
    .post('/v1/auth/login', { email: u.email, password: 'wrong-password-' + i }));
  for (const r of await Promise.all(tries)) assert.ok(r.status === 401 || r.status === 429, r.text);
  // The right password no longer opens the account, on any instance.
  for (const s of [a, b, c]) {
    const r = await s.api().post('/v1/auth/login', { email: u.email, password: u.password });
    assert.ok(r.status >= 400 && r.status < 500, `want refusal, got ${r.status}: ${r.text}`);
  }
});

test('on SIGTERM /readyz turns 503 at once while requests are still served, then the server stops', async () => {
  const s = await startServer({ db, env: { OPOP_DRAIN_SECONDS: '2' } });
  const admin = await s.login();
  assert.equal((await s.api().get('/readyz')).status, 200);
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  let ready;
  for (let i = 0; i < 50; i++) {
    ready = await s.api().get('/readyz');
    if (ready.status !== 200) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  expectProblem(assert, ready, 503);
  assert.ok(Number(ready.headers.get('retry-after')) >= 1);
  // Draining: a load balancer stops sending, but what still comes is served.
  assert.equal((await s.api(admin).get('/v1/me')).status, 200);
  assert.equal(await exited, 0);
  await s.stop();
});
