// Lighter answers: gzip when asked (with its own ETag), and ETags on list pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startServer, makePesantren } from './lib/harness.mjs';

let s, admin, api;
before(async () => {
  s = await startServer();
  admin = await s.login();
  api = s.api(admin);
  for (let i = 0; i < 12; i++) await makePesantren(s, admin);
});
after(async () => { await s?.stop(); });

/** The raw answer, undecoded: { status, headers, body (Buffer) }. */
function raw(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(s.base + path, { headers: { Authorization: `Bearer ${admin}`, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('gzip for 1 KiB or more when asked, with Vary and an ETag of its own', async () => {
  const plain = await raw('/v1/pesantren?limit=50', { 'Accept-Encoding': 'identity' });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.match(plain.headers.vary, /Accept-Encoding/);
  const gz = await raw('/v1/pesantren?limit=50', { 'Accept-Encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.match(gz.headers.vary, /Accept-Encoding/);
  assert.deepEqual(gunzipSync(gz.body), plain.body);
  assert.ok(gz.body.length < plain.body.length);
  assert.equal(gz.headers.etag, plain.headers.etag.replace(/"$/, '-gz"'));
  const refused = await raw('/v1/pesantren?limit=50', { 'Accept-Encoding': 'gzip;q=0, identity' });
  assert.equal(refused.headers['content-encoding'], undefined);
  const star = await raw('/v1/pesantren?limit=50', { 'Accept-Encoding': '*' });
  assert.equal(star.headers['content-encoding'], 'gzip');
  const small = await raw('/v1/me', { 'Accept-Encoding': 'gzip' });
  assert.equal(small.headers['content-encoding'], undefined);
  // Either tag is good for If-None-Match.
  for (const tag of [plain.headers.etag, gz.headers.etag]) {
    const nm = await raw('/v1/pesantren?limit=50', { 'Accept-Encoding': 'gzip', 'If-None-Match': tag });
    assert.equal(nm.status, 304);
    assert.equal(nm.headers.etag, tag);
  }
});

test('a CSV export of 1 KiB or more is gzipped when asked, and only once', async () => {
  const plain = await raw('/v1/pesantren?format=csv', { 'Accept-Encoding': 'identity' });
  assert.equal(plain.status, 200);
  assert.ok(plain.body.length >= 1024, `${plain.body.length} bytes`);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.match(plain.headers.vary, /Accept-Encoding/);
  const gz = await raw('/v1/pesantren?format=csv', { 'Accept-Encoding': 'gzip' });
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.match(gz.headers['content-type'], /^text\/csv/);
  assert.match(gz.headers.vary, /Accept-Encoding/);
  assert.ok(gz.body.length < plain.body.length);
  assert.deepEqual(gunzipSync(gz.body), plain.body);
  // XLSX is a zip already: never compressed again.
  const x = await raw('/v1/pesantren?format=xlsx', { 'Accept-Encoding': 'gzip' });
  assert.equal(x.headers['content-encoding'], undefined);
});

test('a compressed resource tag passes If-None-Match and If-Match', async () => {
  const p = await makePesantren(s, admin);
  assert.equal((await raw(`/v1/pesantren/${p.id}`, { 'If-None-Match': '"1-gz"' })).status, 304);
  const r = await api.patch(`/v1/pesantren/${p.id}`, { leader_name: 'KH. Gz' },
    { 'If-Match': '"1-gz"', 'Content-Type': 'application/merge-patch+json' });
  assert.equal(r.status, 200, r.text);
  const stale = await api.patch(`/v1/pesantren/${p.id}`, { leader_name: 'KH. Lama' },
    { 'If-Match': '"1-gz"', 'Content-Type': 'application/merge-patch+json' });
  assert.equal(stale.status, 412);
});

test('a list page answers an ETag that an insert, an update and a delete each change', async () => {
  const path = '/v1/pesantren?limit=100&region_code=35.07';
  const tagOf = async () => {
    const r = await api.get(path);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('etag'), /^"l-[0-9a-f]{32}(-gz)?"$/);
    return r.headers.get('etag');
  };
  const t0 = await tagOf();
  assert.equal((await api.get(path, { 'If-None-Match': t0 })).status, 304);
  assert.equal(await tagOf(), t0);
  const p = await makePesantren(s, admin, { region_code: '35.07' });
  const t1 = await tagOf();
  assert.notEqual(t1, t0);
  assert.equal((await api.get(path, { 'If-None-Match': t0 })).status, 200);
  await api.patch(`/v1/pesantren/${p.id}`, { leader_name: 'KH. Lain' }, { 'Content-Type': 'application/merge-patch+json' });
  const t2 = await tagOf();
  assert.notEqual(t2, t1);
  assert.equal((await api.del(`/v1/pesantren/${p.id}`)).status, 204);
  const t3 = await tagOf();
  assert.notEqual(t3, t2);
  assert.equal((await api.get(path, { 'If-None-Match': t3 })).status, 304);
});
