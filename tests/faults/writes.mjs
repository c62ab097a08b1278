// Driven by writes.sh: WRITES measurement writes, each with its own
// Idempotency-Key, from CLIENTS concurrent clients that retry the same request
// (same key, same body) on a connection error, a timeout or a 503, while
// PostgreSQL is restarted twice (fast shutdown, then start) and the service
// once (SIGTERM, then started again). Then the books: every write a client saw
// acknowledged (201) is stored exactly once, and nothing else is.
//
// env: OPOP_BIN, PGHOST, OPOP_DB, PG_BIN (pg_ctl's folder), PG_DATA, PG_LOG,
//      WRITES (20000), CLIENTS (32), PORT (18767)
// Prints the counts; exits 1 on a loss, a double, a stray row, a 500, a
// timeout or any answer other than 201, 503 or a refused connection.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const env = process.env;
const WRITES = Number(env.WRITES || 20000);
const CLIENTS = Number(env.CLIENTS || 32);
const PORT = Number(env.PORT || 18767);
const PESANTREN = 20; // writes spread over PESANTREN x months (unique per indicator, pesantren, period)
const REQUEST_TIMEOUT_MS = 30000;
const WRITE_DEADLINE_MS = 180000;
const base = `http://127.0.0.1:${PORT}`;
const RUN = randomBytes(4).toString('hex');
const NOTE = `faults-writes-${RUN}`;
const API_KEY = `faults-${randomBytes(16).toString('hex')}`;
const auth = { Authorization: `Bearer ${API_KEY}` };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const clock = () => ((Date.now() - started) / 1000).toFixed(1);

const counts = { attempts: 0, 'answer 201': 0, 'answer 201 replayed (Idempotent-Replayed)': 0, 'answer 503': 0,
  'connection error': 0, timeout: 0 };
const anomalies = []; // answers other than 201/503/connection errors, and writes given up
const acked = new Map(); // write number -> id
let next = 0;
let server;
const events = [];

function startServer() {
  const child = spawn(env.OPOP_BIN, ['serve'], {
    env: { ...env, OPOP_PORT: String(PORT), OPOP_LOG_LEVEL: 'error',
      OPOP_DATABASE_URL: `host=${env.PGHOST} dbname=${env.OPOP_DB} user=postgres`, OPOP_BOOTSTRAP_API_KEY: API_KEY },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return child;
}

async function waitReady() {
  for (let i = 0; i < 600; i++) {
    try { if ((await fetch(base + '/readyz')).status === 200) return; } catch { /* not yet */ }
    await sleep(50);
  }
  throw new Error('service not ready after 30 s');
}

function pgCtl(...args) {
  const cmd = [`${env.PG_BIN}/pg_ctl`, '-D', env.PG_DATA, ...args];
  const asOwner = process.getuid() === 0 ? ['runuser', ['-u', 'postgres', '--', ...cmd]] : [cmd[0], cmd.slice(1)];
  execFileSync(asOwner[0], asOwner[1], { stdio: 'ignore' });
}

function psql(sql) {
  return execFileSync('psql', ['-d', env.OPOP_DB, '-Atqc', sql], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
}

async function setup() {
  const ids = [];
  for (let p = 0; p < PESANTREN; p++) {
    const nspp = `5${String(Number.parseInt(RUN, 16) % 1000).padStart(3, '0')}${String(p).padStart(8, '0')}`;
    const r = await fetch(base + '/v1/pesantren', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ nspp, name: `Pondok Tulis ${RUN} ${p}`, region_code: '35.78' }) });
    if (r.status !== 201) throw new Error(`pesantren: ${r.status} ${await r.text()}`);
    ids.push((await r.json()).id);
  }
  return ids;
}

function bodyOf(n, pesantren) {
  const month = Math.floor(n / PESANTREN);
  const period = `${2000 + Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;
  return JSON.stringify({ indicator_code: 'OMZET', pesantren_id: pesantren[n % PESANTREN], period, value: n, note: NOTE });
}

// One write to the end: the same key and body until a 201, a final answer
// other than 503, or the deadline.
async function write(n, pesantren) {
  const init = { method: 'POST', body: bodyOf(n, pesantren),
    headers: { ...auth, 'Content-Type': 'application/json', 'Idempotency-Key': `${RUN}-${n}` } };
  const deadline = Date.now() + WRITE_DEADLINE_MS;
  while (Date.now() < deadline) {
    counts.attempts++;
    let status;
    let text;
    let replayed;
    try {
      const r = await fetch(base + '/v1/measurements', { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      status = r.status;
      replayed = r.headers.get('idempotent-replayed') === 'true';
      text = await r.text();
    } catch (e) {
      const timedOut = e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError';
      counts[timedOut ? 'timeout' : 'connection error']++;
      if (timedOut) anomalies.push({ n, what: 'no answer in 30 s' });
      await sleep(50 + Math.random() * 150);
      continue;
    }
    counts[`answer ${status}`] = (counts[`answer ${status}`] || 0) + 1;
    if (status === 201) {
      if (replayed) counts['answer 201 replayed (Idempotent-Replayed)']++;
      const id = JSON.parse(text).id;
      if (acked.has(n) && acked.get(n) !== id) anomalies.push({ n, what: 'two ids for one key' });
      acked.set(n, id);
      return;
    }
    if (status !== 503) {
      anomalies.push({ n, status, body: text.slice(0, 200) });
      return;
    }
    await sleep(100 + Math.random() * 200);
  }
  anomalies.push({ n, what: 'given up after 180 s of retries' });
}

async function client(pesantren) {
  while (next < WRITES) await write(next++, pesantren);
}

async function untilAcked(fraction) {
  while (acked.size < WRITES * fraction && next < WRITES) await sleep(20);
}

async function restartPostgres() {
  events.push(`${clock()} s: PostgreSQL fast shutdown at ${acked.size} acknowledged`);
  pgCtl('-m', 'fast', '-w', 'stop');
  await sleep(1000);
  pgCtl('-l', env.PG_LOG, '-w', 'start');
  events.push(`${clock()} s: PostgreSQL started`);
}

async function restartService() {
  events.push(`${clock()} s: service SIGTERM at ${acked.size} acknowledged`);
  server.kill('SIGTERM');
  const exit = await server.exited;
  events.push(`${clock()} s: service exited (code ${exit.code}, signal ${exit.signal})`);
  server = startServer();
  await waitReady();
  events.push(`${clock()} s: service ready again`);
}

// The books, from the table: rows of this run, rows per write, acknowledged ids present.
function books() {
  const rows = psql(`SELECT id, value::bigint FROM measurements WHERE note = '${NOTE}'`).split('\n').filter(Boolean)
    .map((l) => l.split('|'));
  const perWrite = new Map();
  for (const [, v] of rows) perWrite.set(v, (perWrite.get(v) || 0) + 1);
  const storedIds = new Set(rows.map(([id]) => id));
  const ackedIds = new Set(acked.values());
  return {
    acknowledged: acked.size,
    rows_of_this_run: rows.length,
    writes_stored_more_than_once: [...perWrite.values()].filter((c) => c > 1).length,
    acknowledged_missing: [...ackedIds].filter((id) => !storedIds.has(id)).length,
    stored_not_acknowledged: [...storedIds].filter((id) => !ackedIds.has(id)).length,
  };
}

server = startServer();
await waitReady();
const pesantren = await setup();
const writeStart = Date.now();
const clients = Array.from({ length: CLIENTS }, () => client(pesantren));
const faults = (async () => {
  await untilAcked(0.2);
  await restartPostgres();
  await untilAcked(0.45);
  await restartService();
  await untilAcked(0.7);
  await restartPostgres();
})();
await Promise.all(clients);
await faults;
const seconds = (Date.now() - writeStart) / 1000;
const b = books();
server.kill('SIGTERM');
const last = await server.exited;
console.log(`${WRITES} writes, ${CLIENTS} clients, ${seconds.toFixed(1)} s (${(WRITES / seconds).toFixed(0)} writes/s)`);
for (const e of events) console.log(`  ${e}`);
for (const [k, v] of Object.entries(counts)) console.log(`${k}: ${v}`);
for (const [k, v] of Object.entries(b)) console.log(`${k}: ${v}`);
console.log(`other answers and given-up writes: ${anomalies.length}`);
for (const a of anomalies.slice(0, 10)) console.log(`  ${JSON.stringify(a)}`);
console.log(`final exit: code ${last.code}`);
const good = anomalies.length === 0 && b.acknowledged === WRITES && b.rows_of_this_run === WRITES &&
  b.writes_stored_more_than_once === 0 && b.acknowledged_missing === 0 && b.stored_not_acknowledged === 0 &&
  !counts['answer 500'];
console.log(good ? 'nothing lost, nothing doubled' : 'FAILED: see the counts above');
process.exit(good ? 0 : 1);
