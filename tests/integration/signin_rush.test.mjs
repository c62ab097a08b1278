// A rush of sign-ins does not starve other clients: passwords are hashed with
// no database connection held, and beyond a short queue a sign-in is turned
// away with 503 and Retry-After instead of tying up the server. (Latency
// figures come from tests/bench/signin_rush.sh, not from here.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makePesantren, ADMIN_EMAIL, ADMIN_PASSWORD } from './lib/harness.mjs';

let s, admin;

before(async () => {
  s = await startServer();
  admin = await s.login();
  await makePesantren(s, admin);
});
after(async () => s && s.stop());

test('reads of other clients are answered while 32 clients sign in at once', async () => {
  const signIns = [];
  let done = false;
  const signer = async () => {
    for (let i = 0; i < 2; i++) {
      const r = await s.api().post('/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      signIns.push({ status: r.status, retryAfter: r.headers.get('retry-after') });
    }
  };
  const reads = [];
  const reader = async () => {
    while (!done && reads.length < 2000) {
      const r = await s.api(admin).get('/v1/pesantren?limit=5');
      reads.push(r.status);
    }
  };
  const readers = [reader(), reader()];
  await Promise.all(Array.from({ length: 32 }, signer));
  done = true;
  await Promise.all(readers);
  assert.ok(reads.length > 0);
  assert.deepEqual([...new Set(reads)], [200], `reads answered ${JSON.stringify(reads.filter((x) => x !== 200))}`);
  for (const r of signIns) {
    assert.ok(r.status === 200 || r.status === 503, `sign-in answered ${r.status}`);
    if (r.status === 503) assert.ok(Number(r.retryAfter) >= 1);
  }
  assert.ok(signIns.some((r) => r.status === 200));
});
