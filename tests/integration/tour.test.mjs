// The README's tour for client developers, run as written (its sh blocks, in
// order, as a reader pastes them into a shell) against a fresh database and
// against one with the demo data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, psql } from './lib/harness.mjs';

const README = new URL('../../README.md', import.meta.url).pathname;
const DEMO = new URL('../../deploy/demo.sql', import.meta.url).pathname;

// The sh blocks of the tour; with beforeSync, only those before step 5 (on
// the demo data the mirror of step 5 reads every entity, one request each).
function tourScript(base, beforeSync) {
  const text = readFileSync(README, 'utf8');
  let tour = text.slice(text.indexOf('## Tour for client developers'));
  if (beforeSync) tour = tour.slice(0, tour.indexOf('**5. Sync'));
  const blocks = [...tour.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.join('\n').replace('API=http://127.0.0.1:8080', `API=${base}`);
}

async function runTour(demo) {
  // The tour's webhook receiver is on loopback, which the server refuses without this.
  const s = await startServer({ env: { OPOP_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  const dir = mkdtempSync(join(tmpdir(), 'opop-tour-'));
  try {
    if (demo) execFileSync('psql', ['-d', s.db, '-q', '-v', 'ON_ERROR_STOP=1', '-f', DEMO], { stdio: 'ignore' });
    const out = execFileSync('bash', ['-c', tourScript(s.base, demo)], { cwd: dir, encoding: 'utf8' });
    assert.match(out, /"email": "admin@example.org"/);
    assert.match(out, /^"submitted"$/m);
    assert.match(out, /^"verified"$/m);
    assert.match(out, /\{"row":2,"status":200\}/);
    assert.doesNotMatch(out, /^\s*"(id|value|target|actual)": null/m, out);
    assert.equal(Number(psql(s.db, "SELECT count(*) FROM pesantren WHERE nspp = '510035780001'")), 1);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await s.stop();
  }
}

test('the tour runs as written on a fresh database', async () => {
  const out = await runTour(false);
  assert.match(out, /"value": 1500000000/);
  // The receiver checked the signature with nothing but Python's hmac.
  assert.match(out, /^verified \{"change_id"/m);
  assert.doesNotMatch(out, /BAD SIGNATURE/);
});

test('the tour up to the change feed runs as written on the demo database', async () => {
  await runTour(true);
});
