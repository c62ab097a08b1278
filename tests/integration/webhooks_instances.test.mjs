// Two instances on one database, both deliverers running: every feed item
// reaches every endpoint exactly once (counted by its webhook-id header) and
// in feed order, while changes are written through both instances.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer, makePesantren, psql, until } from './lib/harness.mjs';

// More endpoints than one instance attempts at once (16): while the receiver
// holds the first round of deliveries, the second instance must take the rest.
const ENDPOINTS = 20;
const ROUNDS = 5; // each writes 3 changes at once, through both instances

/** One receiver for all endpoints (/hook/<n>); answers wait while holding. */
async function receiver() {
  const hits = new Map();
  const waiting = [];
  let holding = true;
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const n = req.url.split('/').pop();
      if (!hits.has(n)) hits.set(n, []);
      hits.get(n).push({ id: req.headers['webhook-id'], change: JSON.parse(body).change_id });
      // A little jitter, so the two deliverers' claims and releases interleave.
      const answer = () => setTimeout(() => res.writeHead(204).end(), Math.random() * 20);
      if (holding) waiting.push(answer);
      else answer();
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${srv.address().port}/hook/`;
  return {
    hits,
    base,
    waiting: () => waiting.length,
    release() { holding = false; waiting.splice(0).forEach((answer) => answer()); },
    close() { srv.closeAllConnections(); srv.close(); },
  };
}

let a, b, admin, rx;
before(async () => {
  // A held delivery must not time out while the test looks at the leases.
  const env = { OPOP_WEBHOOK_ALLOW_PRIVATE: 'true', OPOP_WEBHOOK_TIMEOUT: '30' };
  a = await startServer({ env });
  b = await startServer({ db: a.db, env });
  admin = await a.login();
  rx = await receiver();
});
after(async () => {
  rx?.close();
  await b?.stop();
  await a?.stop();
});

const leaseOwners = () => Number(psql(a.db, 'SELECT count(DISTINCT lease_owner) FROM webhook_state WHERE lease_until > now()'));

/** Every endpoint has moved past the last change and none is held: nothing is in flight or left to send. */
const allDelivered = () => psql(a.db, `SELECT count(*) FROM webhook_state s
  WHERE s.lease_owner IS NOT NULL
     OR (s.after_xid, s.after_seq) < (SELECT c.xid, c.seq FROM changes c ORDER BY c.xid DESC, c.seq DESC LIMIT 1)`) === '0';

/** The pesantren items of the change feed, in feed order. */
const feed = () => psql(a.db, "SELECT string_agg(seq::text, ',' ORDER BY xid, seq) FROM changes WHERE entity = 'pesantren'").split(',');

test('two instances deliver each feed item once per endpoint, in feed order, both delivering', async () => {
  const ids = [];
  for (let n = 0; n < ENDPOINTS; n++) {
    const r = await a.api(admin).post('/v1/webhooks', { url: rx.base + n, entities: ['pesantren'] });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.id);
  }
  const adminB = await b.login();
  const first = await makePesantren(a, admin);
  // Both instances hold leases at the same moment: both deliverers work.
  await until('every endpoint attempted', () => rx.waiting() >= ENDPOINTS, 60000);
  assert.equal(leaseOwners(), 2);
  rx.release();

  let last = first;
  for (let i = 0; i < ROUNDS; i++) {
    const [p] = await Promise.all([
      makePesantren(a, admin),
      makePesantren(b, adminB),
      b.api(adminB).patch(`/v1/pesantren/${last.id}`, { leader_name: `KH. Ke-${i}` }),
    ]);
    last = p;
  }
  await until('every item delivered everywhere', allDelivered, 120000);

  const order = feed();
  assert.equal(order.length, 1 + 3 * ROUNDS);
  for (let n = 0; n < ENDPOINTS; n++) {
    const got = rx.hits.get(String(n)) || [];
    assert.deepEqual(got.map((h) => h.id), order, `endpoint ${n}: each item once, in feed order`);
    assert.ok(got.every((h) => h.id === h.change));
    const log = (await a.api(admin).get(`/v1/webhooks/${ids[n]}/deliveries?limit=100`)).json.items;
    assert.deepEqual(log.map((d) => d.change_id).reverse(), order, `endpoint ${n}: one logged attempt per item`);
    assert.ok(log.every((d) => d.success && d.attempt === 1));
  }
});
