// Reads the service's route table (api/routes.c): every line
//   {"METHOD", "/path/{x}", handler, ROLES, FLAGS},
// with the role macros defined in that file or in api/app.h.
import { readFileSync } from 'node:fs';
import { ROOT, ROUTES_PATH } from './spec.mjs';

const ROLE_BITS = { ROLE_ADMIN: 'admin', ROLE_MENTOR: 'mentor', ROLE_OPERATOR: 'operator', ROLE_VIEWER: 'viewer' };

function macroTable(...texts) {
  const macros = {};
  for (const text of texts) {
    for (const m of text.matchAll(/^#define\s+(\w+)\s+(.+)$/gm)) macros[m[1]] = m[2].replace(/\/\*.*?\*\//g, '').trim();
  }
  return macros;
}

/** The set of role names an expression such as `ADMIN | ROLE_OPERATOR` admits. */
export function rolesOf(expr, macros, depth = 0) {
  const roles = new Set();
  if (depth > 10) throw new Error('role macro loop at ' + expr);
  for (const raw of expr.replace(/[()]/g, ' ').split('|')) {
    const t = raw.trim();
    if (t === '' || t === '0') continue;
    if (ROLE_BITS[t]) roles.add(ROLE_BITS[t]);
    else if (macros[t] !== undefined) for (const r of rolesOf(macros[t], macros, depth + 1)) roles.add(r);
    else throw new Error(`unknown role token '${t}' in api/routes.c`);
  }
  return roles;
}

/** [{ method, path, handler, roles: Set, public: bool, line }] */
export function loadRoutes() {
  const text = readFileSync(ROUTES_PATH, 'utf8');
  const macros = macroTable(readFileSync(ROOT + 'api/app.h', 'utf8'), text);
  const routes = [];
  const re = /^\s*\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*([^,]+?)\s*,\s*([^}]+?)\s*\}\s*,/;
  text.split('\n').forEach((line, i) => {
    const m = line.match(re);
    if (!m) return;
    routes.push({
      method: m[1], path: m[2], handler: m[3],
      roles: rolesOf(m[4], macros),
      public: /\bROUTE_PUBLIC\b/.test(m[5]),
      line: i + 1,
    });
  });
  return routes;
}
