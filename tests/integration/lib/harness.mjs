// Integration harness: every test file starts its own server (the real binary)
// on a free port against a fresh database in the cluster that tests/run.sh
// started, and talks to it over HTTP.
import { spawn, execFileSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const ADMIN_EMAIL = 'admin@example.org';
export const ADMIN_PASSWORD = 'Admin-pass-123';

// Contract check: with OPOP_CONTRACT_OUT set (tests/run.sh sets it), every
// answer received through fetch is validated against the OpenAPI document
// (tests/contract/lib/fetch_hook.mjs); violations go to files in that folder.
if (process.env.OPOP_CONTRACT_OUT) await (await import('../../contract/lib/fetch_hook.mjs')).install();

const BIN = process.env.OPOP_BIN || new URL('../../../build/opop-api', import.meta.url).pathname;

export function psql(db, sql) {
  return execFileSync('psql', ['-d', db, '-Atqc', sql], { encoding: 'utf8' }).trim();
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The service runs as RUNTIME_ROLE, a login member of the group role that
// migration 0007 grants the service's rights to (no UPDATE, DELETE or TRUNCATE
// on audit_events, no schema changes); it migrates as postgres, the owner.
export const RUNTIME_ROLE = 'opop_app';
let rolesReady = false;

/** Creates the runtime roles of the cluster once (test files may race: both ends are fine). */
export function ensureRuntimeRoles(db = 'postgres', run = psql) {
  if (rolesReady && run === psql) return;
  for (const stmt of [
    "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'opop_runtime') THEN CREATE ROLE opop_runtime NOLOGIN; END IF;",
    `IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${RUNTIME_ROLE}') THEN CREATE ROLE ${RUNTIME_ROLE} LOGIN; END IF;`,
    `IF NOT pg_has_role('${RUNTIME_ROLE}', 'opop_runtime', 'MEMBER') THEN GRANT opop_runtime TO ${RUNTIME_ROLE}; END IF;`,
  ]) {
    run(db, `DO $$ BEGIN ${stmt} EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
  }
  if (run === psql) rolesReady = true;
}

/** libpq connection string for db in the tests' cluster, as user. */
export function dbUrl(db, user) {
  return `host=${process.env.PGHOST} port=${process.env.PGPORT || 5432} dbname=${db} user=${user}`;
}

// Sanitizer reports in a server's stderr fail the test run.
const SANITIZER = /(ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:)/;

/**
 * Starts the server. options.env adds or overrides environment variables;
 * options.db reuses a database (for restarts); options.host is the address
 * the tests reach it at (default 127.0.0.1; '[::1]' with OPOP_BIND=::1). Returns
 * { base, db, port, api(token), login(), stop(), log() }.
 */
export async function startServer(options = {}) {
  const db = options.db || 't_' + randomBytes(6).toString('hex');
  if (!options.db) psql('postgres', `CREATE DATABASE ${db}`);
  const port = options.port || (await freePort());
  const logDir = mkdtempSync(join(tmpdir(), 'opop-it-'));
  const logPath = join(logDir, 'server.log');
  // A test that names its own database URL runs with that one URL (as before).
  const ownUrl = options.env && 'OPOP_DATABASE_URL' in options.env;
  if (!ownUrl) ensureRuntimeRoles();
  const env = {
    ...process.env,
    OPOP_DATABASE_URL: dbUrl(db, RUNTIME_ROLE),
    ...(ownUrl ? {} : { OPOP_MIGRATE_DATABASE_URL: dbUrl(db, 'postgres') }),
    OPOP_PORT: String(port),
    OPOP_LOG_LEVEL: 'warning',
    OPOP_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
    OPOP_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    OPOP_DB_POOL_SIZE: '4',
    ...(options.env || {}),
  };
  const chunks = [];
  const child = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => chunks.push(d));
  child.stderr.on('data', (d) => chunks.push(d));
  const base = `http://${options.host || '127.0.0.1'}:${port}`;
  let up = false;
  for (let i = 0; i < 200 && child.exitCode === null; i++) {
    try {
      const r = await fetch(base + '/healthz');
      if (r.status === 200) { up = true; break; }
    } catch { /* not listening yet */ }
    await sleep(50);
  }
  const log = () => Buffer.concat(chunks).toString('utf8');
  if (!up) {
    child.kill('SIGKILL');
    throw new Error(`server did not start (exit ${child.exitCode}):\n${log()}`);
  }
  const server = {
    base, db, port, child, logPath,
    log,
    api: (token) => client(base, token),
    async login(email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
      const r = await client(base).post('/v1/auth/login', { email, password });
      if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${r.text}`);
      return r.json.token;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        let timer;
        await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 15000); })]);
        clearTimeout(timer);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      const text = log();
      if (SANITIZER.test(text)) throw new Error('sanitizer report in server output:\n' + text);
    },
  };
  return server;
}

/** A small HTTP client: every call resolves to { status, headers, text, json }. */
export function client(base, token) {
  async function request(method, path, body, headers = {}) {
    const h = { ...headers };
    if (token && !('Authorization' in h)) h.Authorization = `Bearer ${token}`;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      if (!('Content-Type' in h)) h['Content-Type'] = 'application/json';
    }
    const r = await fetch(base + path, { method, headers: h, body: payload });
    const text = await r.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: r.status, headers: r.headers, text, json };
  }
  return {
    request,
    get: (p, h) => request('GET', p, undefined, h),
    post: (p, b, h) => request('POST', p, b, h),
    patch: (p, b, h) => request('PATCH', p, b, h),
    put: (p, b, h) => request('PUT', p, b, h),
    del: (p, h) => request('DELETE', p, undefined, h),
  };
}

/** Creates a user with role (and extra fields) through the admin API; returns { id, token, email }. */
export async function makeUser(server, adminToken, role, extra = {}) {
  const email = `${role}-${randomBytes(4).toString('hex')}@example.org`;
  const password = 'Secret-pass-' + randomBytes(3).toString('hex');
  const r = await server.api(adminToken).post('/v1/users', { email, name: `Test ${role}`, role, password, ...extra });
  if (r.status !== 201) throw new Error(`create ${role}: ${r.status} ${r.text}`);
  const token = await server.login(email, password);
  return { id: r.json.id, token, email, password };
}

let nsppCounter = Number(BigInt('0x' + randomBytes(3).toString('hex')) % 100000n) * 1000;
/** A fresh, unique 12-digit NSPP. */
export function nspp() {
  nsppCounter += 1;
  return '5100' + String(nsppCounter).padStart(8, '0');
}

/** Creates a pesantren as admin; returns its document. */
export async function makePesantren(server, adminToken, fields = {}) {
  const r = await server.api(adminToken).post('/v1/pesantren', {
    nspp: nspp(), name: 'Pondok Pesantren Uji ' + randomBytes(2).toString('hex'), region_code: '35.78', ...fields,
  });
  if (r.status !== 201) throw new Error(`create pesantren: ${r.status} ${r.text}`);
  return r.json;
}

/** Asserts an RFC 9457 problem with status (and, when given, an error on field). */
export function expectProblem(assert, r, status, field) {
  assert.equal(r.status, status, `want ${status}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/);
  assert.equal(r.json.status, status);
  assert.equal(typeof r.json.title, 'string');
  assert.equal(typeof r.json.type, 'string');
  assert.equal(typeof r.json.detail, 'string');
  if (field !== undefined) {
    assert.ok(Array.isArray(r.json.errors), 'errors list expected: ' + r.text);
    assert.ok(r.json.errors.some((e) => e.field === field), `error on ${field} expected: ${r.text}`);
  }
}

/**
 * Sends raw bytes over one TCP connection and resolves to
 * { status, headers (lower-case keys), body, raw, ms } of the first response
 * (status 0 when the server closed without answering). For what fetch cannot
 * send: chunked bodies, lying Content-Length, bytes that are not UTF-8.
 */
export function rawRequest(port, bytes, { timeoutMs = 10000, endAfterWrite = false } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks = [];
    const sock = connect(port, '127.0.0.1');
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const raw = Buffer.concat(chunks).toString('latin1');
      resolve({ ...parseRawResponse(raw), raw, ms: Date.now() - started });
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('connect', () => {
      sock.write(bytes, () => { if (endAfterWrite) sock.end(); });
    });
    sock.on('data', (d) => {
      chunks.push(d);
      const r = parseRawResponse(Buffer.concat(chunks).toString('latin1'));
      if (r.status && r.complete) finish();
    });
    sock.on('error', finish);
    sock.on('close', finish);
  });
}

function parseRawResponse(raw) {
  // Skip interim 1xx answers (100 Continue).
  let rest = raw;
  for (;;) {
    const m = /^HTTP\/1\.[01] (1\d\d)[^\r]*\r\n(?:[^\r]*\r\n)*\r\n/.exec(rest);
    if (!m) break;
    rest = rest.slice(m[0].length);
  }
  const head = /^HTTP\/1\.[01] (\d{3})[^\r]*\r\n((?:[^\r]*\r\n)*)\r\n/.exec(rest);
  if (!head) return { status: 0, headers: {}, body: '', complete: false };
  const headers = {};
  for (const line of head[2].split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = rest.slice(head[0].length);
  const len = headers['content-length'] === undefined ? 0 : Number(headers['content-length']);
  return { status: Number(head[1]), headers, body, complete: Buffer.byteLength(body, 'latin1') >= len };
}

/** Rows of a query as parsed JSON (the query must select one json column per row). */
export function psqlJson(db, sql) {
  const out = psql(db, sql);
  return out ? out.split('\n').map((line) => JSON.parse(line)) : [];
}

/** The plain-SQL dump of a database (data and schema), to search for secrets. */
export function dumpDatabase(db) {
  return execFileSync('pg_dump', ['-d', db, '--inserts'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

const REPO = new URL('../../../', import.meta.url).pathname;

/**
 * Starts a private PostgreSQL cluster (its own folder and socket) through
 * deploy/lib/pg.sh, for tests that stop and start the database. Returns
 * { dir, host, url(db), psql(db, sql), createDb(name), stop(), start(), remove() }.
 */
export function privateCluster() {
  const top = mkdtempSync(join(tmpdir(), 'opop-pg-'));
  chmodSync(top, 0o755); // the postgres user must reach its folder inside
  const dir = join(top, 'pg');
  const host = join(dir, 'run');
  const sh = (fn) => execFileSync('bash', ['-c', `. deploy/lib/pg.sh && ${fn} "$1"`, 'pg', dir],
    { cwd: REPO, env: { ...process.env, OPOP_PG_FSYNC: 'off' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const cluster = {
    dir, host,
    url: (db) => `host=${host} port=5432 dbname=${db} user=postgres`,
    psql: (db, sql) => execFileSync('psql', ['-h', host, '-p', '5432', '-U', 'postgres', '-d', db, '-Atqc', sql],
      { encoding: 'utf8' }).trim(),
    createDb(name) { cluster.psql('postgres', `CREATE DATABASE ${name}`); },
    start() { sh('opop_pg_start'); },
    stop() { sh('opop_pg_stop'); },
    remove() {
      try { cluster.stop(); } catch { /* already stopped */ }
      rmSync(top, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}

/** Polls check (async, truthy when done) every 100 ms; its value, or throws after ms. */
export async function until(what, check, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await check();
    if (r) return r;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
