// The demo data script: loads into a freshly migrated database, loads again
// without changing anything, and shows through the API what it promises.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, psql } from './lib/harness.mjs';

const SCRIPT = new URL('../../deploy/demo.sql', import.meta.url).pathname;
const DEMO_PASSWORD = 'Demo-OPOP-2024';

let s, admin, firstCounts, firstAudit;

const load = () => execFileSync('psql', ['-d', s.db, '-v', 'ON_ERROR_STOP=1', '-q', '-f', SCRIPT],
  { encoding: 'utf8', stdio: 'pipe' });
const counts = () => psql(s.db, `SELECT concat_ws(',', (SELECT count(*) FROM pesantren), (SELECT count(*) FROM users),
  (SELECT count(*) FROM programs), (SELECT count(*) FROM enrolments), (SELECT count(*) FROM enrolment_history),
  (SELECT count(*) FROM products), (SELECT count(*) FROM visits), (SELECT count(*) FROM targets),
  (SELECT count(*) FROM measurements), (SELECT string_agg(status || ':' || n, ' ' ORDER BY status)
     FROM (SELECT status, count(*) AS n FROM measurements GROUP BY status) x))`);

before(async () => {
  s = await startServer();
  admin = await s.login();
  load();
  firstCounts = counts();
  firstAudit = psql(s.db, 'SELECT count(*) FROM audit_events');
});
after(async () => s && s.stop());

async function total(path) {
  const r = await s.api(admin).get(path + (path.includes('?') ? '&' : '?') + 'include_total=true&limit=1');
  assert.equal(r.status, 200, r.text);
  return r.json.total;
}

async function all(path) {
  const items = [];
  let cursor = null;
  do {
    const r = await s.api(admin).get(`${path}${path.includes('?') ? '&' : '?'}limit=100${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
  } while (cursor);
  return items;
}

test('a second run changes nothing: same rows, no new audit events', () => {
  load();
  assert.equal(counts(), firstCounts);
  assert.equal(psql(s.db, 'SELECT count(*) FROM audit_events'), firstAudit);
});

test('three dozen valid pesantren in at least 20 regions, inside Jawa Timur', async () => {
  const list = await all('/v1/pesantren');
  assert.equal(list.length, 36);
  assert.ok(new Set(list.map((p) => p.region_code)).size >= 20);
  for (const p of list) {
    assert.match(p.nspp, /^[0-9]{12}$/);
    assert.ok(p.latitude >= -9 && p.latitude <= -5 && p.longitude >= 110.5 && p.longitude <= 116.5, p.name);
    assert.ok(['salafiyah', 'khalafiyah', 'terpadu'].includes(p.typology));
    assert.ok(p.santri_count > 0);
  }
});

test('cohorts 2023 and 2024, with graduates', async () => {
  assert.equal(await total('/v1/pesantren?cohort_year=2023'), 16);
  assert.equal(await total('/v1/pesantren?cohort_year=2024'), 18);
  const programs = await all('/v1/programs');
  assert.equal(programs.length, 7);
  assert.deepEqual(new Set(programs.map((p) => p.pillar)), new Set(['pesantrenpreneur', 'santripreneur', 'sosiopreneur']));
  assert.deepEqual(new Set(programs.map((p) => p.status)), new Set(['completed', 'active', 'planned']));
  assert.deepEqual(new Set(programs.map((p) => p.year)), new Set([2023, 2024]));
  const graduated = Number(psql(s.db, "SELECT count(*) FROM enrolments WHERE status = 'graduated'"));
  assert.ok(graduated >= 20, `graduated: ${graduated}`);
});

test('products with certifications, some expired, in the catalogue', async () => {
  assert.equal(await total('/v1/products'), 59);
  const halal = await all('/v1/products?certification=halal');
  const certs = halal.flatMap((p) => p.certifications);
  assert.ok(certs.some((c) => c.expired === true));
  assert.ok(certs.some((c) => c.expired === false));
  assert.ok(await total('/v1/products?certification=halal') >= 20);
  assert.ok(await total('/v1/products?category=food') >= 15);
  for (const p of halal) assert.match(p.region_code, /^35\.\d\d$/);
});

test('mentoring visits by the demo mentors', async () => {
  const p = (await s.api(admin).get('/v1/pesantren?q=510035170021')).json.items[0];
  const visits = await s.api(admin).get(`/v1/pesantren/${p.id}/visits?include_total=true`);
  assert.equal(visits.json.total, 2);
  assert.equal(visits.json.items[0].mentor_name, 'Hendra Wijaya');
  assert.equal(Number(psql(s.db, 'SELECT count(*) FROM visits')), 15);
});

test('targets and mostly verified measurements, stamped by operators and mentors', async () => {
  assert.equal(await total('/v1/targets'), 14);
  const verified = await total('/v1/measurements?status=verified');
  assert.ok(verified > 1000, `verified: ${verified}`);
  assert.ok(await total('/v1/measurements?status=submitted') > 0);
  assert.equal(psql(s.db, `SELECT count(*) FROM measurements m JOIN users v ON v.id = m.verified_by AND v.role = 'mentor'
    JOIN users o ON o.id = m.submitted_by AND o.role = 'operator' WHERE m.status = 'verified'`), String(verified));
});

test('demo users sign in with the documented password', async () => {
  const token = await s.login('dewi.rahmawati@demo.opop-jatim.example', DEMO_PASSWORD);
  const me = await s.api(token).get('/v1/me');
  assert.equal(me.json.role, 'mentor');
  assert.ok(me.json.region_codes.includes('35.09'));
});
