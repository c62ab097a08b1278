// The query parameters each operation documents are the ones its handler
// takes. Against a running server, every operation that documents query
// parameters is called once with each of them (a valid value drawn from its
// schema), which must not be refused as unknown, and once with each query
// parameter name the document uses anywhere else, which must be refused as
// unknown (400 naming it). Needs PostgreSQL (PGHOST) like the integration suites.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadSpec, specOperations, deref } from './lib/spec.mjs';
import { createValidator } from './lib/validator.mjs';

delete process.env.OPOP_CONTRACT_OUT; // these answers are validated here, inline
const { startServer } = await import('../integration/lib/harness.mjs');

const spec = loadSpec();
const validator = createValidator(spec);
const skip = !process.env.PGHOST && 'PGHOST is not set (no PostgreSQL cluster)';
let s, api;

function sample(schema) {
  const sc = deref(spec, schema || {});
  if (sc.enum) return String(sc.enum[0]);
  if (sc.oneOf) return sample(sc.oneOf.find((x) => deref(spec, x).type !== 'null'));
  const type = Array.isArray(sc.type) ? sc.type.find((t) => t !== 'null') : sc.type;
  if (type === 'integer') return String(sc.minimum ?? 1);
  if (type === 'boolean') return 'true';
  if (sc.format === 'uuid') return randomUUID();
  if (sc.format === 'date-time') return '2024-01-01T00:00:00Z';
  if (sc.pattern && sc.pattern.includes('-Q[1-4]')) return '2024';
  if (sc.pattern && sc.pattern.startsWith('^[A-Z]')) return 'OMZET';
  return 'x';
}

const queryOps = specOperations(spec).filter((o) => o.method === 'GET').map((o) => {
  const params = [...(o.pathItem.parameters || []), ...(o.op.parameters || [])].map((p) => deref(spec, p));
  return { ...o, query: params.filter((p) => p.in === 'query'), pathParams: params.filter((p) => p.in === 'path') };
}).filter((o) => o.query.length > 0);
const allNames = [...new Set(queryOps.flatMap((o) => o.query.map((p) => p.name)))];

function url(o, extra) {
  let path = o.path;
  for (const p of o.pathParams) path = path.replace(`{${p.name}}`, p.name === 'code' ? '35.78' : randomUUID());
  const q = new URLSearchParams();
  for (const p of o.query) if (p.required) q.set(p.name, sample(p.schema));
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return `${path}?${q}`;
}

const refusedAsUnknown = (r, name) => r.status === 400 && (r.json?.errors || []).some((e) => e.field === name && /not a known query parameter/.test(e.message));

before(async () => {
  if (skip) return;
  s = await startServer();
  api = s.api(await s.login());
});
after(async () => s && s.stop());

test('every documented query parameter is taken', { skip }, async () => {
  const wrong = [];
  for (const o of queryOps) {
    for (const p of o.query) {
      const u = url(o, { [p.name]: sample(p.schema) });
      const r = await api.get(u);
      if (refusedAsUnknown(r, p.name)) wrong.push(`GET ${o.path}: documented ${p.name} is refused as unknown`);
      const { problems } = validator.check('GET', u.split('?')[0], r.status, r.headers, r.text);
      if (problems.length) wrong.push(`GET ${u} -> ${r.status}: ${problems.join('; ')}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('an operation that refuses an unknown query parameter documents that 400', { skip }, async () => {
  const wrong = [];
  for (const o of specOperations(spec).filter((x) => x.method === 'GET' && !(x.op.security && x.op.security.length === 0))) {
    const r = await api.get(url({ ...o, query: [], pathParams: [...(o.pathItem.parameters || []), ...(o.op.parameters || [])].map((p) => deref(spec, p)).filter((p) => p.in === 'path') }, { zz_unknown: '1' }));
    if (refusedAsUnknown(r, 'zz_unknown') && !o.op.responses['400']) wrong.push(`GET ${o.path} refuses unknown query parameters but documents no 400`);
  }
  assert.deepEqual(wrong, []);
});

test('no undocumented query parameter is taken', { skip }, async () => {
  const wrong = [];
  for (const o of queryOps) {
    const mine = new Set(o.query.map((p) => p.name));
    for (const name of [...allNames.filter((n) => !mine.has(n)), 'zz_unknown']) {
      const r = await api.get(url(o, { [name]: 'x' }));
      if (!refusedAsUnknown(r, name)) wrong.push(`GET ${o.path}: takes ${name}, which it does not document (answered ${r.status})`);
    }
  }
  assert.deepEqual(wrong, []);
});
