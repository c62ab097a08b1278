// The route table (api/routes.c) and the OpenAPI document list the same
// operations with the same roles, and every operation documents the errors
// its route can give. A new route without a spec entry, or a spec entry
// without a route, fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { loadSpec, specOperations, specText, normalisePath, deref } from './lib/spec.mjs';
import { loadRoutes } from './lib/routes.mjs';

const spec = loadSpec();
const routes = loadRoutes();
const ops = specOperations(spec);
const key = (method, path) => `${method} ${normalisePath(path)}`;
const ALL = ['admin', 'mentor', 'operator', 'viewer'];

test('the route table is read', () => {
  assert.ok(routes.length >= 20, `only ${routes.length} routes found in api/routes.c`);
});

test('every route is in the document and every documented operation is a route', () => {
  const routeKeys = new Map(routes.map((r) => [key(r.method, r.path), r]));
  const specKeys = new Map(ops.map((o) => [key(o.method, o.path), o]));
  const missingInSpec = [...routeKeys.keys()].filter((k) => !specKeys.has(k));
  const missingInRoutes = [...specKeys.keys()].filter((k) => !routeKeys.has(k));
  assert.deepEqual({ missingInSpec, missingInRoutes }, { missingInSpec: [], missingInRoutes: [] },
    'operations in one and not the other');
});

test('path parameter names agree with the route table', () => {
  const byKey = new Map(ops.map((o) => [key(o.method, o.path), o]));
  const differ = routes.filter((r) => byKey.has(key(r.method, r.path)) && byKey.get(key(r.method, r.path)).path !== r.path)
    .map((r) => `${r.method} ${r.path} is ${byKey.get(key(r.method, r.path)).path} in the document`);
  assert.deepEqual(differ, []);
});

test('x-roles and security agree with the roles of each route', () => {
  const byKey = new Map(ops.map((o) => [key(o.method, o.path), o]));
  const wrong = [];
  for (const r of routes) {
    const o = byKey.get(key(r.method, r.path));
    if (!o) continue;
    const want = r.public ? [] : ALL.filter((x) => r.roles.has(x));
    const got = o.op['x-roles'];
    if (!Array.isArray(got) || [...got].sort().join() !== [...want].sort().join()) {
      wrong.push(`${r.method} ${r.path}: x-roles ${JSON.stringify(got)}, route admits ${JSON.stringify(want)}`);
    }
    const isPublic = Array.isArray(o.op.security) && o.op.security.length === 0;
    if (isPublic !== r.public) wrong.push(`${r.method} ${r.path}: security ${isPublic ? 'none' : 'bearer'}, route ${r.public ? 'public' : 'authenticated'}`);
    const desc = o.op.description || '';
    const roleLine = desc.match(/^Roles: ([^.\n]*)/);
    if (!roleLine) wrong.push(`${r.method} ${r.path}: the description does not start with "Roles: "`);
    else for (const role of want) if (!roleLine[1].includes(role)) wrong.push(`${r.method} ${r.path}: "Roles:" does not name ${role}`);
  }
  assert.deepEqual(wrong, []);
});

test('every operation documents the errors its route can give', () => {
  const routeFor = new Map(routes.map((r) => [key(r.method, r.path), r]));
  const missing = [];
  for (const o of ops) {
    const r = routeFor.get(key(o.method, o.path));
    if (!r) continue;
    const statuses = new Set(Object.keys(o.op.responses || {}));
    const params = [...(o.pathItem.parameters || []), ...(o.op.parameters || [])].map((p) => deref(spec, p));
    const need = (status, why) => { if (!statuses.has(String(status))) missing.push(`${o.method} ${o.path}: ${status} (${why})`); };
    if (!r.public) {
      need(401, 'authenticated route');
      need(503, 'uses the database');
      if (ALL.some((x) => !r.roles.has(x))) need(403, 'not every role is admitted');
    }
    if (o.op.requestBody) {
      for (const s of [400, 413, 415, 422]) need(s, 'takes a body');
    }
    if (/\{/.test(o.path) && !r.public) need(404, 'path has an id');
    if (params.some((p) => p.in === 'query')) need(400, 'takes query parameters');
    if (params.some((p) => p.name === 'If-Match')) need(412, 'honours If-Match');
    if (params.some((p) => p.name === 'If-None-Match')) need(304, 'honours If-None-Match');
    if (params.some((p) => p.name === 'Idempotency-Key')) { need(409, 'Idempotency-Key in flight'); need(422, 'Idempotency-Key reused'); }
    if (!Object.keys(o.op.responses || {}).some((s) => s.startsWith('2'))) missing.push(`${o.method} ${o.path}: no 2xx answer`);
  }
  assert.deepEqual(missing, []);
});

test('operationIds are unique and every operation has a tag', () => {
  const seen = new Map();
  const bad = [];
  for (const o of ops) {
    if (!o.op.operationId) bad.push(`${o.method} ${o.path}: no operationId`);
    else if (seen.has(o.op.operationId)) bad.push(`${o.op.operationId} is used twice`);
    seen.set(o.op.operationId, true);
    if (!o.op.tags?.length) bad.push(`${o.method} ${o.path}: no tag`);
  }
  assert.deepEqual(bad, []);
});

test('the YAML reads the same under YAML 1.1 (the build) and YAML 1.2 (the linter)', () => {
  // An unquoted 2024-04-25 or "no" would differ; /openapi.json must say what the linted file says.
  assert.deepEqual(parseYaml(specText(), { maxAliasCount: -1 }), spec);
});
