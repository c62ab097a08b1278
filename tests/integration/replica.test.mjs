// A real streaming replica (pg_basebackup -R of a private cluster) behind
// OPOP_DATABASE_READ_URL: reports read from it while it keeps up; lists stay
// on the primary; a replica that falls behind (replay paused) or goes away
// hands the reports to the primary, and /metrics says which.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { startServer, privateCluster, until } from './lib/harness.mjs';

const REPO = new URL('../../', import.meta.url).pathname;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let cluster, standby, s, api, db;

function pg(fn, ...args) {
  execFileSync('bash', ['-c', `. deploy/lib/pg.sh && ${fn} "$@"`, 'pg', ...args],
    { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
}

function onStandby(sql) {
  return execFileSync('psql', ['-h', join(standby, 'run'), '-p', '5432', '-U', 'postgres', '-d', db, '-Atqc', sql],
    { encoding: 'utf8' }).trim();
}

async function metric(name) {
  const text = (await api.get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

const replicaReads = () => metric('opop_db_replica_reads_total{target="replica"}');
const primaryReads = () => metric('opop_db_replica_reads_total{target="primary"}');
const state = async () => {
  const text = (await api.get('/metrics')).text;
  return (/^opop_db_read_replica_state\{state="([a-z_]+)"\} 1$/m.exec(text) || [])[1];
};

async function programmes2024() {
  const r = await api.get('/v1/reports/pillars?year=2024');
  assert.equal(r.status, 200, r.text);
  return r.json.items.find((i) => i.pillar === 'santripreneur').programs;
}

before(async () => {
  cluster = privateCluster();
  db = 'replica_' + crypto.randomUUID().slice(0, 8);
  cluster.createDb(db);
  standby = join(dirname(cluster.dir), 'standby');
  pg('opop_pg_standby', cluster.dir, standby);
  s = await startServer({
    db,
    env: {
      OPOP_DATABASE_URL: cluster.url(db),
      OPOP_DATABASE_READ_URL: `host=${join(standby, 'run')} port=5432 dbname=${db} user=postgres`,
      OPOP_READ_MAX_LAG: '1',
    },
  });
  api = s.api(await s.login());
});

after(async () => {
  try {
    if (s) await s.stop();
  } finally {
    if (standby) pg('opop_pg_stop', standby);
    if (cluster) cluster.remove();
  }
});

test('reports read from a replica that keeps up, and an idle primary is no lag', async () => {
  await until('the replica judged usable', async () => (await state()) === 'usable');
  const created = await api.post('/v1/programs', { pillar: 'santripreneur', name: 'Santri Replika 1', year: 2024 });
  assert.equal(created.status, 201, created.text);
  const before1 = await replicaReads();
  await until('the programme replayed on the replica', async () => (await programmes2024()) === 1);
  assert.ok((await replicaReads()) > before1, 'the report was read from the replica');
  const ran = onStandby(`SELECT count(*) FROM pg_stat_activity
                          WHERE datname = current_database() AND query LIKE '%report_pillars_counted%'`);
  assert.ok(Number(ran) >= 1, 'the report statement ran on the standby');
  // Nothing is written now: the replica stays usable, its lag 0.
  await sleep(2500);
  assert.equal(await state(), 'usable');
  assert.equal(await metric('opop_db_read_replica_lag_seconds'), 0);
});

test('a replica further behind than OPOP_READ_MAX_LAG hands reports to the primary; lists never leave it', async () => {
  onStandby('SELECT pg_wal_replay_pause()');
  try {
    const created = await api.post('/v1/programs', { pillar: 'santripreneur', name: 'Santri Replika 2', year: 2024 });
    assert.equal(created.status, 201, created.text);
    const list = await api.get('/v1/programs');
    assert.ok(list.json.items.some((p) => p.id === created.json.id), 'a list reads the primary');
    await until('the replica judged lagging', async () => (await state()) === 'lagging');
    assert.equal(await metric('opop_db_read_replica_usable'), 0);
    assert.ok((await metric('opop_db_read_replica_lag_seconds')) >= 1);
    assert.equal(onStandby("SELECT count(*) FROM programs WHERE name LIKE 'Santri Replika%'"), '1');
    const primaryBefore = await primaryReads();
    assert.equal(await programmes2024(), 2, 'the report sees the primary, not the paused replica');
    assert.ok((await primaryReads()) > primaryBefore);
  } finally {
    onStandby('SELECT pg_wal_replay_resume()');
  }
  await until('the replica usable again', async () => (await state()) === 'usable');
  assert.equal(await programmes2024(), 2);
});

test('reports still answer when the replica stops, at once and after', async () => {
  await until('the replica usable', async () => (await state()) === 'usable');
  pg('opop_pg_stop', standby);
  // The first report after the stop finds its replica connection dead and is
  // read again from the primary.
  assert.equal(await programmes2024(), 2);
  await until('the replica judged unreachable', async () => (await state()) === 'unreachable');
  assert.equal(await metric('opop_db_read_replica_usable'), 0);
  for (let i = 0; i < 3; i++) assert.equal(await programmes2024(), 2);
  const csv = await api.get('/v1/reports/pillars?year=2024', { Accept: 'text/csv' });
  assert.equal(csv.status, 200, csv.text);
  assert.equal((await api.get('/readyz')).status, 200, 'the primary is what readiness means');
});
