// Growth under control: the audit trail and the change feed are partitioned
// by month; the service creates the coming months at start and removes feed
// rows older than OPOP_CHANGES_RETENTION_DAYS (whole months by dropping their
// partition), and a cursor that lies before removed changes gets 410.
// Rows are aged by setting their timestamps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makePesantren, expectProblem, psql } from './lib/harness.mjs';

let s, admin;
before(async () => {
  s = await startServer();
  admin = await s.login();
});
after(async () => s && s.stop());

async function restart(env = {}) {
  await s.stop();
  s = await startServer({ db: s.db, env });
  admin = await s.login();
}

/** Moves every change and audit row of an entity days into the past. */
function age(id, days) {
  psql(s.db, `SELECT opop_partition_create('changes', now() - interval '${days} days'),
                     opop_partition_create('audit_events', now() - interval '${days} days')`);
  psql(s.db, `UPDATE changes SET at = now() - interval '${days} days' WHERE entity_id = '${id}'`);
  psql(s.db, `UPDATE audit_events SET at = now() - interval '${days} days' WHERE entity_id = '${id}'`);
}

const count = (table, id) => Number(psql(s.db, `SELECT count(*) FROM ${table} WHERE entity_id = '${id}'`));

test('the coming months have partitions from the start', () => {
  for (const table of ['changes', 'audit_events']) {
    const months = psql(s.db, `SELECT count(*) FROM opop_partitions('${table}') p
                                WHERE p.upper_bound > now() AND p.lower_bound <= now() + interval '3 months'`);
    assert.equal(Number(months), 4, `${table}: this month and three ahead`);
  }
});

test('changes past the retention are removed, a cursor before them is 410, later cursors and audit rows stay', async () => {
  const old = await makePesantren(s, admin);
  const api = s.api(admin);
  const first = await api.get('/v1/changes?limit=100');
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.items.at(-1).id, old.id);
  const stale = first.json.next_cursor; // read up to the creation, not the update that follows
  assert.equal((await api.patch(`/v1/pesantren/${old.id}`, { santri_count: 120 }, { 'If-Match': '"1"' })).status, 200);
  const recent = await makePesantren(s, admin);
  const fresh = await makePesantren(s, admin);
  let all = await api.get('/v1/changes?limit=100');
  const caughtUp = all.json.next_cursor;

  age(old.id, 500);
  age(recent.id, 300);
  const oldMonth = psql(s.db, `SELECT partition FROM opop_partitions('changes') WHERE lower_bound <= now() - interval '500 days' AND upper_bound > now() - interval '500 days'`);
  assert.ok(oldMonth, 'a partition holds the aged month');

  await restart(); // the service expires at start (and every hour)

  assert.equal(count('changes', old.id), 0, 'changes older than 400 days are removed');
  assert.equal(count('changes', recent.id), 1, 'changes younger than 400 days stay');
  assert.equal(count('changes', fresh.id), 1);
  assert.equal(psql(s.db, `SELECT to_regclass('${oldMonth}') IS NULL`), 't', 'the expired month was dropped whole');
  assert.equal(count('audit_events', old.id), 2, 'the audit trail keeps every row');

  const api2 = s.api(admin);
  const gone = await api2.get(`/v1/changes?since=${encodeURIComponent(stale)}`);
  expectProblem(assert, gone, 410);
  assert.match(gone.json.detail, /from its start/);

  const later = await api2.get(`/v1/changes?since=${encodeURIComponent(caughtUp)}`);
  assert.equal(later.status, 200, later.text);
  assert.deepEqual(later.json.items, []);

  all = await api2.get('/v1/changes?limit=100');
  assert.equal(all.status, 200);
  const ids = all.json.items.map((c) => c.id);
  assert.ok(!ids.includes(old.id) && ids.includes(recent.id) && ids.includes(fresh.id), ids.join(' '));
});

test('OPOP_CHANGES_RETENTION_DAYS narrows what is kept', async () => {
  const p = await makePesantren(s, admin);
  age(p.id, 100);
  await restart({ OPOP_CHANGES_RETENTION_DAYS: '90' });
  assert.equal(count('changes', p.id), 0);
  assert.equal(count('audit_events', p.id), 1);
});
