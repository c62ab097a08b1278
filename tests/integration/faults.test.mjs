// Hostile and broken input at the HTTP edge: every request gets a prompt 4xx
// (never a hang), slow clients cannot hold the service, a stop is graceful.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { spawn, execFileSync } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, freePort, makePesantren, expectProblem, psql, rawRequest, nspp } from './lib/harness.mjs';

let s, token, admin;
before(async () => {
  s = await startServer({ env: { OPOP_REQUEST_DEADLINE: '2' } });
  token = await s.login();
  admin = s.api(token);
});
after(async () => s && s.stop());

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const status = (raw) => Number((/^HTTP\/1\.1 (\d{3})/.exec(raw) || [])[1] || 0);

test('500 query parameters are a 400 naming the query, not a hang', async () => {
  const q = Array.from({ length: 500 }, (_, i) => `p${i}=1`).join('&');
  const r = await rawRequest(s.port, `GET /v1/pesantren?${q} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`);
  assert.equal(r.status, 400, r.raw.slice(0, 200));
  assert.ok(JSON.parse(r.body).errors.some((e) => e.field === 'query'));
});

test('a 10,000-character header and a flood of headers are 431', async () => {
  let r = await rawRequest(s.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(10000)}\r\n\r\n`);
  assert.equal(r.status, 431, r.raw.slice(0, 200));
  const many = Array.from({ length: 200 }, (_, i) => `X-H${i}: 1\r\n`).join('');
  r = await rawRequest(s.port, `GET /healthz HTTP/1.1\r\nHost: x\r\n${many}\r\n`);
  assert.equal(r.status, 431, r.raw.slice(0, 200));
});

test('a request line too long for the HTTP layer is 414', async () => {
  const r = await rawRequest(s.port, `GET /v1/pesantren?q=${'a'.repeat(40000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.equal(r.status, 414, r.raw.slice(0, 200));
});

test('a request line with no space is a 400 problem, the connection closed, and a log line', async () => {
  for (const line of ['GARBAGE\r\n\r\n', 'GARBAGE\r\n', '\x16\x03\x01\x00\xa5\x01\x00\r\n']) {
    const r = await rawRequest(s.port, Buffer.from(line, 'latin1'), { timeoutMs: 8000 });
    assert.equal(r.status, 400, JSON.stringify(r.raw));
    assert.match(r.headers['content-type'], /application\/problem\+json/);
    assert.equal(r.headers.connection, 'close');
    assert.equal(JSON.parse(r.body).status, 400);
  }
  // A connection closed without sending anything is not answered, and the service goes on serving.
  const quiet = await rawRequest(s.port, Buffer.alloc(0), { timeoutMs: 3000, endAfterWrite: true });
  assert.equal(quiet.raw, '');
  assert.equal((await fetch(`${s.base}/healthz`)).status, 200);
  assert.match(s.log(), /request line could not be parsed/);
});

test('a declared body over 1 MiB is 413 before any of it is sent', async () => {
  // Only the head is sent: a server that waited for the body would never answer.
  const r = await rawRequest(s.port, `POST /v1/pesantren HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
    'Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n');
  assert.equal(r.status, 413, r.raw.slice(0, 200));
  assert.equal(JSON.parse(r.body).status, 413);
});

test('a number beyond 64 bits in valid JSON is a 422 naming the field', async () => {
  const body = `{"nspp": "${nspp()}", "name": "Pondok Besar", "region_code": "35.78", "santri_count": 100000000000000000000}`;
  const r = await admin.post('/v1/pesantren', body);
  expectProblem(assert, r, 422, 'santri_count');
  expectProblem(assert, await admin.post('/v1/pesantren', '{"santri_count": 1}x'), 400);
});

test('JSON nested beyond 32 levels is refused with a 4xx', async () => {
  const deep = '{"name":' + '['.repeat(40) + ']'.repeat(40) + '}';
  const r = await admin.post('/v1/pesantren', deep);
  assert.ok(r.status >= 400 && r.status < 500, r.text);
});

test('limit over 100 is a 400', async () => {
  expectProblem(assert, await admin.get('/v1/pesantren?limit=101'), 400, 'limit');
});

test('POST /v1/measurements/batch honours Idempotency-Key', async () => {
  const pes = await makePesantren(s, token);
  const body = { items: [{ indicator_code: 'OMZET', pesantren_id: pes.id, period: '2024-02', value: 5 }] };
  const key = { 'Idempotency-Key': 'batch-' + pes.id };
  const first = await admin.post('/v1/measurements/batch', body, key);
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.created, 1);
  const again = await admin.post('/v1/measurements/batch', body, key);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(again.json, first.json);
  assert.equal(psql(s.db, `SELECT count(*) FROM measurements WHERE pesantren_id = '${pes.id}'`), '1');
  const other = { items: [{ ...body.items[0], period: '2024-03' }] };
  expectProblem(assert, await admin.post('/v1/measurements/batch', other, key), 422, 'Idempotency-Key');
});

test('a request trickling in a byte at a time is dropped at its deadline', async () => {
  const sock = connect(s.port, '127.0.0.1');
  let closed = false;
  let answer = '';
  sock.on('data', (d) => { answer += d.toString('latin1'); });
  sock.on('close', () => { closed = true; });
  sock.on('error', () => { closed = true; });
  const head = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'s'.repeat(200)}\r\n\r\n`;
  // 200 bytes at one every 100 ms would take 20 s; the deadline is 2 s.
  for (let i = 0; i < head.length && !closed; i++) {
    sock.write(head[i]);
    await sleep(100);
  }
  assert.ok(closed, 'the connection was still open after the whole request had trickled in');
  assert.equal(status(answer), 0, answer);
  sock.destroy();
});

test('a kept-alive connection that rests longer than the deadline still gets its next request answered', async () => {
  const sock = connect(s.port, '127.0.0.1');
  let answer = '';
  sock.on('data', (d) => { answer += d.toString('latin1'); });
  const closed = new Promise((r) => sock.on('close', r));
  await new Promise((r) => sock.once('connect', r));
  sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await sleep(3500); // the deadline is 2 s
  sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await closed;
  assert.equal((answer.match(/HTTP\/1\.1 200/g) || []).length, 2, answer);
});

test('500 idle and trickling connections do not keep others from being served', async () => {
  const socks = [];
  for (let i = 0; i < 500; i++) {
    const c = connect(s.port, '127.0.0.1');
    c.on('error', () => {});
    if (i % 2) c.write('GET /healthz HTTP/1.1\r\n');
    socks.push(c);
  }
  await Promise.all(socks.map((c) => new Promise((r) => (c.connecting ? c.once('connect', r) : r()))));
  const r = await admin.get('/v1/pesantren?limit=1');
  assert.equal(r.status, 200, r.text);
  for (const c of socks) c.destroy();
});

test('a per-address connection limit, when set, refuses connections past it', async () => {
  const limited = await startServer({ env: { OPOP_MAX_CONNECTIONS_PER_ADDRESS: '3' } });
  try {
    const socks = [];
    for (let i = 0; i < 3; i++) {
      const c = connect(limited.port, '127.0.0.1');
      c.on('error', () => {});
      await new Promise((r) => c.once('connect', r));
      socks.push(c);
    }
    await sleep(200);
    const r = await rawRequest(limited.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(r.status, 0, 'a fourth connection was served: ' + r.raw.slice(0, 100));
    for (const c of socks) c.destroy();
    await sleep(200);
    const ok = await rawRequest(limited.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(ok.status, 200);
  } finally {
    await limited.stop();
  }
});

test('SIGTERM: /readyz turns 503 first, then the process exits 0', async () => {
  const t = await startServer({ env: { OPOP_SHUTDOWN_DRAIN_MS: '3000' } });
  const exited = new Promise((r) => t.child.once('exit', (code) => r(code)));
  assert.equal((await fetch(t.base + '/readyz')).status, 200);
  t.child.kill('SIGTERM');
  let seen = 0;
  for (let i = 0; i < 100 && !seen; i++) {
    try {
      const r = await fetch(t.base + '/readyz');
      if (r.status === 503) seen = r.headers.get('retry-after') ? 503 : -1;
    } catch { break; }
    await sleep(20);
  }
  assert.equal(seen, 503);
  assert.equal(await exited, 0);
  await t.stop();
});

function httpsGet(url, options) {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, options, (res) => {
      const protocol = res.socket.getProtocol();
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body, protocol }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('with OPOP_TLS_CERT and OPOP_TLS_KEY the service speaks TLS 1.2 or later, and not plain HTTP', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opop-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const port = await freePort();
  const child = spawn(process.env.OPOP_BIN || new URL('../../build/opop-api', import.meta.url).pathname, ['serve'], {
    env: { ...process.env, OPOP_DATABASE_URL: `host=${process.env.PGHOST} dbname=${s.db} user=postgres`,
      OPOP_PORT: String(port), OPOP_TLS_CERT: cert, OPOP_TLS_KEY: key, OPOP_LOG_LEVEL: 'warning' },
    stdio: 'ignore',
  });
  const ca = readFileSync(cert);
  try {
    let r;
    for (let i = 0; i < 200 && !r; i++) {
      try { r = await httpsGet(`https://127.0.0.1:${port}/healthz`, { ca, agent: false }); } catch { await sleep(50); }
    }
    assert.equal(r && r.status, 200);
    assert.match(r.protocol, /^TLSv1\.[23]$/);
    await assert.rejects(httpsGet(`https://127.0.0.1:${port}/healthz`, { ca, agent: false, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }));
    const plain = await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 3000 });
    assert.equal(plain.status, 0);
  } finally {
    const exited = new Promise((res) => child.once('exit', res));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
