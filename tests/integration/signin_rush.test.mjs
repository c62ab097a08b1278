// A rush of sign-ins does not starve other clients: passwords are hashed with
// no database connection held, off the HTTP threads (the connection waits,
// suspended, for a hashing worker), and beyond a short queue a sign-in is
// turned away with 503 and Retry-After instead of tying up the server.
// (Latency figures come from tests/bench/signin_rush.sh, not from here.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, makePesantren, makeUser, ADMIN_EMAIL, ADMIN_PASSWORD } from './lib/harness.mjs';

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

test('sign-ins answered by the hashing workers each reach their own client, with a working token', async () => {
  const other = await makeUser(s, admin, 'viewer');
  const right = () => s.api().post('/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  const wrong = () => s.api().post('/v1/auth/login', { email: other.email, password: 'Not-the-password-1' });
  const calls = Array.from({ length: 24 }, (_, i) => (i % 3 === 2 ? wrong().then((r) => ['wrong', r]) : right().then((r) => ['right', r])));
  const answers = await Promise.all(calls);
  for (const [kind, r] of answers) {
    if (r.status === 503) {
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      continue;
    }
    if (kind === 'wrong') {
      assert.ok(r.status === 401 || r.status === 429, `wrong password answered ${r.status}`);
      continue;
    }
    assert.equal(r.status, 200);
    assert.equal(r.json.user.email, ADMIN_EMAIL);
    const me = await s.api(r.json.token).get('/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.email, ADMIN_EMAIL);
  }
  assert.ok(answers.some(([kind, r]) => kind === 'right' && r.status === 200));
});

/** One request on agent (whose single socket is kept alive): { status, json, reused }. */
function send(agent, method, path, body, token) {
  return new Promise((resolve, reject) => {
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const req = http.request(s.base + path, { agent, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, json: text ? JSON.parse(text) : undefined, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test('the connection of a sign-in answered by a hashing worker serves the next request', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const login = await send(agent, 'POST', '/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    assert.equal(login.status, 200);
    const me = await send(agent, 'GET', '/v1/me', undefined, login.json.token);
    assert.equal(me.status, 200);
    assert.equal(me.json.email, ADMIN_EMAIL);
    assert.equal(me.reused, true, 'the second request went over the sign-in\'s connection');
    const again = await send(agent, 'POST', '/v1/auth/login', { email: ADMIN_EMAIL, password: 'Wrong-pass-123' });
    assert.equal(again.status, 401);
    assert.equal(again.reused, true);
  } finally {
    agent.destroy();
  }
});
