// The typed TypeScript client (clients/typescript, built by `npm run build`
// there: types generated from openapi/openapi.yaml by openapi-typescript,
// then compiled by tsc, which fails on any type that does not fit) walks the
// README's tour against a fresh server, then against one with the demo data
// (deploy/demo.sql, which has the tour's target already). Exits 0 when the
// tour ends as written both times.
//
//   (cd clients/typescript && npm ci && npm run build) && node tests/contract/client_check.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer, ADMIN_EMAIL, ADMIN_PASSWORD } from '../integration/lib/harness.mjs';

const tour = fileURLToPath(new URL('../../clients/typescript/dist/tour.js', import.meta.url));
const demo = fileURLToPath(new URL('../../deploy/demo.sql', import.meta.url));

async function walk(round, withDemo) {
  const server = await startServer();
  try {
    if (withDemo) execFileSync('psql', ['-d', server.db, '-q', '-v', 'ON_ERROR_STOP=1', '-f', demo], { stdio: 'ignore' });
    const run = spawnSync(process.execPath, [tour], {
      env: { ...process.env, OPOP_API: server.base, OPOP_EMAIL: ADMIN_EMAIL, OPOP_PASSWORD: ADMIN_PASSWORD },
      encoding: 'utf8',
      timeout: 120000,
    });
    process.stdout.write(run.stdout + run.stderr);
    const ok = run.status === 0 && /^5\. \d+ changes/m.test(run.stdout);
    console.log(`${ok ? 'ok' : 'not ok'} - the typed client walks the README's tour on ${round} (exit ${run.status})`);
    return ok;
  } finally {
    await server.stop().catch(() => {});
  }
}

let ok = false;
try {
  ok = (await walk('a fresh database', false)) && (await walk('the demo database', true));
} catch (e) {
  console.log(`not ok - the check ran: ${e.stack || e}`);
}
process.exit(ok ? 0 : 1);
