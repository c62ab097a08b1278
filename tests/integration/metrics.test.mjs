// /metrics for an operator: sign-in outcomes, idempotent replays, the pool's
// waiting time, failed statements by SQLSTATE class and the build, beside the
// request counters, named as Prometheus names them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, nspp, ADMIN_EMAIL } from './lib/harness.mjs';

let s;
before(async () => { s = await startServer(); });
after(async () => s && s.stop());

/** { 'name{labels}': value } of the exposition, after checking every family has HELP and TYPE. */
async function scrape() {
  const r = await fetch(s.base + '/metrics');
  assert.equal(r.status, 200);
  const text = await r.text();
  const samples = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = line.match(/^([a-z_:][a-z0-9_:]*)(\{[^}]*\})? (\S+)$/);
    assert.ok(m, `not a sample line: ${line}`);
    const family = m[1].replace(/_(bucket|sum|count)$/, '');
    assert.ok(text.includes(`# TYPE ${m[1]} `) || text.includes(`# TYPE ${family} `), `no TYPE for ${m[1]}`);
    samples[m[1] + (m[2] || '')] = Number(m[3]);
  }
  return samples;
}

test('sign-in outcomes, replays, statement errors by class, pool waiting and build info', async () => {
  const token = await s.login();
  const refused = await s.api().post('/v1/auth/login', { email: ADMIN_EMAIL, password: 'not-the-password' });
  assert.equal(refused.status, 401);
  const body = { nspp: nspp(), name: 'Pondok Pesantren Metrik', region_code: '35.78' };
  const headers = { 'Idempotency-Key': 'metrics-replay-1' };
  assert.equal((await s.api(token).post('/v1/pesantren', body, headers)).status, 201);
  const again = await s.api(token).post('/v1/pesantren', body, headers);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  const duplicate = await s.api(token).post('/v1/pesantren', body);
  assert.equal(duplicate.status, 409);

  const m = await scrape();
  assert.ok(m['opop_signins_total{outcome="success"}'] >= 1);
  assert.ok(m['opop_signins_total{outcome="rejected"}'] >= 1);
  assert.equal(m['opop_signins_total{outcome="locked"}'], 0);
  assert.ok(m.opop_idempotent_replays_total >= 1);
  assert.ok(m['opop_db_statement_errors_total{class="23"}'] >= 1, 'the duplicate NSPP is an integrity violation');
  assert.equal(typeof m.opop_db_pool_wait_seconds_total, 'number');
  assert.equal(typeof m.opop_db_pool_waits_total, 'number');
  assert.equal(m.opop_db_pool_size, 4);
  assert.ok(Object.keys(m).some((k) => /^opop_build_info\{version="[^"]+"\}$/.test(k)));
  assert.ok(Object.keys(m).some((k) => k.startsWith('opop_http_request_duration_seconds_bucket{')));
});
