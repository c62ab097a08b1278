// The database goes away and comes back while the server runs: readiness and
// API calls answer 503 with Retry-After meanwhile, and the same process
// recovers by itself. Uses a private cluster so other test files running at
// the same time keep theirs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, privateCluster, expectProblem, nspp } from './lib/harness.mjs';

let cluster, s, admin;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  cluster = privateCluster();
  const db = 'restart_' + crypto.randomUUID().slice(0, 8).replaceAll('-', '');
  cluster.createDb(db);
  s = await startServer({ db, env: { OPOP_DATABASE_URL: cluster.url(db), OPOP_DB_POOL_SIZE: '3' } });
  admin = await s.login();
});

after(async () => {
  try {
    if (s) await s.stop();
  } finally {
    if (cluster) cluster.remove();
  }
});

async function until(what, check, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await check();
    if (r) return r;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

function expectUnavailable(r) {
  expectProblem(assert, r, 503);
  const retry = r.headers.get('retry-after');
  assert.ok(retry !== null && Number(retry) >= 1, `Retry-After: ${retry}`);
  assert.doesNotMatch(r.text, /could not connect|socket|libpq|PGRES|server closed/i);
}

test('the server answers 503 while the database is down and recovers without a restart', async () => {
  const api = s.api(admin);
  const before1 = await api.post('/v1/pesantren', { nspp: nspp(), name: 'Pondok Sebelum', region_code: '35.78' });
  assert.equal(before1.status, 201, before1.text);
  assert.equal((await api.get('/readyz')).status, 200);
  const pid = s.child.pid;

  cluster.stop();

  const ready = await api.get('/readyz');
  expectUnavailable(ready);
  assert.equal((await api.get('/healthz')).status, 200, 'the process itself is alive');
  expectUnavailable(await api.get('/v1/pesantren'));
  expectUnavailable(await api.get(`/v1/pesantren/${before1.json.id}`));
  expectUnavailable(await api.post('/v1/pesantren', { nspp: nspp(), name: 'Pondok Selama', region_code: '35.78' }));
  expectUnavailable(await s.api().post('/v1/auth/login', { email: 'admin@example.org', password: 'Admin-pass-123' }));
  // Every pooled connection is tried and found dead; a second round is still 503.
  for (let i = 0; i < 5; i++) expectUnavailable(await api.get('/v1/me'));
  // Bad input is still told apart from the outage where no database is needed.
  expectProblem(assert, await api.get('/v1/nothing'), 404);
  expectProblem(assert, await s.api().get('/v1/pesantren'), 401);

  cluster.start();

  await until('readiness', async () => (await api.get('/readyz')).status === 200);
  assert.equal(s.child.exitCode, null);
  assert.equal(s.child.pid, pid);
  const list = await api.get('/v1/pesantren');
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.items.some((p) => p.id === before1.json.id));
  const after1 = await api.post('/v1/pesantren', { nspp: nspp(), name: 'Pondok Sesudah', region_code: '35.78' });
  assert.equal(after1.status, 201, after1.text);
  const patched = await api.patch(`/v1/pesantren/${before1.json.id}`, { santri_count: 12 });
  assert.equal(patched.status, 200, patched.text);
  assert.equal((await s.api().post('/v1/auth/login', { email: 'admin@example.org', password: 'Admin-pass-123' })).status, 200);
});

test('requests in flight while the database restarts get 2xx or a clean 503, never anything else', async () => {
  const api = s.api(admin);
  let stop = false;
  const statuses = [];
  const problems = [];
  const worker = async (n) => {
    let i = 0;
    while (!stop) {
      const r = i++ % 3 === 0
        ? await api.post('/v1/pesantren', { nspp: nspp(), name: `Pondok Beban ${n}`, region_code: '35.01' })
        : await api.get('/v1/pesantren?limit=5&sort=-name');
      statuses.push(r.status);
      if (r.status >= 300 && r.status !== 503) problems.push(`${r.status} ${r.text}`);
      if (r.status === 503) {
        if (!/^application\/problem\+json/.test(r.headers.get('content-type') || '') || !r.headers.get('retry-after')) {
          problems.push(`bare 503: ${r.text}`);
        }
        await sleep(20);
      }
    }
  };
  const workers = [0, 1, 2, 3, 4].map(worker);
  await sleep(300);
  cluster.stop();
  await sleep(800);
  cluster.start();
  await until('readiness', async () => (await api.get('/readyz')).status === 200);
  await sleep(500);
  stop = true;
  await Promise.all(workers);
  assert.deepEqual(problems, []);
  assert.ok(statuses.includes(503), 'some request saw the outage');
  assert.ok(statuses.filter((x) => x === 200 || x === 201).length > 10);
  // After the outage every connection of the pool works again.
  for (let i = 0; i < 12; i++) assert.equal((await api.get('/v1/me')).status, 200);
});

test('a long outage is survived too', async () => {
  const api = s.api(admin);
  cluster.stop();
  for (let i = 0; i < 6; i++) {
    expectUnavailable(await api.get('/readyz'));
    await sleep(500);
  }
  cluster.start();
  await until('readiness', async () => (await api.get('/readyz')).status === 200);
  assert.equal((await api.get('/v1/pesantren')).status, 200);
  assert.doesNotMatch(s.log(), /reply_db: .* failed/);
});
