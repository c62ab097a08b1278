// Steady mixed load through HAProxy while each instance of deploy/cluster.sh
// is restarted in turn (SIGTERM, drained, started again by the cluster), then
// the books: every request's outcome, p99 during each restart, and every
// acknowledged write stored exactly once.
//
// env: BASE (HAProxy), API_KEY, STATE (the cluster's state folder with
//      instance-I.pid), INSTANCES (3), PORT (HAProxy's; instance I is on
//      PORT+I), WORKERS (8), SETTLE_MS (3000: load before the first and after
//      each restart), DATABASE_URL (for the final count, through psql)
// Prints a JSON summary; exits 1 when a request failed or a write is not
// stored once.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const env = process.env;
const BASE = env.BASE;
const INSTANCES = Number(env.INSTANCES || 3);
const WORKERS = Number(env.WORKERS || 8);
const SETTLE_MS = Number(env.SETTLE_MS || 3000);
const RUN = randomBytes(3).toString('hex');
const auth = { Authorization: `Bearer ${env.API_KEY}` };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const samples = []; // { at, ms, kind, ok, status }
const acked = []; // { key, id, nspp }
const failures = [];
let stop = false;
let seq = 0;

async function timed(kind, path, init, expect) {
  const at = Date.now();
  let status = 0;
  let body;
  try {
    const r = await fetch(BASE + path, { ...init, headers: { ...auth, ...(init.headers || {}) } });
    status = r.status;
    body = await r.text();
  } catch (e) {
    body = String(e.cause || e);
  }
  const ok = status === expect;
  samples.push({ at, ms: Date.now() - at, kind, ok, status });
  if (!ok) failures.push({ kind, path, status, body: (body || '').slice(0, 200), at });
  return ok ? body : undefined;
}

async function write() {
  const n = ++seq;
  const nspp = '9' + String(Number.parseInt(RUN, 16) % 1000).padStart(3, '0') + String(n).padStart(8, '0');
  const key = `load-${RUN}-${n}`;
  const body = JSON.stringify({ nspp, name: `Pondok Beban ${RUN} ${n}`, region_code: '35.78' });
  const text = await timed('write', '/v1/pesantren',
    { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key } }, 201);
  if (text) acked.push({ key, id: JSON.parse(text).id, nspp, body });
}

async function read() {
  const pick = acked.length ? acked[Math.floor(Math.random() * acked.length)] : undefined;
  if (pick && Math.random() < 0.5) return timed('read', `/v1/pesantren/${pick.id}`, {}, 200);
  return timed('list', '/v1/pesantren?limit=20&region_code=35.78', {}, 200);
}

const report = () => timed('report', '/v1/reports/achievement?year=2024', {}, 200);

async function worker() {
  while (!stop) {
    const x = Math.random();
    if (x < 0.5) await read();
    else if (x < 0.8) await write();
    else await report();
  }
}

async function ready(port) {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

async function restart(i) {
  const pidFile = `${env.STATE}/instance-${i}.pid`;
  const old = readFileSync(pidFile, 'utf8').trim();
  const start = Date.now();
  process.kill(Number(old), 'SIGTERM');
  for (;;) {
    let now = '';
    try { now = readFileSync(pidFile, 'utf8').trim(); } catch { /* being written */ }
    if (now && now !== old && (await ready(Number(env.PORT) + i))) break;
    if (Date.now() - start > 60000) throw new Error(`instance ${i} did not come back`);
    await sleep(100);
  }
  // HAProxy takes it back after two good checks a second apart.
  await sleep(SETTLE_MS);
  return { instance: i, from: start, to: Date.now() };
}

function p99(list) {
  if (list.length === 0) return null;
  const sorted = list.map((s) => s.ms).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
}

function figures(from, to) {
  const inside = samples.filter((s) => s.at >= from && s.at < to);
  return { requests: inside.length, errors: inside.filter((s) => !s.ok).length, p99_ms: p99(inside) };
}

function storedOnce() {
  const keys = acked.map((a) => `'${a.nspp}'`).join(',') || "''";
  const rows = execFileSync('psql', [env.DATABASE_URL, '-Atqc',
    `SELECT count(*), count(DISTINCT nspp) FROM pesantren WHERE name LIKE 'Pondok Beban ${RUN} %'
       AND nspp IN (${keys})`], { encoding: 'utf8' }).trim().split('|').map(Number);
  const all = Number(execFileSync('psql', [env.DATABASE_URL, '-Atqc',
    `SELECT count(*) FROM pesantren WHERE name LIKE 'Pondok Beban ${RUN} %'`], { encoding: 'utf8' }).trim());
  return { acknowledged: acked.length, stored: rows[0], distinct: rows[1], rows_of_this_run: all };
}

// The same key again answers the first result, and stores nothing new.
async function replays() {
  let same = 0;
  for (const a of acked.slice(0, 20)) {
    const r = await fetch(BASE + '/v1/pesantren', { method: 'POST', body: a.body,
      headers: { ...auth, 'Content-Type': 'application/json', 'Idempotency-Key': a.key } });
    const j = await r.json();
    if (r.status === 201 && j.id === a.id) same++;
  }
  return { tried: Math.min(20, acked.length), same };
}

const started = Date.now();
const workers = Array.from({ length: WORKERS }, worker);
await sleep(SETTLE_MS);
const windows = [];
for (let i = 1; i <= INSTANCES; i++) windows.push(await restart(i));
stop = true;
await Promise.all(workers);
const ended = Date.now();
const books = storedOnce();
const replayed = await replays();
const summary = {
  seconds: (ended - started) / 1000,
  workers: WORKERS,
  total: figures(started, ended + 1),
  by_kind: Object.fromEntries(['read', 'list', 'write', 'report'].map((k) => {
    const s = samples.filter((x) => x.kind === k);
    return [k, { requests: s.length, errors: s.filter((x) => !x.ok).length, p99_ms: p99(s) }];
  })),
  restarts: windows.map((w) => ({ instance: w.instance, seconds: (w.to - w.from) / 1000, ...figures(w.from, w.to) })),
  writes: books,
  replays: replayed,
  failures: failures.slice(0, 10),
};
console.log(JSON.stringify(summary, null, 2));
const good = summary.total.errors === 0 && books.stored === books.acknowledged && books.distinct === books.stored &&
  books.rows_of_this_run === books.acknowledged && replayed.same === replayed.tried;
process.exit(good ? 0 : 1);
