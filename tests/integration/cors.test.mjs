// CORS as a browser on another origin and a shared cache between them see it
// (tests/contract/cors_check.mjs drives a real browser through the same).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';

const ORIGIN = 'https://app.opop.example';
let s;
let api;

before(async () => {
  s = await startServer({ env: { OPOP_CORS_ORIGINS: ORIGIN } });
  api = s.api(await s.login());
});

after(async () => { await s.stop(); });

const vary = (r) => (r.headers.get('vary') || '').split(/\s*,\s*/).map((v) => v.toLowerCase());

test('every answer varies by Origin while origins are configured, also one without CORS headers', async () => {
  for (const headers of [{}, { Origin: 'https://elsewhere.example' }, { Origin: ORIGIN }]) {
    const r = await api.get('/v1/pesantren', headers);
    assert.equal(r.status, 200);
    assert.ok(vary(r).includes('origin'), `Vary: ${r.headers.get('vary')} for ${JSON.stringify(headers)}`);
  }
});

test('an answer negotiated on Accept keeps Vary: Origin', async () => {
  for (const accept of ['application/json', 'text/csv']) {
    const r = await api.get('/v1/reports/achievement?year=2024', { Origin: ORIGIN, Accept: accept });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
    assert.ok(vary(r).includes('origin') && vary(r).includes('accept'), `Vary: ${r.headers.get('vary')}`);
  }
});

test('a browser script may read the headers clients rely on', async () => {
  const r = await api.get('/v1/pesantren', { Origin: ORIGIN });
  const exposed = (r.headers.get('access-control-expose-headers') || '').toLowerCase();
  for (const h of ['etag', 'location', 'retry-after', 'x-request-id', 'www-authenticate', 'content-disposition']) {
    assert.ok(exposed.split(/\s*,\s*/).includes(h), `${h} exposed: ${exposed}`);
  }
});

test('a preflight admits the headers a client sends, Accept-Language among them', async () => {
  const r = await s.api().request('OPTIONS', '/v1/pesantren', undefined, {
    Origin: ORIGIN, 'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': 'authorization, content-type, accept-language, idempotency-key',
  });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
  assert.ok(vary(r).includes('origin'));
  const allowed = r.headers.get('access-control-allow-headers').toLowerCase().split(/\s*,\s*/);
  for (const h of ['authorization', 'content-type', 'accept-language', 'idempotency-key']) assert.ok(allowed.includes(h), h);
});
