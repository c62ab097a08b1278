// Webhooks: a real receiver on loopback; signatures checked with node's own
// HMAC (an implementation independent of the server's libsodium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { startServer, makePesantren, expectProblem } from './lib/harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A receiver on loopback: answer(hit, n) gives the status, 'hang' (never
 * answer) or { status, afterMs } (answer that late).
 */
async function receiver(answer = () => 204) {
  const got = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const hit = { headers: req.headers, body, json: JSON.parse(body) };
      got.push(hit);
      const status = answer(hit, got.length);
      if (status === 'hang') return;
      if (status.afterMs) setTimeout(() => res.writeHead(status.status).end(), status.afterMs);
      else res.writeHead(status).end();
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { got, url: `http://127.0.0.1:${srv.address().port}/hook`, close: () => srv.closeAllConnections() || srv.close() };
}

async function until(what, check, tries = 300) {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v) return v;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function verify(secret, hit) {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const id = hit.headers['webhook-id'];
  const ts = hit.headers['webhook-timestamp'];
  const mac = createHmac('sha256', key).update(`${id}.${ts}.${hit.body}`).digest('base64');
  return hit.headers['webhook-signature'] === `v1,${mac}`;
}

let s, admin, api;
before(async () => {
  s = await startServer({ env: { OPOP_WEBHOOK_ALLOW_PRIVATE: 'true', OPOP_WEBHOOK_TIMEOUT: '1' } });
  admin = await s.login();
  api = s.api(admin);
});
after(async () => { await s?.stop(); });

test('a webhook gets only later changes, in feed order, signed as Standard Webhooks says', async () => {
  const rx = await receiver();
  const before1 = await makePesantren(s, admin);
  const r = await api.post('/v1/webhooks', { url: rx.url, entities: ['pesantren'], description: 'OPD mirror' });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('etag'), '"1"');
  const one = await api.get(`/v1/webhooks/${r.json.id}`);
  assert.equal(one.json.secret, undefined);
  assert.ok(!JSON.stringify((await api.get('/v1/audit-events?entity=webhook')).json).includes(r.json.secret.slice(6)));
  const p1 = await makePesantren(s, admin);
  const p2 = await makePesantren(s, admin);
  await api.patch(`/v1/pesantren/${p1.id}`, { leader_name: 'KH. Baru' }, { 'Content-Type': 'application/merge-patch+json' });
  await until('three deliveries', () => rx.got.length >= 3);
  await sleep(300);
  assert.deepEqual(rx.got.map((h) => [h.json.id, h.json.action]), [[p1.id, 'created'], [p2.id, 'created'], [p1.id, 'updated']]);
  assert.ok(!rx.got.some((h) => h.json.id === before1.id));
  for (const hit of rx.got) {
    assert.ok(verify(r.json.secret, hit), 'signature verifies');
    assert.equal(hit.headers['webhook-id'], hit.json.change_id);
    assert.equal(hit.json.path, `/v1/pesantren/${hit.json.id}`);
  }
  const d = await until('deliveries log', async () => {
    const l = await api.get(`/v1/webhooks/${r.json.id}/deliveries`);
    return l.json.items.length >= 3 && l;
  });
  assert.equal(d.json.items[0].success, true);
  assert.equal(d.json.items[0].status, 204);
  rx.close();
});

test('the deliveries log pages newest first, and refuses what it does not know', async () => {
  const rx = await receiver();
  const r = await api.post('/v1/webhooks', { url: rx.url, entities: ['pesantren'] });
  for (let i = 0; i < 3; i++) await makePesantren(s, admin);
  const path = `/v1/webhooks/${r.json.id}/deliveries`;
  const all = await until('three deliveries logged', async () => {
    const l = await api.get(path);
    return l.json.items.length >= 3 && l.json.items;
  });
  const first = await api.get(`${path}?limit=2`);
  assert.deepEqual(first.json.items.map((d) => d.id), all.slice(0, 2).map((d) => d.id));
  assert.ok(first.headers.get('etag'));
  const rest = await api.get(`${path}?limit=2&cursor=${encodeURIComponent(first.json.next_cursor)}`);
  assert.deepEqual(rest.json.items.map((d) => d.id), [all[2].id]);
  assert.equal(rest.json.next_cursor, null);
  expectProblem(assert, await api.get('/v1/webhooks/00000000-0000-4000-8000-000000000000/deliveries'), 404);
  expectProblem(assert, await api.get('/v1/webhooks/not-a-uuid/deliveries'), 404);
  expectProblem(assert, await api.get(`${path}?include_total=true`), 400);
  expectProblem(assert, await api.get(`${path}?limit=0`), 400, 'limit');
  expectProblem(assert, await api.get(`${path}?cursor=nonsense`), 400, 'cursor');
  rx.close();
});

test('a 503 and an answer later than the timeout are retried; the next item waits for the first', async () => {
  // The second attempt is answered 200, but only after the 1 s timeout.
  const rx = await receiver((hit, n) => (n === 1 ? 503 : n === 2 ? { status: 200, afterMs: 2500 } : 200));
  const r = await api.post('/v1/webhooks', { url: rx.url, entities: ['program'] });
  assert.equal(r.status, 201, r.text);
  const progs = [];
  for (const name of ['Pelatihan Webhook', 'Pelatihan Webhook Lanjut']) {
    const p = await api.post('/v1/programs', { name, pillar: 'pesantrenpreneur', year: 2024 });
    assert.equal(p.status, 201, p.text);
    progs.push(p.json.id);
  }
  const log = await until('four attempts logged', async () => {
    const l = await api.get(`/v1/webhooks/${r.json.id}/deliveries`);
    return l.json.items.length >= 4 && l.json.items;
  }, 600);
  const [p1, p2] = progs;
  assert.deepEqual(rx.got.map((h) => h.json.id), [p1, p1, p1, p2]);
  assert.ok(rx.got.every((h) => h.json.action === 'created'));
  assert.equal(new Set(rx.got.slice(0, 3).map((h) => h.headers['webhook-id'])).size, 1);
  const [fourth, third, second, first] = log;
  assert.deepEqual([first.attempt, first.status, first.success], [1, 503, false]);
  assert.ok(first.next_retry_at);
  // The late 200 does not count: the attempt is logged as timed out, and retried.
  assert.deepEqual([second.attempt, second.status, second.success], [2, null, false]);
  assert.match(second.error, /no answer within 1 s/);
  assert.ok(second.next_retry_at);
  assert.deepEqual([third.attempt, third.status, third.success, third.change_id], [3, 200, true, first.change_id]);
  assert.deepEqual([fourth.attempt, fourth.success], [1, true]);
  assert.notEqual(fourth.change_id, first.change_id);
  rx.close();
});

test('an endpoint failing for the whole retry window is deactivated, and says why', async () => {
  const short = await startServer({ env: { OPOP_WEBHOOK_ALLOW_PRIVATE: 'true', OPOP_WEBHOOK_RETRY_WINDOW: '4s' } });
  try {
    const token = await short.login();
    const sa = short.api(token);
    const rx = await receiver(() => 500);
    const r = await sa.post('/v1/webhooks', { url: rx.url });
    assert.equal(r.status, 201, r.text);
    await makePesantren(short, token);
    const off = await until('deactivation', async () => {
      const g = await sa.get(`/v1/webhooks/${r.json.id}`);
      return g.json.active === false && g.json;
    }, 300);
    assert.match(off.deactivated_reason, /deactivated/);
    const log = (await sa.get(`/v1/webhooks/${r.json.id}/deliveries`)).json.items;
    assert.match(log[0].error, /deactivated/);
    assert.equal(log[0].next_retry_at, null);
    assert.ok(log.length >= 2);
    // Turned back on, it starts again from the item it stopped at.
    const on = await sa.patch(`/v1/webhooks/${r.json.id}`, { active: true });
    assert.equal(on.status, 200, on.text);
    assert.equal(on.json.deactivated_reason, null);
    rx.close();
  } finally {
    await short.stop();
  }
});

test('validation: https only without the setting is judged in another server; fields are checked', async () => {
  expectProblem(assert, await api.post('/v1/webhooks', { url: 'ftp://example.org/' }), 422, 'url');
  expectProblem(assert, await api.post('/v1/webhooks', { url: 'https://example.org/', entities: ['user'] }), 422, 'entities');
  expectProblem(assert, await api.post('/v1/webhooks', { url: 'https://example.org/', active: false }), 422, 'active');
  const r = await api.post('/v1/webhooks', { url: 'https://example.org/hook' });
  const p = await api.patch(`/v1/webhooks/${r.json.id}`, { actions: ['deleted'] }, { 'If-Match': '"1"' });
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(p.json.actions, ['deleted']);
  assert.equal((await api.del(`/v1/webhooks/${r.json.id}`, { 'If-Match': '"1"' })).status, 412);
  assert.equal((await api.del(`/v1/webhooks/${r.json.id}`)).status, 204);
  assert.equal((await api.get(`/v1/webhooks/${r.json.id}`)).status, 404);
});

test('without OPOP_WEBHOOK_ALLOW_PRIVATE: http, private and link-local targets are refused before any connection', async () => {
  const strict = await startServer();
  try {
    const sa = strict.api(await strict.login());
    expectProblem(assert, await sa.post('/v1/webhooks', { url: 'http://example.org/' }), 422, 'url');
    for (const url of ['https://169.254.169.254/latest', 'https://10.0.0.1/', 'https://[::ffff:10.0.0.1]/', 'https://127.0.0.1/']) {
      expectProblem(assert, await sa.post('/v1/webhooks', { url }), 422, 'url');
    }
    // A name that resolves to loopback: refused at delivery, from the resolved address.
    const rx = await receiver();
    const port = new URL(rx.url).port;
    const r = await sa.post('/v1/webhooks', { url: `https://localhost:${port}/hook` });
    assert.equal(r.status, 201, r.text);
    await makePesantren(strict, await strict.login());
    const log = await until('a refused attempt', async () => {
      const l = await sa.get(`/v1/webhooks/${r.json.id}/deliveries`);
      return l.json.items.length >= 1 && l.json.items;
    });
    assert.match(log[0].error, /not a public address/);
    assert.equal(rx.got.length, 0);
    rx.close();
  } finally {
    await strict.stop();
  }
});
