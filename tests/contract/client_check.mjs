// The typed TypeScript client (clients/typescript, built by `npm run build`
// there: types generated from openapi/openapi.yaml by openapi-typescript,
// then compiled by tsc, which fails on any type that does not fit) walks the
// README's tour against a fresh server, then again on the same database (as
// on the demo's, the 2024 target is there already). Exits 0 when the tour
// ends as written both times.
//
//   (cd clients/typescript && npm ci && npm run build) && node tests/contract/client_check.mjs
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer, ADMIN_EMAIL, ADMIN_PASSWORD } from '../integration/lib/harness.mjs';

const tour = fileURLToPath(new URL('../../clients/typescript/dist/tour.js', import.meta.url));
let server;
let ok = false;
try {
  server = await startServer();
  for (const round of ['a fresh database', 'a database that has the tour\'s target']) {
    const run = spawnSync(process.execPath, [tour], {
      env: { ...process.env, OPOP_API: server.base, OPOP_EMAIL: ADMIN_EMAIL, OPOP_PASSWORD: ADMIN_PASSWORD },
      encoding: 'utf8',
      timeout: 120000,
    });
    process.stdout.write(run.stdout + run.stderr);
    ok = run.status === 0 && /^5\. \d+ changes/m.test(run.stdout);
    console.log(`${ok ? 'ok' : 'not ok'} - the typed client walks the README's tour on ${round} (exit ${run.status})`);
    if (!ok) break;
  }
} catch (e) {
  console.log(`not ok - the check ran: ${e.stack || e}`);
} finally {
  if (server) await server.stop().catch(() => {});
}
process.exit(ok ? 0 : 1);
