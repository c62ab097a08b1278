// Starting safely: the bind address, and migrations that must not have changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startServer, psql } from './lib/harness.mjs';

const MIGRATION = '0001_core';
const migrationSum = () => createHash('sha256')
  .update(readFileSync(new URL(`../../db/migrations/${MIGRATION}.sql`, import.meta.url), 'utf8')).digest('hex');

test('OPOP_BIND=::1 listens on IPv6 loopback and logs the address really bound', async () => {
  const s = await startServer({ host: '[::1]', env: { OPOP_BIND: '::1', OPOP_LOG_LEVEL: 'info' } });
  try {
    assert.equal((await fetch(s.base + '/healthz')).status, 200);
    await assert.rejects(fetch(`http://127.0.0.1:${s.port}/healthz`));
    assert.match(s.log(), new RegExp(`serving on http://\\[::1\\]:${s.port} `));
  } finally {
    await s.stop();
  }
});

test('a mistyped OPOP_BIND stops the start with one line naming it', async () => {
  for (const bind of [' 10.0.0.1', '127.0.0.01']) {
    await assert.rejects(startServer({ env: { OPOP_BIND: bind } }), /configuration: OPOP_BIND must be/);
  }
});

test('applied migrations carry their sha256; an edited one stops the start, naming it', async () => {
  const s = await startServer();
  await s.stop();
  assert.equal(psql(s.db, `SELECT checksum FROM schema_migrations WHERE name = '${MIGRATION}'`), migrationSum());
  // A database migrated before checksums were kept gets them at the next start.
  psql(s.db, 'UPDATE schema_migrations SET checksum = NULL');
  const again = await startServer({ db: s.db });
  await again.stop();
  assert.equal(psql(s.db, `SELECT checksum FROM schema_migrations WHERE name = '${MIGRATION}'`), migrationSum());
  assert.equal(psql(s.db, 'SELECT count(*) FROM schema_migrations WHERE checksum IS NULL'), '0');
  // The text applied differs from the binary's: refuse to start.
  psql(s.db, `UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE name = '${MIGRATION}'`);
  await assert.rejects(startServer({ db: s.db }), new RegExp(`migration ${MIGRATION} was changed after it was applied`));
});

test('the region codes have one rule: a regions table that disagrees with it stops the start', async () => {
  const s = await startServer();
  await s.stop();
  psql(s.db, "DELETE FROM regions WHERE code = '35.79'");
  await assert.rejects(startServer({ db: s.db }), /the regions table holds 37 of the 38 region codes/);
  psql(s.db, "INSERT INTO regions (code, name, kind) VALUES ('35.79', 'Kota Batu', 'kota'), ('35.80', 'Kota Baru', 'kota')");
  await assert.rejects(startServer({ db: s.db }), /the regions table holds 35\.80, which is not a region code/);
  psql(s.db, "DELETE FROM regions WHERE code = '35.80'");
  const again = await startServer({ db: s.db });
  await again.stop();
});
