// Cost of each kind of request in CPU time, the server's and PostgreSQL's,
// so that requests per second per core can be read off on a machine shared
// with other work (wall-clock throughput there says little). For each
// scenario: COUNT requests from CONCURRENCY clients, the CPU both used
// meanwhile (from /proc), and the bytes the writes added to the database.
//
// env: BASE, API_KEY, API_PID, PG_PID (the postmaster), DATABASE_URL,
//      COUNT (2000), CONCURRENCY (8), PASSWORD_USER (email:password, for sign-ins)
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const env = process.env;
const COUNT = Number(env.COUNT || 2000);
const CONCURRENCY = Number(env.CONCURRENCY || 8);
const TICK = 100; // clock ticks per second (USER_HZ on Linux)
const auth = { Authorization: `Bearer ${env.API_KEY}` };
const RUN = randomBytes(3).toString('hex');

function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime, stime
  } catch {
    return 0;
  }
}

function children(ppid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}

// PostgreSQL's CPU: the postmaster and its children (pooled backends live on).
const pgTicks = () => [Number(env.PG_PID), ...children(Number(env.PG_PID))].reduce((s, p) => s + cpuTicks(p), 0);
const sql = (q) => execFileSync('psql', [env.DATABASE_URL, '-Atqc', q], { encoding: 'utf8' }).trim();
const dbBytes = () => Number(sql('SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c ' +
  "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm')"));

const ids = sql('SELECT id FROM pesantren ORDER BY random() LIMIT 500').split('\n');
const regions = sql('SELECT code FROM regions').split('\n');
const codes = ['OMZET', 'ASET', 'SANTRI_TRAINED', 'ALUMNI_TRAINED', 'KOPPONTREN_MEMBERS', 'PRODUCTS_HALAL', 'EMPLOYEES'];
const pick = (a) => a[Math.floor(Math.random() * a.length)];
let seq = 0;

const scenarios = {
  read: () => ({ path: `/v1/pesantren/${pick(ids)}`, expect: 200 }),
  list: () => ({ path: `/v1/pesantren?limit=20&region_code=${pick(regions)}`, expect: 200 }),
  write: () => {
    const n = ++seq;
    return {
      path: '/v1/pesantren', expect: 201, method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `cap-${RUN}-${n}` },
      body: JSON.stringify({ nspp: '8' + String(Number.parseInt(RUN, 16) % 1000).padStart(3, '0') + String(n).padStart(8, '0'),
        name: `Pondok Kapasitas ${n}`, region_code: pick(regions), santri_count: n % 900 }),
    };
  },
  // A draft measurement: pesantren, indicator and month all from the counter,
  // months before the generated data, so none collides.
  measurement: () => {
    const n = ++seq;
    const month = Math.floor(n / (ids.length * 7));
    const period = `${2000 + Math.floor(month / 12)}-${String(1 + (month % 12)).padStart(2, '0')}`;
    return {
      path: '/v1/measurements', expect: 201, method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ indicator_code: codes[Math.floor(n / ids.length) % 7], pesantren_id: ids[n % ids.length],
        period, value: n % 1000 }),
    };
  },
  report: () => ({ path: '/v1/reports/achievement?year=2024', expect: 200 }),
  report_region: () => ({ path: `/v1/reports/regions?indicator=OMZET&year=2024`, expect: 200 }),
  login: () => {
    const [email, password] = env.PASSWORD_USER.split(':');
    return { path: '/v1/auth/login', expect: 200, method: 'POST', noauth: true,
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) };
  },
};

async function run(name, count) {
  const make = scenarios[name];
  let left = count;
  let errors = 0;
  const times = [];
  const bytes0 = dbBytes();
  const api0 = cpuTicks(Number(env.API_PID));
  const pg0 = pgTicks();
  const t0 = Date.now();
  async function client() {
    while (left-- > 0) {
      const r = make();
      const started = performance.now();
      const res = await fetch(env.BASE + r.path, { method: r.method || 'GET', body: r.body,
        headers: { ...(r.noauth ? {} : auth), ...(r.headers || {}) } });
      await res.arrayBuffer();
      times.push(performance.now() - started);
      if (res.status !== r.expect) errors++;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  const wall = (Date.now() - t0) / 1000;
  const apiMs = ((cpuTicks(Number(env.API_PID)) - api0) * 1000) / TICK / count;
  const pgMs = ((pgTicks() - pg0) * 1000) / TICK / count;
  times.sort((a, b) => a - b);
  return {
    scenario: name, requests: count, errors, wall_rps: Math.round(count / wall),
    p99_ms: Math.round(times[Math.ceil(times.length * 0.99) - 1]),
    api_cpu_ms: +apiMs.toFixed(3), pg_cpu_ms: +pgMs.toFixed(3),
    rps_per_core: Math.round(1000 / (apiMs + pgMs)),
    bytes_per_request: name === 'write' || name === 'measurement' ? Math.round((dbBytes() - bytes0) / count) : undefined,
  };
}

const rows = [];
for (const name of ['read', 'list', 'write', 'measurement', 'report', 'report_region']) rows.push(await run(name, COUNT));
rows.push(await run('login', Math.max(20, Math.round(COUNT / 50))));
console.log('| scenario | requests | errors | wall req/s | p99 ms | server CPU ms/req | PostgreSQL CPU ms/req | req/s per core | bytes stored/req |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.scenario} | ${r.requests} | ${r.errors} | ${r.wall_rps} | ${r.p99_ms} | ${r.api_cpu_ms} | ${r.pg_cpu_ms} | ${r.rps_per_core} | ${r.bytes_per_request ?? ''} |`);
}
