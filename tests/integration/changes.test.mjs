// The change feed: an OPD client that polls GET /v1/changes and reads what
// each change names ends with exactly the service's state, while writers run
// concurrently in short (HTTP) and long (psql) transactions that commit out of
// order; a transaction that commits late is never skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startServer, makeUser, makePesantren, expectProblem, psql, nspp } from './lib/harness.mjs';

let s, admin, viewerKey;
before(async () => {
  s = await startServer({ env: { OPOP_DB_POOL_SIZE: '8' } });
  admin = await s.login();
  const k = await s.api(admin).post('/v1/api-keys', { name: 'Sistem OPD Sinkron', role: 'viewer' });
  assert.equal(k.status, 201, k.text);
  viewerKey = k.json.key;
});
after(async () => s && s.stop());

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const tag = () => randomBytes(3).toString('hex');

/** The feed, in order, straight from the table (what a client must end up having read). */
function feedInDatabase() {
  const out = psql(s.db, `SELECT coalesce(string_agg(concat_ws(' ', entity, entity_id, version, action), E'\\n' ORDER BY xid, seq), '') FROM changes`);
  return out ? out.split('\n') : [];
}

/**
 * A psql session driven line by line, for transactions that stay open while
 * other writers commit. run(sql) resolves when psql has executed sql.
 */
function psqlSession(db) {
  const child = spawn('psql', ['-d', db, '-Atq', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters = [];
  child.stdout.on('data', (d) => {
    out += d;
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (out.includes(waiters[i].mark)) {
        waiters[i].resolve(out.slice(0, out.indexOf(waiters[i].mark)).trim());
        out = out.slice(out.indexOf(waiters[i].mark) + waiters[i].mark.length);
        waiters.splice(i, 1);
      }
    }
  });
  child.stderr.on('data', (d) => { err += d; });
  return {
    run(sql) {
      const mark = `--done-${tag()}--`;
      return new Promise((resolve, reject) => {
        waiters.push({ mark, resolve });
        child.once('exit', (code) => reject(new Error(`psql exited ${code}: ${err}`)));
        child.stdin.write(`${sql}\n\\echo ${mark}\n`);
      });
    },
    close() {
      return new Promise((resolve) => { child.once('exit', resolve); child.stdin.end(); });
    },
  };
}

/**
 * What an OPD system does: keep a cursor, poll the feed, and for each change
 * read the entity it names (or drop it when deleted or gone). It mirrors
 * pesantren and products, and remembers every item it was given.
 */
class SyncClient {
  constructor(token) {
    this.api = s.api(token);
    this.cursor = null;
    this.items = [];
    this.state = new Map();
  }

  async apply(item) {
    if (item.entity !== 'pesantren' && item.entity !== 'product') return;
    const url = item.path;
    const key = `${item.entity}:${item.id}`;
    if (item.action === 'deleted') {
      this.state.delete(key);
      return;
    }
    const r = await this.api.get(url);
    if (r.status === 404) this.state.delete(key);
    else if (r.status === 200) this.state.set(key, r.json);
    else throw new Error(`GET ${url}: ${r.status} ${r.text}`);
  }

  /** One page; resolves to the number of items it brought. */
  async poll(limit = 50) {
    const q = `/v1/changes?limit=${limit}${this.cursor ? '&since=' + encodeURIComponent(this.cursor) : ''}`;
    const r = await this.api.get(q);
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.json.next_cursor, 'string', 'next_cursor is always given');
    for (const item of r.json.items) {
      this.items.push(`${item.entity} ${item.id} ${item.version} ${item.action}`);
      await this.apply(item);
    }
    this.cursor = r.json.next_cursor;
    return r.json.items.length;
  }

  /** Polls until it has read everything in the table (writers have stopped). */
  async drain(deadlineMs = 30000) {
    const until = Date.now() + deadlineMs;
    while (Date.now() < until) {
      const n = await this.poll(100);
      if (n === 0) {
        if (this.items.length === feedInDatabase().length) return;
        await sleep(100);
      }
    }
    throw new Error('the feed did not catch up');
  }
}

/** Every document a list endpoint serves, keyed like the client's map. */
async function listAll(path, entity) {
  const all = new Map();
  let cursor = null;
  do {
    const r = await s.api(admin).get(`${path}?limit=100${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
    assert.equal(r.status, 200, r.text);
    for (const doc of r.json.items) all.set(`${entity}:${doc.id}`, doc);
    cursor = r.json.next_cursor;
  } while (cursor);
  return all;
}

async function serviceState() {
  const state = new Map([...(await listAll('/v1/pesantren', 'pesantren')), ...(await listAll('/v1/products', 'product'))]);
  return state;
}

function assertSameState(client, service) {
  const keys = (m) => [...m.keys()].sort();
  assert.deepEqual(keys(client), keys(service), 'the client holds exactly the entities the service holds');
  for (const [k, doc] of service) assert.deepEqual(client.get(k), doc, k);
}

test('an item has the documented shape and the feed starts at the beginning', async () => {
  const p = await makePesantren(s, admin);
  const r = await s.api(viewerKey).get('/v1/changes?limit=100');
  assert.equal(r.status, 200, r.text);
  const items = r.json.items;
  assert.ok(items.length >= 1);
  for (const item of items) {
    assert.deepEqual(Object.keys(item).sort(), ['action', 'at', 'entity', 'id', 'path', 'time', 'type', 'version']);
    assert.equal(item.type, item.entity);
    assert.equal(item.time, item.at);
    assert.match(item.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(['created', 'updated', 'deleted'].includes(item.action));
  }
  assert.ok(items.some((i) => i.entity === 'pesantren' && i.id === p.id && i.version === 1 && i.action === 'created'));
  // Users and API keys never appear in it.
  assert.ok(items.every((i) => i.entity !== 'user' && i.entity !== 'api_key'));
});

test('every item carries the path its entity is read at', async () => {
  const p = await makePesantren(s, admin);
  const prog = await s.api(admin).post('/v1/programs', { pillar: 'pesantrenpreneur', name: 'Program Sinkron', year: 2024 });
  assert.equal(prog.status, 201, prog.text);
  const enrol = await s.api(admin).post(`/v1/programs/${prog.json.id}/participants`, { pesantren_id: p.id });
  assert.equal(enrol.status, 201, enrol.text);
  const prod = await s.api(admin).post(`/v1/pesantren/${p.id}/products`, { name: 'Keripik Tempe', category: 'food' });
  assert.equal(prod.status, 201, prod.text);
  const visit = await s.api(admin).post(`/v1/pesantren/${p.id}/visits`, { visited_on: '2024-05-02', aspects: ['produk'], notes: 'Kunjungan' });
  assert.equal(visit.status, 201, visit.text);
  const m = await s.api(admin).post('/v1/measurements', { indicator_code: 'EMPLOYEES', pesantren_id: p.id, period: '2024', value: 12 });
  assert.equal(m.status, 201, m.text);
  // A viewer reads verified measurements only.
  for (const step of ['submit', 'verify']) assert.equal((await s.api(admin).post(`/v1/measurements/${m.json.id}/${step}`)).status, 200);
  const t = await s.api(admin).post('/v1/targets', { indicator_code: 'EMPLOYEES', period: '2031', value: 1000 });
  assert.equal(t.status, 201, t.text);
  const c = new SyncClient(viewerKey);
  const seen = [];
  for (;;) {
    const r = await s.api(viewerKey).get(`/v1/changes?limit=100${c.cursor ? '&since=' + c.cursor : ''}`);
    seen.push(...r.json.items);
    c.cursor = r.json.next_cursor;
    if (!r.json.has_more) break;
  }
  const entities = new Set();
  for (const item of seen) {
    const g = await s.api(viewerKey).get(item.path);
    assert.ok(g.status === 200 || (g.status === 404 && seen.some((i) => i.id === item.id && i.action === 'deleted')),
      `${item.entity} at ${item.path}: ${g.status}`);
    if (g.status === 200) {
      assert.equal(g.json.id, item.id);
      entities.add(item.entity);
    }
  }
  assert.deepEqual([...entities].sort(),
    ['enrolment', 'indicator', 'measurement', 'pesantren', 'product', 'program', 'target', 'visit']);
  const e = seen.find((i) => i.entity === 'enrolment' && i.id === enrol.json.id);
  assert.equal(e.path, `/v1/programs/${prog.json.id}/participants/${p.id}`);
});

test('created, updated and deleted follow each other, and an empty page keeps the cursor', async () => {
  const c = new SyncClient(viewerKey);
  while ((await c.poll(100)) > 0);
  const caughtUp = c.cursor;
  assert.equal(await c.poll(), 0);
  assert.equal(c.cursor, caughtUp, 'nothing new: the same cursor comes back');
  const p = await makePesantren(s, admin);
  await s.api(admin).patch(`/v1/pesantren/${p.id}`, { santri_count: 300 });
  await s.api(admin).del(`/v1/pesantren/${p.id}`);
  const r = await s.api(viewerKey).get(`/v1/changes?since=${encodeURIComponent(caughtUp)}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((i) => [i.entity, i.id, i.version, i.action]), [
    ['pesantren', p.id, 1, 'created'], ['pesantren', p.id, 2, 'updated'], ['pesantren', p.id, 2, 'deleted'],
  ]);
  assert.equal(r.json.has_more, false);
});

test('paging with limit returns every change once, in order; has_more tells when to fetch at once', async () => {
  for (let i = 0; i < 5; i++) await makePesantren(s, admin);
  const c = new SyncClient(viewerKey);
  let pages = 0;
  for (;;) {
    const r = await s.api(viewerKey).get(`/v1/changes?limit=3${c.cursor ? '&since=' + c.cursor : ''}`);
    assert.equal(r.status, 200);
    assert.ok(r.json.items.length <= 3);
    c.items.push(...r.json.items.map((i) => `${i.entity} ${i.id} ${i.version} ${i.action}`));
    c.cursor = r.json.next_cursor;
    pages++;
    if (!r.json.has_more) break;
  }
  assert.ok(pages >= 3);
  assert.deepEqual(c.items, feedInDatabase());
});

test('the entity filter narrows the feed without changing its order', async () => {
  const r = await s.api(viewerKey).get('/v1/changes?entity=pesantren&limit=100');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.length > 0 && r.json.items.every((i) => i.entity === 'pesantren'));
  const all = feedInDatabase().filter((line) => line.startsWith('pesantren ')).slice(0, 100);
  assert.deepEqual(r.json.items.map((i) => `${i.entity} ${i.id} ${i.version} ${i.action}`), all);
});

test('every role may read the feed; malformed parameters are 400', async () => {
  const p = await makePesantren(s, admin);
  for (const role of ['mentor', 'operator', 'viewer']) {
    const u = await makeUser(s, admin, role, role === 'operator' ? { pesantren_id: p.id } : {});
    assert.equal((await s.api(u.token).get('/v1/changes')).status, 200, role);
  }
  expectProblem(assert, await s.api().get('/v1/changes'), 401);
  for (const [q, field] of [
    ['since=nonsense', 'since'], ['since=', 'since'], ['since=%%', 'since'], ['limit=0', 'limit'], ['limit=101', 'limit'],
    ['entity=user', 'entity'], ['entity=api_key', 'entity'], ['cursor=abc', 'cursor'],
  ]) {
    expectProblem(assert, await s.api(viewerKey).get('/v1/changes?' + q), 400, field);
  }
  // A cursor of another list is not a feed position.
  const list = await s.api(admin).get('/v1/pesantren?limit=1');
  expectProblem(assert, await s.api(viewerKey).get('/v1/changes?since=' + list.json.next_cursor), 400, 'since');
  // Positions are numbers PostgreSQL must accept.
  const forged = Buffer.from('changes\x1f99999999999999999999999\x1f1').toString('base64url');
  expectProblem(assert, await s.api(viewerKey).get('/v1/changes?since=' + forged), 400, 'since');
});

test('a transaction that commits late is not skipped: later commits wait for it', async () => {
  const c = new SyncClient(viewerKey);
  while ((await c.poll(100)) > 0);
  const late = psqlSession(s.db);
  const lateNspp = nspp();
  await late.run(`BEGIN; INSERT INTO pesantren (nspp, name, region_code) VALUES ('${lateNspp}', 'Pondok Terlambat', '35.01');`);
  // Committed after the late row was inserted, so its sequence number is higher.
  const early = await makePesantren(s, admin);
  const seqOf = (nsppOrId, col) => psql(s.db, `SELECT c.seq FROM changes c JOIN pesantren p ON p.id = c.entity_id WHERE p.${col} = '${nsppOrId}'`);
  // Held back while the older transaction runs: a reader that handed out a
  // cursor past it could never go back for the late row.
  assert.equal(await c.poll(), 0);
  await late.run('COMMIT;');
  await late.close();
  const lateSeq = Number(seqOf(lateNspp, 'nspp'));
  assert.ok(lateSeq < Number(seqOf(early.id, 'id')), 'the late row drew the lower sequence number');
  await c.drain();
  const lateId = psql(s.db, `SELECT id FROM pesantren WHERE nspp = '${lateNspp}'`);
  const mine = c.items.filter((line) => line.includes(lateId) || line.includes(early.id));
  assert.deepEqual(mine, [`pesantren ${lateId} 1 created`, `pesantren ${early.id} 1 created`]);
  assert.deepEqual(c.items, feedInDatabase());
});

test('a long transaction in another database of the cluster does not hold the feed back', async () => {
  const c = new SyncClient(viewerKey);
  while ((await c.poll(100)) > 0);
  const other = psqlSession('postgres');
  await other.run('BEGIN; SELECT pg_current_xact_id();');
  try {
    const p = await makePesantren(s, admin);
    assert.equal(await c.poll(), 1);
    assert.deepEqual(c.items.slice(-1), [`pesantren ${p.id} 1 created`]);
  } finally {
    await other.run('COMMIT;');
    await other.close();
  }
});

test('a rolled-back transaction leaves nothing in the feed and does not stop it', async () => {
  const c = new SyncClient(viewerKey);
  while ((await c.poll(100)) > 0);
  const gone = psqlSession(s.db);
  await gone.run(`BEGIN; INSERT INTO pesantren (nspp, name, region_code) VALUES ('${nspp()}', 'Pondok Batal', '35.01');`);
  const p = await makePesantren(s, admin);
  assert.equal(await c.poll(), 0);
  await gone.run('ROLLBACK;');
  await gone.close();
  await c.drain();
  assert.deepEqual(c.items.slice(-1), [`pesantren ${p.id} 1 created`]);
});

/**
 * The reader the feed must not be: it pages by sequence number alone. It runs
 * beside the real client to show that the run did commit out of order.
 */
async function naiveReader(isRunning) {
  const seen = new Set();
  let after = 0;
  const query = (sql) => new Promise((resolve, reject) =>
    execFile('psql', ['-d', s.db, '-Atqc', sql], (err, out) => (err ? reject(err) : resolve(out.trim()))));
  while (isRunning()) {
    const out = await query(`SELECT seq FROM changes WHERE seq > ${after} ORDER BY seq`);
    for (const line of out ? out.split('\n') : []) {
      seen.add(Number(line));
      after = Math.max(after, Number(line));
    }
    await sleep(30);
  }
  const all = (await query('SELECT seq FROM changes WHERE seq <= ' + after)).split('\n').map(Number);
  return all.filter((seq) => !seen.has(seq)).length;
}

/** One HTTP writer: random creates, patches and deletes of pesantren and products. */
async function httpWriter(token, owned, until, failures) {
  const api = s.api(token);
  const check = (r, what) => {
    if (r.status >= 500) failures.push(`${what}: ${r.status} ${r.text}`);
    return r;
  };
  while (Date.now() < until) {
    // An operator only edits its own pesantren and products.
    const roll = owned.operator ? 0.2 + Math.random() * 0.8 : Math.random();
    const pes = owned.pesantren;
    if (roll >= 0.45 && roll < 0.5 && owned.operator) {
      continue;
    } else if (roll < 0.2 || pes.length === 0) {
      const r = check(await api.post('/v1/pesantren', { nspp: nspp(), name: `Pondok Sinkron ${tag()}`, region_code: '35.15' }), 'create pesantren');
      if (r.status === 201) pes.push(r.json.id);
    } else if (roll < 0.45) {
      check(await api.patch(`/v1/pesantren/${pick(pes)}`, { santri_count: Math.floor(Math.random() * 5000) }), 'patch pesantren');
    } else if (roll < 0.5) {
      const id = pes.splice(Math.floor(Math.random() * pes.length), 1)[0];
      check(await api.del(`/v1/pesantren/${id}`), 'delete pesantren');
    } else if (roll < 0.7 || owned.products.length === 0) {
      const r = check(await api.post(`/v1/pesantren/${pick(pes)}/products`, { name: `Produk ${tag()}`, category: 'food', price_idr: 15000 }), 'create product');
      if (r.status === 201) owned.products.push(r.json.id);
    } else if (roll < 0.9) {
      check(await api.patch(`/v1/products/${pick(owned.products)}`, { price_idr: Math.floor(Math.random() * 100000) }), 'patch product');
    } else {
      const id = owned.products.splice(Math.floor(Math.random() * owned.products.length), 1)[0];
      check(await api.del(`/v1/products/${id}`), 'delete product');
    }
  }
}

/**
 * Long transactions through psql: each inserts a pesantren and a product,
 * sleeps while the HTTP writers commit around it, updates an existing
 * pesantren, and commits (one in four rolls back).
 */
function psqlWriter(rounds) {
  let script = '\\set ON_ERROR_STOP 0\n';
  for (let i = 0; i < rounds; i++) {
    const n = nspp();
    script += `BEGIN;
INSERT INTO pesantren (nspp, name, region_code) VALUES ('${n}', 'Pondok Panjang ${tag()}', '35.16');
SELECT pg_sleep(${(0.1 + Math.random() * 0.4).toFixed(2)});
INSERT INTO products (pesantren_id, name, category) SELECT id, 'Produk Panjang ${tag()}', 'craft' FROM pesantren WHERE nspp = '${n}';
UPDATE pesantren SET santri_count = ${i} WHERE id = (SELECT id FROM pesantren WHERE nspp <> '${n}' ORDER BY random() LIMIT 1);
SELECT pg_sleep(${(Math.random() * 0.3).toFixed(2)});
${i % 4 === 3 ? 'ROLLBACK' : 'COMMIT'};
`;
  }
  return new Promise((resolve) => {
    const child = spawn('psql', ['-d', s.db, '-Atq'], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('exit', resolve);
    child.stdin.end(script);
  });
}

test('a client polling while writers run concurrently ends with exactly the service state', { timeout: 120000 }, async (t) => {
  const owner = await makePesantren(s, admin, { region_code: '35.15' });
  const operator = await makeUser(s, admin, 'operator', { pesantren_id: owner.id });
  const client = new SyncClient(viewerKey);
  const until = Date.now() + 4000;
  const failures = [];
  const writers = [
    httpWriter(admin, { pesantren: [], products: [] }, until, failures),
    httpWriter(admin, { pesantren: [], products: [] }, until, failures),
    httpWriter(admin, { pesantren: [], products: [] }, until, failures),
    httpWriter(operator.token, { pesantren: [owner.id], products: [], operator: true }, until, failures),
    psqlWriter(8),
    psqlWriter(8),
  ];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      if ((await client.poll(20)) === 0) await sleep(20);
    }
  })();
  const naive = naiveReader(() => polling);
  await Promise.all(writers);
  polling = false;
  await poller;
  assert.deepEqual(failures, []);
  const skipped = await naive;
  assert.ok(skipped > 0, 'transactions committed out of sequence order (a reader paging by seq skipped some)');
  await client.drain();
  // Every change exactly once, in the feed's order...
  assert.deepEqual(client.items, feedInDatabase());
  // ...and the mirror equals what the service holds.
  assertSameState(client.state, await serviceState());
  assert.ok(client.state.size > 20, `a busy run (${client.state.size} entities)`);
  t.diagnostic(`${client.items.length} changes, ${client.state.size} entities mirrored; a seq-paging reader skipped ${skipped}`);
});
