// The answers the integration suites received (validated one by one by
// lib/fetch_hook.mjs) all matched the OpenAPI document. OPOP_CONTRACT_OUT
// names the folder(s), separated by ':', that the suites wrote to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSpec, specOperations } from './lib/spec.mjs';

const dirs = (process.env.OPOP_CONTRACT_OUT || '').split(':').filter((d) => d && existsSync(d));

function read(prefix, parse) {
  const out = [];
  for (const d of dirs) {
    for (const f of readdirSync(d).filter((n) => n.startsWith(prefix))) out.push(...parse(readFileSync(join(d, f), 'utf8')));
  }
  return out;
}

test('the integration suites were validated against the document', { skip: dirs.length === 0 && 'OPOP_CONTRACT_OUT is not set' }, (t) => {
  const seen = read('seen-', (s) => [JSON.parse(s)]);
  const checked = seen.reduce((n, s) => n + s.checked, 0);
  assert.ok(checked > 0, 'no answer was validated: was OPOP_CONTRACT_OUT set for the integration suites?');
  const exercised = new Set(seen.flatMap((s) => Object.keys(s.seen).map((k) => k.replace(/ \d+$/, ''))));
  const never = specOperations(loadSpec()).map((o) => `${o.method} ${o.path}`).filter((k) => !exercised.has(k));
  t.diagnostic(`${checked} answers from ${seen.length} test processes validated; operations no integration test called: ${never.length ? never.join(', ') : 'none'}`);
});

test('every answer matched the document', { skip: dirs.length === 0 && 'OPOP_CONTRACT_OUT is not set' }, () => {
  const violations = read('violations-', (s) => s.split('\n').filter(Boolean).map((l) => JSON.parse(l)));
  const lines = violations.map((v) => `${v.test}: ${v.method || ''} ${v.path || ''} -> ${v.status || ''}: ${v.problems.join('; ')}${v.body ? '\n      body: ' + v.body : ''}`);
  assert.equal(violations.length, 0, `${violations.length} answers did not match the document:\n  ${lines.slice(0, 60).join('\n  ')}`);
});
