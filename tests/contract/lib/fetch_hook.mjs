// Validates every answer an integration test receives through fetch against
// the OpenAPI document that the server under test serves at /openapi.json.
// Violations are appended to OPOP_CONTRACT_OUT/violations-<pid>.jsonl and the
// operations seen to OPOP_CONTRACT_OUT/seen-<pid>.json; the contract step of
// tests/run.sh fails when any violation was recorded. A failure of the check
// itself never fails the integration test: it is recorded as a violation.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './spec.mjs';

const out = process.env.OPOP_CONTRACT_OUT;
const testFile = process.argv[1] ? relative(ROOT, process.argv[1]) : 'unknown';
const seen = {};
let checked = 0;

function record(entry) {
  appendFileSync(join(out, `violations-${process.pid}.jsonl`), JSON.stringify({ test: testFile, ...entry }) + '\n');
}

function flushSeen() {
  writeFileSync(join(out, `seen-${process.pid}.json`), JSON.stringify({ test: testFile, checked, seen }));
}

export async function install() {
  if (!out) return;
  mkdirSync(out, { recursive: true });
  let createValidator;
  try {
    ({ createValidator } = await import('./validator.mjs'));
  } catch (e) {
    record({ problems: [`the validator cannot load (run npm ci in tests/contract): ${e.message}`] });
    return;
  }
  const original = globalThis.fetch;
  let validator = null;
  let loading = null;

  async function validatorFor(origin) {
    if (validator) return validator;
    if (!loading) {
      loading = (async () => {
        const r = await original(origin + '/openapi.json');
        validator = createValidator(await r.json());
        return validator;
      })();
    }
    return loading;
  }

  globalThis.fetch = async function contractFetch(input, init = {}) {
    const res = await original(input, init);
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const method = (init.method || (input instanceof Request ? input.method : 'GET')).toUpperCase();
    try {
      const text = await res.clone().text();
      const v = await validatorFor(url.origin);
      const { operation, problems } = v.check(method, url.pathname, res.status, res.headers, text);
      const key = `${operation || method + ' (no operation)'} ${res.status}`;
      seen[key] = (seen[key] || 0) + 1;
      checked++;
      if (problems.length) {
        record({ method, path: url.pathname + url.search, status: res.status, operation, problems, body: text.slice(0, 400) });
      }
    } catch (e) {
      record({ method, path: url.pathname, status: res.status, problems: [`the check failed: ${e.stack || e}`] });
    }
    return res;
  };
  process.on('exit', flushSeen);
}
