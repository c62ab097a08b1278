// The OpenAPI document as the build serves it: openapi/openapi.yaml read by
// the same YAML loader (Python's yaml.safe_load) that tools/embed_file.py uses
// to make /openapi.json, so the tests see exactly what clients get.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SPEC_PATH = ROOT + 'openapi/openapi.yaml';
export const ROUTES_PATH = ROOT + 'api/routes.c';

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function loadSpec() {
  const json = execFileSync('python3', ['-c',
    'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding="utf-8")), ensure_ascii=False))',
    SPEC_PATH], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(json);
}

export function specText() {
  return readFileSync(SPEC_PATH, 'utf8');
}

/** '/v1/pesantren/{id}/products' -> '/v1/pesantren/{}/products' */
export function normalisePath(p) {
  return p.replace(/\{[^}/]*\}/g, '{}');
}

/** Every operation of the document: [{ method: 'GET', path, op, pathItem }]. */
export function specOperations(spec) {
  const out = [];
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const m of METHODS) {
      if (item[m]) out.push({ method: m.toUpperCase(), path, op: item[m], pathItem: item });
    }
  }
  return out;
}

/** Follows a local $ref ('#/components/...') until a non-reference object. */
export function deref(spec, obj) {
  let o = obj;
  for (let i = 0; o && o.$ref && i < 20; i++) {
    if (!o.$ref.startsWith('#/')) throw new Error('only local references are supported: ' + o.$ref);
    o = o.$ref.slice(2).split('/').reduce((acc, k) => acc?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return o;
}
