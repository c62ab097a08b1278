// Backup and restore: deploy/backup.sh takes a consistent dump while writes go
// on, deploy/restore.sh puts it into a fresh database, and the restored
// service answers every report as the original did, with every table's rows
// the same (count and checksum).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, makePesantren, psql } from './lib/harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const REPORTS = ['/v1/reports/achievement?year=2024', '/v1/reports/regions?indicator=OMZET&year=2024',
  '/v1/reports/cohorts?indicator=OMZET', '/v1/reports/pillars?year=2024'];

let s, admin, dir;
const url = (db) => `host=${process.env.PGHOST} port=${process.env.PGPORT || 5432} dbname=${db} user=postgres`;
const run = (script, args, env = {}) =>
  execFileSync(join(root, 'deploy', script), args, { encoding: 'utf8', env: { ...process.env, ...env } }).trim();

before(async () => {
  s = await startServer();
  psql(s.db, '\\i ' + join(root, 'deploy/demo.sql'));
  admin = await s.login();
  dir = mkdtempSync(join(tmpdir(), 'opop-backup-'));
  chmodSync(dir, 0o755);
});
after(async () => {
  if (s) await s.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function restoreInto() {
  const db = 'r_' + randomBytes(5).toString('hex');
  psql('postgres', `CREATE DATABASE ${db}`);
  return db;
}

/** Every table's row count and an order-free checksum of its rows. */
function tableSums(db) {
  const tables = psql(db, `SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`).split(' ');
  return Object.fromEntries(tables.map((t) => [t, psql(db,
    `SELECT count(*) || ' ' || coalesce(md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))), '') FROM "${t}" x`)]));
}

test('a backup taken during writes restores to one consistent instant', async () => {
  let writing = true;
  const writes = (async () => { while (writing) await makePesantren(s, admin); })();
  await new Promise((r) => setTimeout(r, 200));
  const file = run('backup.sh', [dir], { OPOP_DATABASE_URL: url(s.db) });
  writing = false;
  await writes;
  const db = restoreInto();
  assert.match(run('restore.sh', [file, url(db)]), /restored/);
  // Each pesantren and its feed entry were written in one transaction: both or neither.
  assert.equal(psql(db, 'SELECT count(*) FROM pesantren'),
    psql(db, "SELECT count(*) FROM changes WHERE entity = 'pesantren' AND action = 'created'"));
  assert.equal(psql(db, `SELECT count(*) FROM changes c WHERE NOT EXISTS (SELECT 1 FROM audit_events a
    WHERE a.entity = c.entity AND a.entity_id = c.entity_id)`), '0');
});

test('a restored database serves the same reports and holds the same rows', async () => {
  const file = run('backup.sh', [dir], { OPOP_DATABASE_URL: url(s.db) });
  const db = restoreInto();
  run('restore.sh', [file, url(db)]);
  assert.deepEqual(tableSums(db), tableSums(s.db));
  const restored = await startServer({ db });
  try {
    const token = await restored.login();
    for (const path of REPORTS) {
      const a = await s.api(admin).get(path);
      const b = await restored.api(token).get(path);
      assert.equal(a.status, 200, a.text);
      assert.deepEqual(b.json, a.json, path);
    }
  } finally {
    await restored.stop();
  }
});

test('backup keeps the newest OPOP_BACKUP_KEEP files; restore refuses a database that is not empty', () => {
  for (let i = 0; i < 2; i++) run('backup.sh', [dir], { OPOP_DATABASE_URL: url(s.db), OPOP_BACKUP_KEEP: '1' });
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.dump')).length, 1);
  const [file] = readdirSync(dir);
  assert.throws(() => run('restore.sh', [join(dir, file), url(s.db)]), /not empty/);
});
