// API keys: expires_at, last_used_at (neither versioned nor audited), the
// published prefix; and idempotency fingerprints that keep no fast hash of a
// password.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServer, expectProblem, psql } from './lib/harness.mjs';

let s, admin;

before(async () => {
  s = await startServer();
  admin = await s.login();
});
after(async () => s && s.stop());

const inHours = (h) => new Date(Date.now() + h * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');

test('expires_at must be an RFC 3339 time in the future', async () => {
  const api = s.api(admin);
  expectProblem(assert, await api.post('/v1/api-keys', { name: 'lama', role: 'viewer', expires_at: inHours(-1) }),
    422, 'expires_at');
  expectProblem(assert, await api.post('/v1/api-keys', { name: 'salah', role: 'viewer', expires_at: 'next week' }),
    422, 'expires_at');
  expectProblem(assert, await api.post('/v1/api-keys', { name: 'salah', role: 'viewer', expires_at: 5 }), 422, 'expires_at');
  const when = inHours(2);
  const k = await api.post('/v1/api-keys', { name: 'sementara', role: 'viewer', expires_at: when });
  assert.equal(k.status, 201, k.text);
  assert.equal(k.json.expires_at, when);
  const plain = await api.post('/v1/api-keys', { name: 'tetap', role: 'viewer' });
  assert.equal(plain.json.expires_at, null);
});

test('an expired key is refused with 401', async () => {
  const k = await s.api(admin).post('/v1/api-keys', { name: 'singkat', role: 'viewer', expires_at: inHours(1) });
  assert.equal((await s.api(k.json.key).get('/v1/me')).status, 200);
  psql(s.db, `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = '${k.json.id}'`);
  const late = await s.api(k.json.key).get('/v1/me');
  expectProblem(assert, late, 401);
  expectProblem(assert, await s.api(k.json.key).get('/v1/regions'), 401);
});

test('last_used_at is recorded at most once a minute, without a version or an audit row', async () => {
  const k = await s.api(admin).post('/v1/api-keys', { name: 'pemakai', role: 'viewer' });
  assert.equal(k.json.last_used_at, null);
  const audits = () => psql(s.db, `SELECT count(*) FROM audit_events WHERE entity_id = '${k.json.id}'`);
  const auditsBefore = audits();
  assert.equal((await s.api(k.json.key).get('/v1/pesantren')).status, 200);
  const first = (await s.api(admin).get(`/v1/api-keys/${k.json.id}`)).json;
  assert.match(first.last_used_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(first.version, k.json.version);
  assert.equal(audits(), auditsBefore);
  // Within the minute the time stays; once it is a minute old, the next use moves it.
  psql(s.db, `UPDATE api_key_usage SET last_used_at = now() - interval '10 seconds' WHERE key_id = '${k.json.id}'`);
  const held = psql(s.db, `SELECT opop_ts(last_used_at) FROM api_key_usage WHERE key_id = '${k.json.id}'`);
  await s.api(k.json.key).get('/v1/regions/35.78');
  assert.equal(psql(s.db, `SELECT opop_ts(last_used_at) FROM api_key_usage WHERE key_id = '${k.json.id}'`), held);
  psql(s.db, `UPDATE api_key_usage SET last_used_at = now() - interval '2 minutes' WHERE key_id = '${k.json.id}'`);
  await s.api(k.json.key).get('/v1/regions/35.78');
  const moved = (await s.api(admin).get(`/v1/api-keys/${k.json.id}`)).json;
  assert.ok(Date.parse(moved.last_used_at) > Date.parse(held), `${held} -> ${moved.last_used_at}`);
  assert.equal(moved.version, k.json.version);
  assert.equal(audits(), auditsBefore);
});

test('a key shows at most 8 characters of itself', async () => {
  const k = await s.api(admin).post('/v1/api-keys', { name: 'awalan', role: 'viewer' });
  assert.equal(k.json.prefix.length, 8);
  assert.ok(k.json.key.startsWith(k.json.prefix));
  assert.equal(psql(s.db, `SELECT length(key_prefix) FROM api_keys WHERE id = '${k.json.id}'`), '8');
});

test('a request fingerprint is keyed: no plain SHA-256 of a body with a password is kept', async () => {
  const key = crypto.randomUUID();
  const body = { email: `sidik-${crypto.randomUUID()}@example.org`, name: 'Sidik', role: 'viewer', password: 'Sidik-pass-123' };
  const r = await s.api(admin).post('/v1/users', body, { 'Idempotency-Key': key });
  assert.equal(r.status, 201, r.text);
  const sorted = Object.fromEntries(Object.keys(body).sort().map((k) => [k, body[k]]));
  const plain = createHash('sha256').update(`POST /v1/users\n${JSON.stringify(sorted)}`).digest('hex');
  const stored = psql(s.db, `SELECT request_hash FROM idempotency_keys WHERE key = '${key}'`);
  assert.match(stored, /^[0-9a-f]{64}$/);
  assert.notEqual(stored, plain);
  // Still a fingerprint: the same request replays, another password is another body.
  assert.equal((await s.api(admin).post('/v1/users', body, { 'Idempotency-Key': key })).status, 201);
  expectProblem(assert, await s.api(admin).post('/v1/users', { ...body, password: 'Other-pass-123' },
    { 'Idempotency-Key': key }), 422, 'Idempotency-Key');
});

test('the bootstrap API key must have 32 characters or more', async () => {
  await assert.rejects(startServer({ env: { OPOP_BOOTSTRAP_API_KEY: 'x'.repeat(31) } }), /OPOP_BOOTSTRAP_API_KEY/);
  const key = 'boot-' + 'k'.repeat(40);
  const b = await startServer({ env: { OPOP_BOOTSTRAP_API_KEY: key } });
  try {
    const meKey = await b.api(key).get('/v1/me');
    assert.equal(meKey.status, 200, meKey.text);
    assert.equal(meKey.json.prefix, key.slice(0, 8));
  } finally {
    await b.stop();
  }
});
