// Driven by shutdown.sh: a server under load of 32 clients gets SIGTERM.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';

const port = 18766;
const base = `http://127.0.0.1:${port}`;
const child = spawn(process.env.OPOP_BIN, ['serve'], {
  env: { ...process.env, OPOP_PORT: String(port), OPOP_LOG_LEVEL: 'error',
    OPOP_DATABASE_URL: `host=${process.env.PGHOST} dbname=${process.env.OPOP_DB} user=postgres`,
    OPOP_BOOTSTRAP_ADMIN_EMAIL: 'admin@example.org', OPOP_BOOTSTRAP_ADMIN_PASSWORD: 'Admin-pass-123' },
  stdio: 'inherit',
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let i = 0; i < 200; i++) { try { if ((await fetch(base + '/healthz')).ok) break; } catch {} await sleep(50); }
const token = (await (await fetch(base + '/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ email: 'admin@example.org', password: 'Admin-pass-123' }) })).json()).token;
const auth = { Authorization: `Bearer ${token}` };
const counts = {};
let stop = false;
let termAt = 0;
const t = () => ((Date.now() - termAt) / 1000).toFixed(2);
async function client() {
  while (!stop) {
    const started = Date.now();
    try {
      const r = await fetch(base + '/v1/reports/achievement?year=2024', { headers: auth });
      await r.text();
      const k = `${started >= termAt && termAt ? 'sent after SIGTERM' : 'sent before SIGTERM'}: ${r.status}`;
      counts[k] = (counts[k] || 0) + 1;
    } catch (e) {
      const k = `${termAt && started >= termAt ? 'sent after SIGTERM' : 'sent before SIGTERM'}: ${e.cause?.code || e.message}`;
      counts[k] = (counts[k] || 0) + 1;
      if (termAt) await sleep(20);
    }
  }
}
const clients = Array.from({ length: 32 }, client);
await sleep(2000);
const exited = new Promise((r) => child.once('exit', (code) => r({ code, at: t() })));
termAt = Date.now();
child.kill('SIGTERM');
let ready503 = null;
let refused = null;
while (ready503 === null || refused === null) {
  try {
    const r = await fetch(base + '/readyz', { headers: { Connection: 'close' } });
    if (r.status === 503 && ready503 === null) ready503 = t();
  } catch {
    if (refused === null) {
      refused = await new Promise((res) => {
        const s = connect(port, '127.0.0.1');
        s.on('connect', () => { s.destroy(); res(null); });
        s.on('error', (e) => res(`${e.code} at ${t()} s`));
      });
    }
  }
  await sleep(10);
  if (Date.now() - termAt > 15000) break;
}
const exit = await exited;
stop = true;
await Promise.all(clients);
console.log(`/readyz 503 at ${ready503} s after SIGTERM`);
console.log(`new connections refused: ${refused}`);
console.log(`exit code ${exit.code} at ${exit.at} s after SIGTERM`);
for (const [k, v] of Object.entries(counts).sort()) console.log(`  ${k} x${v}`);
