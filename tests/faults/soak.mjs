// Driven by soak.sh: a mixed load (reads, lists, writes, reports, sign-ins)
// for DURATION seconds against one server, its resident memory (VmRSS from
// /proc/PID/status) sampled every SAMPLE_SECONDS. Prints RSS at start (idle,
// before any request), its range each minute, the peak and at the end (idle
// again), and the growth of its floor (lowest sample) from the first minute
// of load (pools, prepared statements and allocator arenas filled) to the
// last; fails over 10 %, on a 5xx or a request without an answer.
//
// env: OPOP_BIN, PGHOST, OPOP_DB, DURATION (600 seconds), SAMPLE_SECONDS (5),
//      WORKERS (8), PORT (18768)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

const env = process.env;
const SECONDS = Number(env.DURATION || 600);
const SAMPLE_SECONDS = Number(env.SAMPLE_SECONDS || 5);
const WORKERS = Number(env.WORKERS || 8);
const PORT = Number(env.PORT || 18768);
const base = `http://127.0.0.1:${PORT}`;
const RUN = randomBytes(3).toString('hex');
const ADMIN = { email: 'admin@example.org', password: 'Admin-pass-123' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const child = spawn(env.OPOP_BIN, ['serve'], {
  env: { ...env, OPOP_PORT: String(PORT), OPOP_LOG_LEVEL: 'error',
    OPOP_DATABASE_URL: `host=${env.PGHOST} dbname=${env.OPOP_DB} user=postgres`,
    OPOP_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, OPOP_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const exited = new Promise((r) => child.once('exit', (code) => r(code)));

function rssKiB() {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  return Number(m[1]);
}

async function call(method, path, token, body, headers = {}) {
  const r = await fetch(base + path, { method, signal: AbortSignal.timeout(30000),
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined });
  const text = await r.text();
  return { status: r.status, json: text && r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null };
}

for (let i = 0; i < 200; i++) {
  try { if ((await fetch(base + '/readyz')).status === 200) break; } catch { /* not yet */ }
  await sleep(50);
}
const startRss = rssKiB();
const token = (await call('POST', '/v1/auth/login', null, ADMIN)).json.token;
const pesantren = [];
for (let p = 0; p < 10; p++) {
  const nspp = `6${String(Number.parseInt(RUN, 16) % 1000).padStart(3, '0')}${String(p).padStart(8, '0')}`;
  pesantren.push((await call('POST', '/v1/pesantren', token, { nspp, name: `Pondok Soak ${p}`, region_code: '35.78' })).json.id);
}

const counts = {};
let writes = 0;
let stop = false;
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const kinds = [
  [0.30, 'read', () => call('GET', `/v1/pesantren/${pick(pesantren)}`, token)],
  [0.15, 'list', () => call('GET', '/v1/measurements?limit=50&include_total=true', token)],
  [0.20, 'write', () => {
    const n = writes++;
    const period = `${2000 + Math.floor(n / 120) % 100}-${String((n % 12) + 1).padStart(2, '0')}`;
    const indicator = ['OMZET', 'ASET', 'EMPLOYEES'][Math.floor(n / 12000) % 3];
    return call('POST', '/v1/measurements', token,
      { indicator_code: indicator, pesantren_id: pesantren[Math.floor(n / 12) % 10], period, value: n },
      { 'Idempotency-Key': `soak-${RUN}-${n}` });
  }],
  [0.10, 'patch', () => call('PATCH', `/v1/pesantren/${pick(pesantren)}`, token, { santri_count: writes % 1000 })],
  [0.20, 'report', () => call('GET', pick(['/v1/reports/achievement?year=2024&include_unverified=true',
    '/v1/reports/regions?indicator=OMZET&year=2024', '/v1/reports/achievement?year=2001']), token)],
  [0.05, 'error', () => call('POST', '/v1/pesantren', token, { nspp: 'x', name: '' })],
];

async function signIns() { // one client signing in and out all along (argon2id: costly by design)
  while (!stop) {
    const r = await call('POST', '/v1/auth/login', null, ADMIN);
    counts[`sign-in ${r.status}`] = (counts[`sign-in ${r.status}`] || 0) + 1;
    if (r.json?.token) await call('POST', '/v1/auth/logout', r.json.token);
    await sleep(500);
  }
}

async function worker() {
  while (!stop) {
    let x = Math.random();
    const [, kind, run] = kinds.find(([share]) => (x -= share) < 0) || kinds[0];
    try {
      const r = await run();
      counts[`${kind} ${r.status}`] = (counts[`${kind} ${r.status}`] || 0) + 1;
    } catch (e) {
      counts[`${kind} ${e.name}`] = (counts[`${kind} ${e.name}`] || 0) + 1;
    }
  }
}

const started = Date.now();
const samples = [];
const load = [...Array.from({ length: WORKERS }, worker), signIns()];
const mib = (k) => `${(k / 1024).toFixed(1)} MiB`;
const low = (from, to) => Math.min(...samples.filter((x) => x.at > from && x.at <= to).map((x) => x.kib));
const high = (from, to) => Math.max(...samples.filter((x) => x.at > from && x.at <= to).map((x) => x.kib));
let minute = 60;
while (Date.now() - started < SECONDS * 1000) {
  await sleep(SAMPLE_SECONDS * 1000);
  const at = (Date.now() - started) / 1000;
  samples.push({ at, kib: rssKiB() });
  if (at >= minute) {
    console.log(`  minute ${minute / 60}: RSS ${mib(low(minute - 60, at))} to ${mib(high(minute - 60, at))}`);
    minute += 60;
  }
}
const elapsed = (Date.now() - started) / 1000;
stop = true;
await Promise.all(load);
await sleep(1000);
const idleAfter = rssKiB();
child.kill('SIGTERM');
const code = await exited;
const total = Object.values(counts).reduce((a, b) => a + b, 0);
// A sign-in holds argon2id's 64 MiB for a moment, so single samples jump;
// the lowest RSS of a window is the floor a leak would raise.
const window = Math.min(60, SECONDS / 4);
const first = low(0, window);
const last = low(elapsed - window, elapsed);
const growth = ((last - first) / first) * 100;
console.log(`${SECONDS} s of mixed load, ${WORKERS} workers + 1 signing in: ${total} requests ` +
  `(${(total / SECONDS).toFixed(0)}/s), ${samples.length} RSS samples every ${SAMPLE_SECONDS} s`);
for (const [k, v] of Object.entries(counts).sort()) console.log(`  ${k}: ${v}`);
console.log(`RSS at start (idle, before any request): ${mib(startRss)}`);
console.log(`RSS during the first ${window} s: ${mib(first)} to ${mib(high(0, window))}`);
console.log(`RSS peak: ${mib(Math.max(...samples.map((x) => x.kib)))}`);
console.log(`RSS during the last ${window} s: ${mib(last)} to ${mib(high(elapsed - window, elapsed))}`);
console.log(`RSS at end (idle, after the load): ${mib(idleAfter)}`);
console.log(`growth of the floor, first to last window: ${growth.toFixed(1)} % (${growth < 10 ? 'under' : 'NOT under'} 10 %)`);
const unexpected = Object.keys(counts).filter((k) => / (5\d\d|TimeoutError|TypeError)$/.test(k));
console.log(`server exit code ${code}; 5xx or failed requests: ${unexpected.length ? unexpected.join(', ') : 'none'}`);
process.exit(growth < 10 && code === 0 && unexpected.length === 0 ? 0 : 1);
