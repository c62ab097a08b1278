// The conventions every endpoint shares: routing answers (404, 405 + Allow,
// HEAD, OPTIONS), body rules (413, 415, 400, 422), query rules, conditional
// requests, idempotent creation, request ids and CORS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, makePesantren, makeUser, expectProblem, nspp, psql, rawRequest,
} from './lib/harness.mjs';

const ORIGIN = 'https://dashboard.opop.example';
let s, admin, api;

before(async () => {
  s = await startServer({ env: { OPOP_CORS_ORIGINS: `${ORIGIN}, https://other.example` } });
  admin = await s.login();
  api = s.api(admin);
});
after(async () => s && s.stop());

const newPesantren = () => ({ nspp: nspp(), name: 'Pondok Konvensi', region_code: '35.07' });
const count = (table, where = 'true') => Number(psql(s.db, `SELECT count(*) FROM ${table} WHERE ${where}`));

// ---- routing ----

test('an unknown path is 404 problem+json, with or without credentials', async () => {
  expectProblem(assert, await s.api().get('/v1/nothing-here'), 404);
  expectProblem(assert, await api.get('/v1/nothing-here'), 404);
  expectProblem(assert, await api.get('/v1/pesantren/x/y/z'), 404);
  expectProblem(assert, await api.get('/'), 404);
});

test('a known path with another method is 405 with Allow', async () => {
  const r = await api.put('/v1/pesantren', {});
  expectProblem(assert, r, 405);
  assert.deepEqual(r.headers.get('allow').split(/,\s*/).sort(), ['GET', 'POST']);
  const one = await api.post(`/v1/pesantren/${crypto.randomUUID()}`, {});
  expectProblem(assert, one, 405);
  assert.deepEqual(one.headers.get('allow').split(/,\s*/).sort(), ['DELETE', 'GET', 'PATCH']);
  const health = await s.api().del('/healthz');
  expectProblem(assert, health, 405);
  assert.equal(health.headers.get('allow'), 'GET');
});

test('405 comes before authentication', async () => {
  const r = await s.api().request('PUT', '/v1/users');
  expectProblem(assert, r, 405);
});

test('HEAD answers like GET without a body', async () => {
  const h = await s.api().request('HEAD', '/healthz');
  assert.equal(h.status, 200);
  assert.equal(h.text, '');
  const p = await makePesantren(s, admin);
  const g = await api.request('HEAD', `/v1/pesantren/${p.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('etag'), '"1"');
  assert.equal(g.text, '');
  assert.equal((await s.api().request('HEAD', '/v1/pesantren')).status, 401);
});

test('a malformed id in a path is 404', async () => {
  expectProblem(assert, await api.get('/v1/pesantren/not-a-uuid'), 404);
  expectProblem(assert, await api.get('/v1/pesantren/12345678-1234-1234-1234-1234567890zz'), 404);
  expectProblem(assert, await api.patch('/v1/pesantren/42', { name: 'Nama Baru' }), 404);
  expectProblem(assert, await api.del('/v1/users/42'), 405);
  expectProblem(assert, await api.del('/v1/api-keys/42'), 404);
});

test('a well-formed id that does not exist is 404', async () => {
  const id = crypto.randomUUID();
  expectProblem(assert, await api.get(`/v1/pesantren/${id}`), 404);
  expectProblem(assert, await api.patch(`/v1/pesantren/${id}`, { name: 'Nama Baru' }), 404);
  expectProblem(assert, await api.del(`/v1/pesantren/${id}`), 404);
});

// ---- authentication answers ----

test('no, malformed or unknown credentials are 401 with a Bearer challenge', async () => {
  const cases = [
    {},
    { Authorization: 'Basic YWRtaW46c2VjcmV0' },
    { Authorization: 'Bearer' },
    { Authorization: 'Bearer ' },
    { Authorization: 'Bearer opop_unknown-token' },
    { Authorization: 'Bearer ' + 'x'.repeat(600) },
    { Authorization: `Token ${admin}` },
  ];
  for (const headers of cases) {
    const r = await s.api().get('/v1/pesantren', headers);
    expectProblem(assert, r, 401);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  }
});

test('the Bearer scheme is case-insensitive', async () => {
  const r = await s.api().get('/v1/me', { Authorization: `bearer ${admin}` });
  assert.equal(r.status, 200, r.text);
});

// ---- bodies ----

test('a body over 1 MiB is 413, by Content-Length', async () => {
  // Answered from the headers alone, before any of the body is sent: a client
  // still uploading may see the connection close, so only the headers go.
  const head = `POST /v1/pesantren HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${admin}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${1024 * 1024 + 100}\r\n\r\n`;
  const r = await rawRequest(s.port, head, { timeoutMs: 5000 });
  assert.equal(r.status, 413);
  assert.equal(count('pesantren', `address LIKE 'xxx%'`), 0);
});

test('a chunked body over 1 MiB is 413', async () => {
  const payload = Buffer.from(JSON.stringify({ ...newPesantren(), address: 'y'.repeat(1100 * 1024) }));
  const parts = [];
  for (let i = 0; i < payload.length; i += 64 * 1024) {
    const piece = payload.subarray(i, i + 64 * 1024);
    parts.push(Buffer.from(piece.length.toString(16) + '\r\n'), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  const head = `POST /v1/pesantren HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${admin}\r\n` +
    'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
  const r = await rawRequest(s.port, Buffer.concat([Buffer.from(head), ...parts]));
  assert.equal(r.status, 413, r.raw.slice(0, 300));
  assert.match(r.headers['content-type'], /^application\/problem\+json/);
  assert.equal(JSON.parse(r.body).status, 413);
});

test('a chunked body under the limit is read whole', async () => {
  const body = Buffer.from(JSON.stringify(newPesantren()));
  const half = Math.floor(body.length / 2);
  const chunk = (b) => Buffer.concat([Buffer.from(b.length.toString(16) + '\r\n'), b, Buffer.from('\r\n')]);
  const head = `POST /v1/pesantren HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${admin}\r\n` +
    'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
  const r = await rawRequest(s.port, Buffer.concat([Buffer.from(head), chunk(body.subarray(0, half)),
    chunk(body.subarray(half)), Buffer.from('0\r\n\r\n')]));
  assert.equal(r.status, 201, r.raw.slice(0, 400));
});

test('exactly 1 MiB is not too large (the limit is inclusive)', async () => {
  const base = JSON.stringify({ ...newPesantren(), address: '' });
  const pad = 1024 * 1024 - Buffer.byteLength(base);
  const body = base.replace('"address":""', `"address":"${' '.repeat(pad)}"`);
  assert.equal(Buffer.byteLength(body), 1024 * 1024);
  const r = await api.post('/v1/pesantren', body);
  // Trimmed to nothing, the address is an empty string: any answer but 413 (and never 500).
  assert.notEqual(r.status, 413);
  assert.ok(r.status < 500, r.text);
});

test('a body that is not JSON is 415', async () => {
  const body = JSON.stringify({ ...newPesantren(), name: 'Pondok Bukan JSON' });
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'application/jsonx']) {
    expectProblem(assert, await api.post('/v1/pesantren', body, { 'Content-Type': ct }), 415);
  }
  const r = await rawRequest(s.port, `POST /v1/pesantren HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  assert.equal(r.status, 415, r.raw);
  assert.equal(count('pesantren', "name = 'Pondok Bukan JSON'"), 0);
});

test('application/json with parameters and merge-patch+json are accepted', async () => {
  const r = await api.post('/v1/pesantren', JSON.stringify(newPesantren()),
    { 'Content-Type': 'application/json; charset=utf-8' });
  assert.equal(r.status, 201, r.text);
  const p = await api.patch(`/v1/pesantren/${r.json.id}`, JSON.stringify({ santri_count: 10 }),
    { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.santri_count, 10);
});

test('malformed JSON is 400 with a body error', async () => {
  for (const body of ['{', '{"nspp": }', "{'a': 1}", '{"a":1,}', '{"a":1} trailing', 'NaN', '{"a":"\\x"}']) {
    expectProblem(assert, await api.post('/v1/pesantren', body), 400, 'body');
  }
});

test('an empty body on a creating POST is 400', async () => {
  expectProblem(assert, await api.post('/v1/pesantren', ''), 400, 'body');
  const r = await api.request('POST', '/v1/pesantren');
  expectProblem(assert, r, 400, 'body');
});

test('duplicate keys in an object are 400', async () => {
  const r = await api.post('/v1/pesantren', '{"nspp":"123456789012","name":"Pondok A","name":"Pondok B","region_code":"35.01"}');
  expectProblem(assert, r, 400, 'body');
});

test('bytes that are not UTF-8 are 400, never stored', async () => {
  const pre = Buffer.from(`{"nspp":"${nspp()}","region_code":"35.01","name":"Pondok `);
  const body = Buffer.concat([pre, Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
  const r = await rawRequest(s.port, Buffer.concat([Buffer.from(
    `POST /v1/pesantren HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]));
  assert.equal(r.status, 400, r.raw);
  assert.match(r.headers['content-type'], /^application\/problem\+json/);
});

test('an escaped NUL character is refused like unreadable JSON', async () => {
  const r = await api.post('/v1/pesantren', '{"nspp":"123456789012","name":"Pondok\\u0000A","region_code":"35.01"}');
  expectProblem(assert, r, 400, 'body');
});

test('valid JSON that is not an object is 422', async () => {
  for (const body of ['[]', '[{"name":"x"}]', 'null', '"text"', '42', 'true']) {
    expectProblem(assert, await api.post('/v1/pesantren', body), 422, 'body');
    const p = await makePesantren(s, admin);
    expectProblem(assert, await api.patch(`/v1/pesantren/${p.id}`, body), 422, 'body');
  }
});

test('an unknown body field is 422 on that field, with every other bad field', async () => {
  const r = await api.post('/v1/pesantren', { ...newPesantren(), colour: 'green', santri_count: -1, nspp: '12' });
  expectProblem(assert, r, 422);
  const fields = r.json.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['colour', 'nspp', 'santri_count']);
  for (const e of r.json.errors) assert.equal(typeof e.message, 'string');
});

test('read-only fields cannot be set on create or patch', async () => {
  for (const field of ['id', 'version', 'created_at', 'updated_at', 'cohort_year']) {
    const value = field === 'version' || field === 'cohort_year' ? 2024
      : field === 'id' ? crypto.randomUUID() : '2024-01-01T00:00:00Z';
    expectProblem(assert, await api.post('/v1/pesantren', { ...newPesantren(), [field]: value }), 422, field);
  }
  const p = await makePesantren(s, admin);
  const r = await api.patch(`/v1/pesantren/${p.id}`, { version: 99, id: crypto.randomUUID() });
  expectProblem(assert, r, 422, 'version');
  assert.ok(r.json.errors.some((e) => e.field === 'id'));
  assert.equal((await api.get(`/v1/pesantren/${p.id}`)).json.version, 1);
});

test('a problem never leaks SQL or internals', async () => {
  const r = await api.post('/v1/pesantren', { ...newPesantren(), region_code: "35.01'; DROP TABLE users; --" });
  expectProblem(assert, r, 422, 'region_code');
  assert.doesNotMatch(r.text, /SELECT|INSERT|violates|constraint|pq_|libpq/i);
});

// ---- query parameters ----

test('an unknown query parameter is 400 naming it', async () => {
  expectProblem(assert, await api.get('/v1/pesantren?colour=green'), 400, 'colour');
  expectProblem(assert, await api.get('/v1/users?nama=x'), 400, 'nama');
  expectProblem(assert, await api.get('/v1/regions?page=2'), 400, 'page');
  expectProblem(assert, await api.get('/v1/api-keys?role=admin'), 400, 'role');
});

test('reading one resource takes no query parameters', async () => {
  const p = await makePesantren(s, admin);
  const me = (await api.get('/v1/me')).json;
  const key = (await api.post('/v1/api-keys', { name: 'Kunci Kueri', role: 'viewer' })).json;
  for (const path of [`/v1/pesantren/${p.id}?expand=all`, '/v1/me?verbose=1', '/v1/regions/35.78?lang=id',
    `/v1/users/${me.id}?fields=email`, `/v1/api-keys/${key.id}?show=key`]) {
    expectProblem(assert, await api.get(path), 400);
  }
});

test('limit must be an integer from 1 to 100', async () => {
  for (const v of ['0', '101', 'abc', '', '-1', '1.5', '1e1', '+5', ' 5', '99999999999999999999']) {
    expectProblem(assert, await api.get(`/v1/pesantren?limit=${encodeURIComponent(v)}`), 400, 'limit');
  }
  for (const v of ['1', '100']) {
    assert.equal((await api.get(`/v1/pesantren?limit=${v}`)).status, 200);
  }
});

test('boolean and enum parameters are strict', async () => {
  expectProblem(assert, await api.get('/v1/pesantren?include_total=yes'), 400, 'include_total');
  expectProblem(assert, await api.get('/v1/pesantren?active=1'), 400, 'active');
  expectProblem(assert, await api.get('/v1/pesantren?typology=modern'), 400, 'typology');
  expectProblem(assert, await api.get('/v1/pesantren?sort=nspp'), 400, 'sort');
  expectProblem(assert, await api.get('/v1/pesantren?cohort_year=abc'), 400, 'cohort_year');
});

test('a cursor that was not handed out is 400, never 500', async () => {
  const enc = (t) => Buffer.from(t.replaceAll('|', '\x1f')).toString('base64url');
  const bad = ['abc', '!!!', enc('seq|abc|1'), enc('seq|1|abc'), enc('seq|1'), enc('seq|1|2|3'),
    enc('seq|99999999999999999999999|1'), enc('name|x|1'), enc('seq|1|-1'), 'x'.repeat(5000)];
  for (const c of bad) {
    expectProblem(assert, await api.get(`/v1/pesantren?cursor=${encodeURIComponent(c)}`), 400, 'cursor');
  }
  for (const [sort, c] of [['santri_count', enc('santri_count|many|1')], ['created_at', enc('created_at|not-a-time|1')],
    ['-name', enc('name|x|1')]]) {
    expectProblem(assert, await api.get(`/v1/pesantren?sort=${sort}&cursor=${c}`), 400, 'cursor');
  }
  expectProblem(assert, await api.get(`/v1/users?cursor=${enc('seq|1|x')}`), 400, 'cursor');
  expectProblem(assert, await api.get(`/v1/api-keys?cursor=${enc('seq|x|1')}`), 400, 'cursor');
});

test('a query that is not UTF-8 is 400', async () => {
  expectProblem(assert, await api.get('/v1/pesantren?q=%ff%fe'), 400);
  expectProblem(assert, await api.get('/v1/pesantren?q=a%00b'), 400);
  expectProblem(assert, await api.get('/v1/pesantren?bad%ff=1'), 400);
  assert.equal((await api.get('/v1/pesantren?q=%C3%A9')).status, 200);
});

test('a very long query value is answered, not crashed on', async () => {
  const r = await api.get('/v1/pesantren?q=' + 'a'.repeat(20000));
  assert.equal(r.status, 200, r.text.slice(0, 200));
  assert.deepEqual(r.json.items, []);
});

// ---- conditional requests ----

test('GET carries ETag; If-None-Match with it is 304, with another is 200', async () => {
  const p = await makePesantren(s, admin);
  const g = await api.get(`/v1/pesantren/${p.id}`);
  assert.equal(g.headers.get('etag'), '"1"');
  const nm = await api.get(`/v1/pesantren/${p.id}`, { 'If-None-Match': '"1"' });
  assert.equal(nm.status, 304);
  assert.equal(nm.text, '');
  assert.equal(nm.headers.get('etag'), '"1"');
  assert.equal((await api.get(`/v1/pesantren/${p.id}`, { 'If-None-Match': '"2"' })).status, 200);
  assert.equal((await api.get(`/v1/pesantren/${p.id}`, { 'If-None-Match': '"0", "1"' })).status, 304);
  assert.equal((await api.get(`/v1/pesantren/${p.id}`, { 'If-None-Match': 'W/"1"' })).status, 304);
  assert.equal((await api.get(`/v1/pesantren/${p.id}`, { 'If-None-Match': '*' })).status, 304);
  await api.patch(`/v1/pesantren/${p.id}`, { santri_count: 5 });
  const after1 = await api.get(`/v1/pesantren/${p.id}`, { 'If-None-Match': '"1"' });
  assert.equal(after1.status, 200);
  assert.equal(after1.headers.get('etag'), '"2"');
});

test('PATCH with a stale If-Match is 412 and changes nothing; a fresh one succeeds', async () => {
  const p = await makePesantren(s, admin);
  await api.patch(`/v1/pesantren/${p.id}`, { santri_count: 1 });
  const stale = await api.patch(`/v1/pesantren/${p.id}`, { santri_count: 2 }, { 'If-Match': '"1"' });
  expectProblem(assert, stale, 412);
  const now = await api.get(`/v1/pesantren/${p.id}`);
  assert.equal(now.json.santri_count, 1);
  assert.equal(now.json.version, 2);
  const fresh = await api.patch(`/v1/pesantren/${p.id}`, { santri_count: 3 }, { 'If-Match': '"2"' });
  assert.equal(fresh.status, 200, fresh.text);
  assert.equal(fresh.headers.get('etag'), '"3"');
  assert.equal(fresh.json.version, 3);
  const any = await api.patch(`/v1/pesantren/${p.id}`, { santri_count: 4 }, { 'If-Match': '*' });
  assert.equal(any.status, 200);
  expectProblem(assert, await api.patch(`/v1/pesantren/${p.id}`, { santri_count: 5 }, { 'If-Match': 'garbage' }), 412);
});

test('If-Match compares strongly: a weak tag never matches', async () => {
  const p = await makePesantren(s, admin);
  expectProblem(assert, await api.patch(`/v1/pesantren/${p.id}`, { santri_count: 1 }, { 'If-Match': 'W/"1"' }), 412);
  const listed = await api.patch(`/v1/pesantren/${p.id}`, { santri_count: 1 }, { 'If-Match': 'W/"1", "1"' });
  assert.equal(listed.status, 200, listed.text);
  expectProblem(assert, await api.del(`/v1/pesantren/${p.id}`, { 'If-Match': 'W/"2"' }), 412);
  assert.equal((await api.del(`/v1/pesantren/${p.id}`, { 'If-Match': '"0", "2"' })).status, 204);
});

test('ids in paths are matched whatever their case', async () => {
  const p = await makePesantren(s, admin);
  const g = await api.get(`/v1/pesantren/${p.id.toUpperCase()}`);
  assert.equal(g.status, 200);
  assert.equal(g.json.id, p.id);
});

test('a PATCH that changes nothing keeps the version', async () => {
  const p = await makePesantren(s, admin, { santri_count: 7 });
  const r = await api.patch(`/v1/pesantren/${p.id}`, { santri_count: 7 });
  assert.equal(r.status, 200);
  assert.equal(r.json.version, 1);
  const e = await api.patch(`/v1/pesantren/${p.id}`, {});
  assert.equal(e.status, 200);
  assert.equal(e.json.version, 1);
});

test('DELETE with a stale If-Match is 412 and deletes nothing', async () => {
  const p = await makePesantren(s, admin);
  await api.patch(`/v1/pesantren/${p.id}`, { santri_count: 1 });
  expectProblem(assert, await api.del(`/v1/pesantren/${p.id}`, { 'If-Match': '"1"' }), 412);
  assert.equal((await api.get(`/v1/pesantren/${p.id}`)).status, 200);
  assert.equal((await api.del(`/v1/pesantren/${p.id}`, { 'If-Match': '"2"' })).status, 204);
  expectProblem(assert, await api.get(`/v1/pesantren/${p.id}`), 404);
});

// ---- idempotent creation ----

test('the same Idempotency-Key and body replays the first answer and creates nothing', async () => {
  const key = 'create-' + crypto.randomUUID();
  const body = newPesantren();
  const first = await api.post('/v1/pesantren', body, { 'Idempotency-Key': key });
  assert.equal(first.status, 201, first.text);
  const again = await api.post('/v1/pesantren', body, { 'Idempotency-Key': key });
  assert.equal(again.status, 201, again.text);
  assert.deepEqual(again.json, first.json);
  assert.equal(again.headers.get('location'), first.headers.get('location'));
  assert.equal(again.headers.get('etag'), first.headers.get('etag'));
  // The same body with its keys in another order is the same request.
  const reordered = Object.fromEntries(Object.entries(body).reverse());
  const third = await api.post('/v1/pesantren', reordered, { 'Idempotency-Key': key });
  assert.equal(third.status, 201);
  assert.equal(third.json.id, first.json.id);
  assert.equal(count('pesantren', `nspp = '${body.nspp}'`), 1);
  assert.equal(count('audit_events', `entity = 'pesantren' AND entity_id = '${first.json.id}'`), 1);
});

test('concurrent requests with one Idempotency-Key create one resource', async () => {
  const key = 'race-' + crypto.randomUUID();
  const body = newPesantren();
  const answers = await Promise.all(Array.from({ length: 6 }, () =>
    api.post('/v1/pesantren', body, { 'Idempotency-Key': key })));
  const ids = new Set(answers.filter((r) => r.status === 201).map((r) => r.json.id));
  assert.equal(ids.size, 1, answers.map((r) => `${r.status} ${r.text}`).join('\n'));
  for (const r of answers) assert.ok(r.status === 201 || r.status === 409, r.text);
  assert.equal(count('pesantren', `nspp = '${body.nspp}'`), 1);
});

test('the same Idempotency-Key with another body is 422', async () => {
  const key = 'k-' + crypto.randomUUID();
  const first = await api.post('/v1/pesantren', newPesantren(), { 'Idempotency-Key': key });
  assert.equal(first.status, 201);
  const other = await api.post('/v1/pesantren', newPesantren(), { 'Idempotency-Key': key });
  expectProblem(assert, other, 422, 'Idempotency-Key');
});

test('an Idempotency-Key belongs to its caller', async () => {
  const key = 'shared-' + crypto.randomUUID();
  const other = await makeUser(s, admin, 'admin');
  const a = await api.post('/v1/pesantren', newPesantren(), { 'Idempotency-Key': key });
  const b = await s.api(other.token).post('/v1/pesantren', newPesantren(), { 'Idempotency-Key': key });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.notEqual(a.json.id, b.json.id);
});

test('a failed creation does not hold its Idempotency-Key', async () => {
  const key = 'fail-' + crypto.randomUUID();
  const p = await makePesantren(s, admin);
  const dup = await api.post('/v1/pesantren', { nspp: p.nspp, name: 'Pondok Kembar', region_code: '35.01' },
    { 'Idempotency-Key': key });
  expectProblem(assert, dup, 409);
  const ok = await api.post('/v1/pesantren', { nspp: nspp(), name: 'Pondok Kembar', region_code: '35.01' },
    { 'Idempotency-Key': key });
  assert.equal(ok.status, 201, ok.text);
});

test('an Idempotency-Key is any string up to 200 characters', async () => {
  const ok = await api.post('/v1/pesantren', newPesantren(), { 'Idempotency-Key': 'k'.repeat(200) });
  assert.equal(ok.status, 201, ok.text);
  const tooLong = await api.post('/v1/pesantren', newPesantren(), { 'Idempotency-Key': 'k'.repeat(201) });
  expectProblem(assert, tooLong, 400, 'Idempotency-Key');
});

test('without an Idempotency-Key every POST creates', async () => {
  const body = { name: 'Pondok Tanpa Kunci', region_code: '35.02' };
  const a = await api.post('/v1/pesantren', { ...body, nspp: nspp() });
  const b = await api.post('/v1/pesantren', { ...body, nspp: nspp() });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.notEqual(a.json.id, b.json.id);
});

// ---- request ids ----

test('every answer carries X-Request-Id, echoed when sent', async () => {
  const answers = [await s.api().get('/healthz'), await s.api().get('/v1/pesantren'), await api.get('/v1/nothing'),
    await api.post('/v1/pesantren', '{'), await api.get('/v1/pesantren')];
  const ids = answers.map((r) => r.headers.get('x-request-id'));
  for (const id of ids) assert.match(id, /^[A-Za-z0-9._:-]{8,64}$/);
  assert.equal(new Set(ids).size, ids.length);
  const mine = 'client-' + crypto.randomUUID();
  for (const r of [await api.get('/v1/pesantren', { 'X-Request-Id': mine }),
    await s.api().get('/v1/pesantren', { 'X-Request-Id': mine }),
    await api.post('/v1/pesantren', '[', { 'X-Request-Id': mine })]) {
    assert.equal(r.headers.get('x-request-id'), mine);
  }
});

test('the request id reaches the audit trail', async () => {
  const mine = 'audit-' + crypto.randomUUID();
  const r = await api.post('/v1/pesantren', newPesantren(), { 'X-Request-Id': mine });
  assert.equal(r.status, 201);
  assert.equal(psql(s.db, `SELECT entity_id FROM audit_events WHERE request_id = '${mine}'`), r.json.id);
});

test('a request id that could break a log line is replaced', async () => {
  const r = await api.get('/v1/pesantren', { 'X-Request-Id': 'bad id with spaces' });
  const id = r.headers.get('x-request-id');
  assert.notEqual(id, 'bad id with spaces');
  assert.match(id, /^[A-Za-z0-9._:-]+$/);
});

// ---- CORS ----

test('an allowed origin gets CORS headers on answers and errors', async () => {
  for (const r of [await api.get('/v1/pesantren', { Origin: ORIGIN }), await s.api().get('/v1/pesantren', { Origin: ORIGIN }),
    await api.get('/v1/nothing', { Origin: ORIGIN })]) {
    assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(r.headers.get('vary') || '', /Origin/);
    assert.match(r.headers.get('access-control-expose-headers') || '', /ETag/);
    assert.match(r.headers.get('access-control-expose-headers') || '', /X-Request-Id/);
  }
  const other = await api.get('/v1/pesantren', { Origin: 'https://other.example' });
  assert.equal(other.headers.get('access-control-allow-origin'), 'https://other.example');
});

test('an origin not configured gets no CORS headers', async () => {
  const r = await api.get('/v1/pesantren', { Origin: 'https://evil.example' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), null);
  const pre = await s.api().request('OPTIONS', '/v1/pesantren', undefined,
    { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' });
  assert.equal(pre.headers.get('access-control-allow-origin'), null);
  assert.equal(pre.headers.get('access-control-allow-methods'), null);
});

test('a preflight needs no credentials and lists methods and headers', async () => {
  const r = await s.api().request('OPTIONS', `/v1/pesantren/${crypto.randomUUID()}`, undefined, {
    Origin: ORIGIN, 'Access-Control-Request-Method': 'PATCH',
    'Access-Control-Request-Headers': 'authorization, content-type, if-match',
  });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
  const methods = r.headers.get('access-control-allow-methods');
  for (const m of ['GET', 'PATCH', 'DELETE']) assert.match(methods, new RegExp(m));
  const allowed = r.headers.get('access-control-allow-headers').toLowerCase();
  for (const h of ['authorization', 'content-type', 'if-match', 'if-none-match', 'idempotency-key', 'x-request-id']) {
    assert.ok(allowed.includes(h), h);
  }
  expectProblem(assert, await s.api().request('OPTIONS', '/v1/nothing', undefined, { Origin: ORIGIN }), 404);
});

test('problems are always application/problem+json with type, title, status and detail', async () => {
  const answers = [
    await s.api().get('/v1/me'),
    await api.get('/v1/nothing'),
    await api.put('/v1/pesantren', {}),
    await api.post('/v1/pesantren', '{'),
    await api.post('/v1/pesantren', {}),
    await api.get('/v1/pesantren?limit=0'),
  ];
  for (const r of answers) {
    assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
    for (const k of ['type', 'title', 'status', 'detail']) assert.ok(k in r.json, `${k} in ${r.text}`);
    assert.equal(r.json.status, r.status);
  }
  assert.deepEqual(answers[4].json.errors.map((e) => e.field).sort(), ['name', 'nspp', 'region_code']);
});

test('the server logged no internal error', () => {
  assert.doesNotMatch(s.log(), /reply_db: .* failed|internal-error/);
});

// ---- connection handling ----

test('idle and half-sent connections are closed after the request timeout', async () => {
  const { connect } = await import('node:net');
  const t = await startServer({ env: { OPOP_REQUEST_TIMEOUT: '2' } });
  try {
    const closedAfter = (bytes) => new Promise((resolve) => {
      const sock = connect(t.port, '127.0.0.1');
      const started = Date.now();
      sock.on('connect', () => { if (bytes) sock.write(bytes); });
      sock.on('error', () => {});
      sock.on('close', () => resolve(Date.now() - started));
      setTimeout(() => { sock.destroy(); resolve(Infinity); }, 10000);
    });
    const [idle, partial] = await Promise.all([closedAfter(''), closedAfter('GET /healthz HTTP/1.1\r\nHost: x\r\n')]);
    for (const ms of [idle, partial]) assert.ok(ms >= 1500 && ms < 6000, `closed after ${ms} ms`);
    // A new connection: a pooled keep-alive one may itself have just been closed by the 2 s timeout.
    const after = await rawRequest(t.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(after.status, 200);
  } finally {
    await t.stop();
  }
});

test('connections beyond the limit wait until one is free', async () => {
  const { connect } = await import('node:net');
  const t = await startServer({ env: { OPOP_MAX_CONNECTIONS: '3', OPOP_REQUEST_TIMEOUT: '20' } });
  const held = [];
  try {
    for (let i = 0; i < 3; i++) {
      held.push(await new Promise((resolve) => {
        const sock = connect(t.port, '127.0.0.1', () => resolve(sock));
        sock.on('error', () => {});
      }));
    }
    await new Promise((r) => setTimeout(r, 300));
    const waiting = rawRequest(t.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeoutMs: 8000 });
    const early = await Promise.race([waiting, new Promise((r) => setTimeout(() => r(null), 1000))]);
    assert.ok(early === null || early.status === 0, 'served beyond the limit');
    held.shift().destroy();
    const served = await waiting;
    assert.equal(served.status, 200, served.raw);
  } finally {
    for (const sock of held) sock.destroy();
    await t.stop();
  }
});
