// Sign-in throttling per (account, client address) and per client address,
// with a wait that grows; X-Forwarded-For believed only from trusted proxies;
// spent throttle and idempotency rows pruned.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeUser, expectProblem, psql } from './lib/harness.mjs';

const MAX_FAILURES = 3;
const ADDRESS_MAX_FAILURES = 6;
let s, admin;

before(async () => {
  s = await startServer({
    env: {
      OPOP_LOGIN_MAX_FAILURES: String(MAX_FAILURES), OPOP_LOGIN_LOCK_SECONDS: '900',
      OPOP_LOGIN_ADDRESS_MAX_FAILURES: String(ADDRESS_MAX_FAILURES),
      OPOP_TRUSTED_PROXIES: '10.9.9.9, 127.0.0.0/8', OPOP_PRUNE_INTERVAL: '1',
    },
  });
  admin = await s.login();
});
after(async () => s && s.stop());

let addressCounter = 0;
const newAddress = () => `198.51.100.${++addressCounter}`;
const login = (email, password, from, server = s) =>
  server.api().post('/v1/auth/login', { email, password }, from ? { 'X-Forwarded-For': from } : {});
async function failTimes(email, n, from) {
  const answers = [];
  for (let i = 0; i < n; i++) answers.push(await login(email, 'wrong-' + i, from));
  return answers;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('failures from one address do not lock the account for its owner elsewhere', async () => {
  const u = await makeUser(s, admin, 'viewer');
  const attacker = newAddress();
  for (const r of await failTimes(u.email, MAX_FAILURES, attacker)) expectProblem(assert, r, 401);
  const blocked = await login(u.email, u.password, attacker);
  expectProblem(assert, blocked, 429);
  assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
  const owner = await login(u.email, u.password, newAddress());
  assert.equal(owner.status, 200, owner.text);
});

test('one address failing on many accounts must wait, whatever the account', async () => {
  const from = newAddress();
  const ghosts = Array.from({ length: ADDRESS_MAX_FAILURES }, (_, i) => `ghost-${i}-${crypto.randomUUID()}@example.org`);
  for (const g of ghosts) expectProblem(assert, await login(g, 'guess', from), 401);
  const u = await makeUser(s, admin, 'viewer');
  const r = await login(u.email, u.password, from);
  expectProblem(assert, r, 429);
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
  assert.equal((await login(u.email, u.password, newAddress())).status, 200);
});

test('the wait grows with every failure after it, up to the maximum', async () => {
  const u = await makeUser(s, admin, 'viewer');
  const from = newAddress();
  await failTimes(u.email, MAX_FAILURES, from);
  const first = Number((await login(u.email, u.password, from)).headers.get('retry-after'));
  assert.ok(first > 1 && first <= 30, `first wait ${first}`);
  const key = `${u.email.toLowerCase()} ${from}`;
  // The wait is over (aged in the database): one more failure waits longer.
  psql(s.db, `UPDATE login_failures SET blocked_until = now() - interval '1 second' WHERE scope = 'account' AND key = '${key}'`);
  expectProblem(assert, await login(u.email, 'wrong-again', from), 401);
  const second = Number((await login(u.email, u.password, from)).headers.get('retry-after'));
  assert.ok(second > first && second <= 60, `waits ${first} then ${second}`);
});

test('X-Forwarded-For names the client only behind a trusted proxy', async () => {
  const direct = await startServer({ env: { OPOP_LOGIN_MAX_FAILURES: String(MAX_FAILURES) } });
  try {
    const adminDirect = await direct.login();
    const u = await makeUser(direct, adminDirect, 'viewer');
    // Each attempt claims another address; the socket's address is what counts.
    for (let i = 0; i < MAX_FAILURES; i++) expectProblem(assert, await login(u.email, 'nope', newAddress(), direct), 401);
    expectProblem(assert, await login(u.email, u.password, newAddress(), direct), 429);
  } finally {
    await direct.stop();
  }
});

test('behind trusted proxies the right-most untrusted X-Forwarded-For entry is the client', async () => {
  const u = await makeUser(s, admin, 'viewer');
  const client = newAddress();
  // A client cannot escape by prepending made-up entries: the proxy appends the real one.
  for (let i = 0; i < MAX_FAILURES; i++) {
    expectProblem(assert, await login(u.email, 'nope', `${newAddress()}, ${client}, 10.9.9.9`), 401);
  }
  expectProblem(assert, await login(u.email, u.password, `${client}, 10.9.9.9`), 429);
  assert.equal((await login(u.email, u.password, `${client}, ${newAddress()}`)).status, 200);
});

test('a successful sign-in forgives the account at that address', async () => {
  const u = await makeUser(s, admin, 'viewer');
  const from = newAddress();
  // Two rounds: four failures stay below this address's own threshold.
  for (let round = 0; round < 2; round++) {
    await failTimes(u.email, MAX_FAILURES - 1, from);
    assert.equal((await login(u.email, u.password, from)).status, 200);
  }
});

async function waitUntil(check) {
  for (let i = 0; i < 100; i++) {
    if (check()) return true;
    await sleep(100);
  }
  return check();
}

test('spent throttle rows and idempotency records older than a day are deleted', async () => {
  const from = newAddress();
  const ghost = `pruned-${crypto.randomUUID()}@example.org`;
  await login(ghost, 'guess', from);
  const fresh = newAddress();
  await login(ghost, 'guess', fresh);
  const oldKey = crypto.randomUUID();
  await s.api(admin).post('/v1/users', { email: `${oldKey}@example.org`, name: 'Lama', role: 'viewer', password: 'Lama-pass-123' },
    { 'Idempotency-Key': oldKey });
  const newKey = crypto.randomUUID();
  await s.api(admin).post('/v1/users', { email: `${newKey}@example.org`, name: 'Baru', role: 'viewer', password: 'Baru-pass-123' },
    { 'Idempotency-Key': newKey });
  psql(s.db, `UPDATE login_failures SET last_failure_at = now() - interval '2 days' WHERE key LIKE '%${from}'`);
  psql(s.db, `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = '${oldKey}'`);
  const gone = await waitUntil(() =>
    psql(s.db, `SELECT count(*) FROM login_failures WHERE key LIKE '%${from}'`) === '0' &&
    psql(s.db, `SELECT count(*) FROM idempotency_keys WHERE key = '${oldKey}'`) === '0');
  assert.ok(gone, 'aged rows are still there');
  assert.equal(psql(s.db, `SELECT count(*) FROM login_failures WHERE key LIKE '%${fresh}'`), '2');
  assert.equal(psql(s.db, `SELECT count(*) FROM idempotency_keys WHERE key = '${newKey}'`), '1');
});
