// OPOP_LOG_FORMAT=json: every line the process writes is one JSON object
// (time, level, message), request lines carry their fields, and no secret or
// body reaches the log. Text stays the default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, ADMIN_PASSWORD } from './lib/harness.mjs';

const BIN = process.env.OPOP_BIN || new URL('../../build/opop-api', import.meta.url).pathname;

function jsonLines(text) {
  const lines = text.split('\n').filter((l) => l !== '');
  return lines.map((l) => {
    let o;
    assert.doesNotThrow(() => { o = JSON.parse(l); }, `not a JSON line: ${l}`);
    assert.equal(typeof o.time, 'string', l);
    assert.match(o.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(['error', 'warning', 'info', 'debug'].includes(o.level), l);
    assert.equal(typeof o.message, 'string', l);
    return o;
  });
}

test('json: start-up, requests and stop are JSON lines; a request line has its fields and no secret', async () => {
  const s = await startServer({ env: { OPOP_LOG_FORMAT: 'json', OPOP_LOG_LEVEL: 'info' } });
  const token = await s.login();
  const r = await s.api(token).get('/v1/me', { 'X-Request-Id': 'log-check-1' });
  assert.equal(r.status, 200);
  await s.api().get('/v1/pesantren/does-not-exist');
  await s.stop();
  const lines = jsonLines(s.log());
  assert.ok(lines.some((l) => /serving on/.test(l.message)), 'the start-up message is a JSON line');
  const me = lines.find((l) => l.request_id === 'log-check-1');
  assert.ok(me, 'the request line carries the client request id');
  assert.equal(me.method, 'GET');
  assert.equal(me.route, '/v1/me');
  assert.equal(me.status, 200);
  assert.equal(typeof me.duration_ms, 'number');
  assert.equal(me.actor_kind, 'user');
  assert.match(me.actor_id, /^[0-9a-f-]{36}$/);
  assert.equal(me.client, '127.0.0.1');
  const login = lines.find((l) => l.route === '/v1/auth/login');
  assert.equal(login.status, 200);
  assert.ok(!s.log().includes(ADMIN_PASSWORD) && !s.log().includes(token), 'no password or token in the log');
});

test('json: a fatal configuration error is a JSON line too; text is the default', () => {
  const env = { ...process.env, OPOP_PORT: 'eighty', OPOP_LOG_FORMAT: 'json' };
  const bad = spawnSync(BIN, ['serve'], { env, encoding: 'utf8' });
  assert.notEqual(bad.status, 0);
  const [line] = jsonLines(bad.stderr + bad.stdout);
  assert.equal(line.level, 'error');
  assert.match(line.message, /OPOP_PORT/);
  const text = spawnSync(BIN, ['serve'], { env: { ...env, OPOP_LOG_FORMAT: '' }, encoding: 'utf8' });
  assert.match(text.stderr, /^opop-api: configuration: OPOP_PORT/);
  const wrong = spawnSync(BIN, ['serve'], { env: { ...process.env, OPOP_LOG_FORMAT: 'xml' }, encoding: 'utf8' });
  assert.match(wrong.stderr, /OPOP_LOG_FORMAT must be text or json/);
});
