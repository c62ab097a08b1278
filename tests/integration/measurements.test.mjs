// Measurements: recording, the workflow draft -> submitted -> verified | rejected,
// who may do each step, and changes to what is verified.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeUser, makePesantren, expectProblem, psql } from './lib/harness.mjs';

let s, adminToken, admin, viewer, mentor, mentorElsewhere, pes, other, operator, otherOperator, program;
let operatorId, mentorId;
let periodSeq = 0;
// A fresh month for every measurement, so tests never collide on the unique key.
const nextPeriod = () => {
  periodSeq += 1;
  return `${2000 + Math.floor(periodSeq / 12)}-${String((periodSeq % 12) + 1).padStart(2, '0')}`;
};

before(async () => {
  s = await startServer();
  adminToken = await s.login();
  admin = s.api(adminToken);
  pes = await makePesantren(s, adminToken, { region_code: '35.09' });
  other = await makePesantren(s, adminToken, { region_code: '35.78' });
  viewer = s.api((await makeUser(s, adminToken, 'viewer')).token);
  const m = await makeUser(s, adminToken, 'mentor', { region_codes: ['35.01', '35.09'] });
  mentor = s.api(m.token);
  mentorId = m.id;
  mentorElsewhere = s.api((await makeUser(s, adminToken, 'mentor', { region_codes: ['35.78'] })).token);
  const o = await makeUser(s, adminToken, 'operator', { pesantren_id: pes.id });
  operator = s.api(o.token);
  operatorId = o.id;
  otherOperator = s.api((await makeUser(s, adminToken, 'operator', { pesantren_id: other.id })).token);
  const p = await admin.post('/v1/programs', { pillar: 'santripreneur', name: 'Santripreneur Camp 2024', year: 2024 });
  assert.equal(p.status, 201, p.text);
  program = p.json;
  assert.equal((await admin.post('/v1/indicators', { code: 'PCT_DIGITAL', name: 'Digital share', unit: 'percent', aggregation: 'avg' })).status, 201);
});
after(async () => s && s.stop());

const body = (extra = {}) => ({ indicator_code: 'OMZET', pesantren_id: pes.id, period: nextPeriod(), value: 12500000, ...extra });

async function create(client = admin, extra = {}) {
  const r = await client.post('/v1/measurements', body(extra));
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function submitted(extra = {}) {
  const m = await create(operator, extra);
  const r = await operator.post(`/v1/measurements/${m.id}/submit`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function verified(extra = {}) {
  const m = await submitted(extra);
  const r = await mentor.post(`/v1/measurements/${m.id}/verify`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test('an admin records a draft; it reads back with Location and ETag', async () => {
  const b = body({ note: '  dari laporan koperasi  ', evidence_url: 'https://drive.example.org/omzet.pdf', program_id: program.id });
  const r = await admin.post('/v1/measurements', b);
  assert.equal(r.status, 201, r.text);
  const m = r.json;
  assert.equal(r.headers.get('location'), `/v1/measurements/${m.id}`);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(m.status, 'draft');
  assert.equal(m.indicator_code, 'OMZET');
  assert.equal(m.pesantren_id, pes.id);
  assert.equal(m.program_id, program.id);
  assert.equal(m.period, b.period);
  assert.equal(m.value, 12500000);
  assert.equal(m.note, 'dari laporan koperasi');
  assert.equal(m.evidence_url, b.evidence_url);
  assert.ok(m.created_by);
  for (const k of ['submitted_at', 'submitted_by', 'verified_at', 'verified_by', 'rejected_at', 'rejected_by', 'rejection_reason'])
    assert.equal(m[k], null, k);
  const g = await admin.get(`/v1/measurements/${m.id}`);
  assert.equal(g.status, 200);
  assert.deepEqual(g.json, m);
  assert.equal((await admin.get(`/v1/measurements/${m.id}`, { 'If-None-Match': '"1"' })).status, 304);
  // A draft is not a viewer's to read, not even its existence.
  expectProblem(assert, await viewer.get(`/v1/measurements/${m.id}`), 404);
  assert.equal((await viewer.get(`/v1/measurements/${m.id}`, { 'If-None-Match': '"1"' })).status, 404);
});

test('an operator records for its own pesantren only; mentors and viewers never', async () => {
  const own = await operator.post('/v1/measurements', body());
  assert.equal(own.status, 201, own.text);
  const foreign = await operator.post('/v1/measurements', body({ pesantren_id: other.id }));
  expectProblem(assert, foreign, 403);
  expectProblem(assert, await mentor.post('/v1/measurements', body()), 403);
  expectProblem(assert, await viewer.post('/v1/measurements', body()), 403);
  const count = psql(s.db, `SELECT count(*) FROM measurements WHERE pesantren_id = '${other.id}'`);
  assert.equal(count, '0');
});

test('one measurement per indicator, pesantren, programme and period', async () => {
  const b = body();
  assert.equal((await admin.post('/v1/measurements', b)).status, 201);
  expectProblem(assert, await admin.post('/v1/measurements', { ...b, value: 1 }), 409);
  assert.equal((await admin.post('/v1/measurements', { ...b, program_id: program.id })).status, 201);
  expectProblem(assert, await admin.post('/v1/measurements', { ...b, program_id: program.id }), 409);
  assert.equal((await admin.post('/v1/measurements', { ...b, indicator_code: 'ASET' })).status, 201);
  assert.equal((await admin.post('/v1/measurements', { ...b, pesantren_id: other.id })).status, 201);
});

test('values: numbers from 0, whole unless the indicator is a percentage', async () => {
  expectProblem(assert, await admin.post('/v1/measurements', body({ value: -1 })), 422, 'value');
  expectProblem(assert, await admin.post('/v1/measurements', body({ value: '100' })), 422, 'value');
  expectProblem(assert, await admin.post('/v1/measurements', body({ value: true })), 422, 'value');
  expectProblem(assert, await admin.post('/v1/measurements', body({ value: 1e16 })), 422, 'value');
  expectProblem(assert, await admin.post('/v1/measurements', body({ value: 100.5 })), 422, 'value');
  expectProblem(assert, await admin.post('/v1/measurements', body({ indicator_code: 'SANTRI_TRAINED', value: 3.5 })), 422, 'value');
  assert.equal((await admin.post('/v1/measurements', body({ value: 0 }))).status, 201);
  assert.equal((await admin.post('/v1/measurements', body({ value: 7.0 }))).json.value, 7);
  const pct = await admin.post('/v1/measurements', body({ indicator_code: 'PCT_DIGITAL', value: 37.25 }));
  assert.equal(pct.status, 201, pct.text);
  assert.equal(pct.json.value, 37.25);
  assert.equal((await admin.post('/v1/measurements', body({ indicator_code: 'PCT_DIGITAL', value: 0.1 }))).json.value, 0.1);
});

test('names that do not exist are a 422 on their field', async () => {
  expectProblem(assert, await admin.post('/v1/measurements', body({ indicator_code: 'NO_SUCH' })), 422, 'indicator_code');
  expectProblem(assert, await admin.post('/v1/measurements', body({ pesantren_id: '00000000-0000-4000-8000-000000000000' })), 422, 'pesantren_id');
  expectProblem(assert, await admin.post('/v1/measurements', body({ program_id: '00000000-0000-4000-8000-000000000000' })), 422, 'program_id');
});

test('every bad field at once; status and other read-only fields cannot be set', async () => {
  const r = await admin.post('/v1/measurements', {
    indicator_code: 'omzet', pesantren_id: 'x', period: '2024-13', value: -3, program_id: 5,
    note: 'n'.repeat(2001), evidence_url: 'ftp://example.org/x', status: 'verified', verified_by: null, colour: 'red',
  });
  expectProblem(assert, r, 422);
  assert.deepEqual(r.json.errors.map((e) => e.field).sort(),
    ['colour', 'evidence_url', 'indicator_code', 'note', 'period', 'pesantren_id', 'program_id', 'status', 'value', 'verified_by']);
  const missing = await admin.post('/v1/measurements', {});
  assert.deepEqual(missing.json.errors.map((e) => e.field).sort(), ['indicator_code', 'period', 'pesantren_id', 'value']);
  expectProblem(assert, await admin.post('/v1/measurements', '[1]'), 422);
  expectProblem(assert, await admin.post('/v1/measurements', '{"value": '), 400);
  expectProblem(assert, await admin.post('/v1/measurements', 'value=1', { 'Content-Type': 'text/plain' }), 415);
});

test('evidence is an http or https URL', async () => {
  for (const url of ['example.org/x', 'https://', 'http:///path', 'https://exa mple.org', 'javascript:alert(1)', 'mailto:a@b.c'])
    expectProblem(assert, await admin.post('/v1/measurements', body({ evidence_url: url })), 422, 'evidence_url');
  for (const url of ['http://example.org', 'HTTPS://example.org/a?b=c#d'])
    assert.equal((await admin.post('/v1/measurements', body({ evidence_url: url }))).status, 201, url);
});

test('the workflow: submit, then a mentor of the region verifies; each step is stamped', async () => {
  const m = await create(operator);
  const sub = await operator.post(`/v1/measurements/${m.id}/submit`);
  assert.equal(sub.status, 200, sub.text);
  assert.equal(sub.json.status, 'submitted');
  assert.ok(sub.json.submitted_at);
  assert.equal(sub.json.submitted_by, operatorId);
  assert.equal(sub.json.created_by, operatorId);
  assert.equal(sub.json.version, 2);
  assert.equal(sub.headers.get('etag'), '"2"');
  expectProblem(assert, await operator.post(`/v1/measurements/${m.id}/submit`), 409);
  const v = await mentor.post(`/v1/measurements/${m.id}/verify`, {});
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.status, 'verified');
  assert.ok(v.json.verified_at >= sub.json.submitted_at);
  assert.equal(v.json.verified_by, mentorId);
  assert.equal(v.json.submitted_by, operatorId);
  expectProblem(assert, await mentor.post(`/v1/measurements/${m.id}/verify`), 409);
  expectProblem(assert, await mentor.post(`/v1/measurements/${m.id}/reject`, { reason: 'late' }), 409);
  expectProblem(assert, await admin.post(`/v1/measurements/${m.id}/submit`), 409);
});

test('the database alone decides the moves: a same-status move is refused for every writer', async () => {
  const m = await submitted();
  assert.equal((await mentor.post(`/v1/measurements/${m.id}/verify`)).status, 200);
  const again = await mentor.post(`/v1/measurements/${m.id}/verify`);
  expectProblem(assert, again, 409);
  assert.equal(again.json.detail, 'The measurement is verified; it cannot become verified.');
  assert.throws(() => psql(s.db, `UPDATE measurements SET status = 'verified' WHERE id = '${m.id}'`),
    /measurements_status_transition|cannot move from verified to verified/);
  assert.equal((await admin.get(`/v1/measurements/${m.id}`)).json.version, 3);
});

test('a rejected measurement is corrected and submitted again', async () => {
  const m = await submitted();
  expectProblem(assert, await mentor.post(`/v1/measurements/${m.id}/reject`, {}), 422, 'reason');
  expectProblem(assert, await mentor.post(`/v1/measurements/${m.id}/reject`, { reason: '   ' }), 422, 'reason');
  expectProblem(assert, await mentor.post(`/v1/measurements/${m.id}/reject`, { reason: 'x', extra: 1 }), 422, 'extra');
  expectProblem(assert, await mentor.post(`/v1/measurements/${m.id}/reject`), 400);
  const rej = await mentor.post(`/v1/measurements/${m.id}/reject`, { reason: ' Bukti omzet tidak terbaca ' });
  assert.equal(rej.status, 200, rej.text);
  assert.equal(rej.json.status, 'rejected');
  assert.equal(rej.json.rejection_reason, 'Bukti omzet tidak terbaca');
  assert.ok(rej.json.rejected_at);
  assert.equal(rej.json.rejected_by, mentorId);
  expectProblem(assert, await mentor.post(`/v1/measurements/${m.id}/verify`), 409);
  const fixed = await operator.patch(`/v1/measurements/${m.id}`, { value: 13000000, evidence_url: 'https://example.org/new.pdf' });
  assert.equal(fixed.status, 200, fixed.text);
  assert.equal(fixed.json.status, 'rejected');
  assert.equal(fixed.json.value, 13000000);
  const again = await operator.post(`/v1/measurements/${m.id}/submit`);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.status, 'submitted');
  const v = await admin.post(`/v1/measurements/${m.id}/verify`);
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.status, 'verified');
});

test('drafts cannot be verified or rejected', async () => {
  const m = await create();
  expectProblem(assert, await mentor.post(`/v1/measurements/${m.id}/verify`), 409);
  expectProblem(assert, await mentor.post(`/v1/measurements/${m.id}/reject`, { reason: 'no' }), 409);
  assert.equal((await admin.get(`/v1/measurements/${m.id}`)).json.status, 'draft');
});

test('who may take each step', async () => {
  const draft = await create(operator);
  expectProblem(assert, await otherOperator.post(`/v1/measurements/${draft.id}/submit`), 403);
  expectProblem(assert, await mentor.post(`/v1/measurements/${draft.id}/submit`), 403);
  expectProblem(assert, await viewer.post(`/v1/measurements/${draft.id}/submit`), 403);
  const admins = await create(admin);
  assert.equal((await admin.post(`/v1/measurements/${admins.id}/submit`)).status, 200);
  const m = await submitted();
  expectProblem(assert, await operator.post(`/v1/measurements/${m.id}/verify`), 403);
  expectProblem(assert, await operator.post(`/v1/measurements/${m.id}/reject`, { reason: 'x' }), 403);
  expectProblem(assert, await viewer.post(`/v1/measurements/${m.id}/verify`), 403);
  const elsewhere = await mentorElsewhere.post(`/v1/measurements/${m.id}/verify`);
  expectProblem(assert, elsewhere, 403);
  expectProblem(assert, await mentorElsewhere.post(`/v1/measurements/${m.id}/reject`, { reason: 'x' }), 403);
  assert.equal((await admin.get(`/v1/measurements/${m.id}`)).json.status, 'submitted');
  const inOther = await create(admin, { pesantren_id: other.id });
  assert.equal((await admin.post(`/v1/measurements/${inOther.id}/submit`)).status, 200);
  expectProblem(assert, await mentor.post(`/v1/measurements/${inOther.id}/verify`), 403);
  assert.equal((await mentorElsewhere.post(`/v1/measurements/${inOther.id}/verify`)).status, 200);
});

test('steps on an unknown or malformed id are 404; they honour If-Match', async () => {
  expectProblem(assert, await admin.post('/v1/measurements/00000000-0000-4000-8000-000000000000/submit'), 404);
  expectProblem(assert, await admin.post('/v1/measurements/nope/verify'), 404);
  expectProblem(assert, await admin.get('/v1/measurements/nope'), 404);
  expectProblem(assert, await admin.get('/v1/measurements/00000000-0000-4000-8000-000000000000'), 404);
  const m = await create(operator);
  expectProblem(assert, await operator.post(`/v1/measurements/${m.id}/submit`, undefined, { 'If-Match': '"5"' }), 412);
  expectProblem(assert, await operator.post(`/v1/measurements/${m.id}/submit`, { status: 'submitted' }), 422, 'status');
  assert.equal((await operator.post(`/v1/measurements/${m.id}/submit`, undefined, { 'If-Match': '"1"' })).status, 200);
});

test('an operator edits its own drafts and rejected measurements only', async () => {
  const d = await create(operator);
  const r = await operator.patch(`/v1/measurements/${d.id}`, { value: 99, note: 'revisi', period: nextPeriod(), program_id: program.id });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.value, 99);
  assert.equal(r.json.program_id, program.id);
  assert.equal(r.json.version, 2);
  const cleared = await operator.patch(`/v1/measurements/${d.id}`, { note: null, program_id: null });
  assert.equal(cleared.json.note, null);
  assert.equal(cleared.json.program_id, null);
  expectProblem(assert, await otherOperator.patch(`/v1/measurements/${d.id}`, { value: 1 }), 403);
  expectProblem(assert, await mentor.patch(`/v1/measurements/${d.id}`, { value: 1 }), 403);
  expectProblem(assert, await viewer.patch(`/v1/measurements/${d.id}`, { value: 1 }), 403);
  const sub = await submitted();
  expectProblem(assert, await operator.patch(`/v1/measurements/${sub.id}`, { value: 1 }), 409);
  const ver = await verified();
  const denied = await operator.patch(`/v1/measurements/${ver.id}`, { value: 1 }, { 'If-Match': `"${ver.version}"` });
  expectProblem(assert, denied, 403);
  assert.equal((await viewer.get(`/v1/measurements/${ver.id}`)).json.value, ver.value);
});

test('patches are validated; indicator and pesantren never change; status is the workflow\'s', async () => {
  const d = await create(operator);
  expectProblem(assert, await operator.patch(`/v1/measurements/${d.id}`, { value: 1.5 }), 422, 'value');
  expectProblem(assert, await operator.patch(`/v1/measurements/${d.id}`, { value: null }), 422, 'value');
  expectProblem(assert, await operator.patch(`/v1/measurements/${d.id}`, { period: '2024-Q9' }), 422, 'period');
  expectProblem(assert, await operator.patch(`/v1/measurements/${d.id}`, { status: 'verified' }), 422, 'status');
  expectProblem(assert, await operator.patch(`/v1/measurements/${d.id}`, { evidence_url: 'file:///etc/passwd' }), 422, 'evidence_url');
  const ind = await operator.patch(`/v1/measurements/${d.id}`, { indicator_code: 'ASET' });
  expectProblem(assert, ind, 422, 'indicator_code');
  assert.match(ind.json.errors[0].message, /immutable/);
  expectProblem(assert, await admin.patch(`/v1/measurements/${d.id}`, { pesantren_id: other.id }), 422, 'pesantren_id');
  const same = await operator.patch(`/v1/measurements/${d.id}`, { indicator_code: 'OMZET', pesantren_id: pes.id, value: 5 });
  assert.equal(same.status, 200, same.text);
  const twin = await create(operator);
  expectProblem(assert, await operator.patch(`/v1/measurements/${twin.id}`, { period: d.period }), 409);
  expectProblem(assert, await operator.patch(`/v1/measurements/${d.id}`, { program_id: '00000000-0000-4000-8000-000000000000' }), 422, 'program_id');
  expectProblem(assert, await operator.patch(`/v1/measurements/${d.id}`, { value: 6 }, { 'If-Match': '"1"' }), 412);
  expectProblem(assert, await operator.patch('/v1/measurements/00000000-0000-4000-8000-000000000000', { value: 6 }), 404);
});

test('an admin changes a verified measurement only with If-Match, and the change is audited', async () => {
  const v = await verified();
  const noIfMatch = await admin.patch(`/v1/measurements/${v.id}`, { value: 14000000 });
  expectProblem(assert, noIfMatch, 428);
  expectProblem(assert, await admin.patch(`/v1/measurements/${v.id}`, { value: 14000000 }, { 'If-Match': '"1"' }), 412);
  const r = await admin.patch(`/v1/measurements/${v.id}`, { value: 14000000 }, { 'If-Match': `"${v.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'verified');
  assert.equal(r.json.value, 14000000);
  assert.equal(r.json.version, v.version + 1);
  const audit = await admin.get(`/v1/audit-events?entity=measurement&entity_id=${v.id}`);
  assert.equal(audit.status, 200, audit.text);
  const change = audit.json.items.find((e) => e.after && Number(e.after.value) === 14000000);
  assert.ok(change, 'audit event for the value change: ' + audit.text);
  assert.equal(Number(change.before.value), v.value);
  const steps = psql(s.db, `SELECT count(*) FROM audit_events WHERE entity = 'measurement' AND entity_id = '${v.id}'`);
  assert.equal(steps, '4');
});

test('deleting: an operator its own drafts, an admin any (a verified one with If-Match)', async () => {
  const d = await create(operator);
  expectProblem(assert, await otherOperator.del(`/v1/measurements/${d.id}`), 403);
  expectProblem(assert, await mentor.del(`/v1/measurements/${d.id}`), 403);
  assert.equal((await operator.del(`/v1/measurements/${d.id}`)).status, 204);
  expectProblem(assert, await viewer.get(`/v1/measurements/${d.id}`), 404);
  const sub = await submitted();
  expectProblem(assert, await operator.del(`/v1/measurements/${sub.id}`), 409);
  const ver = await verified();
  expectProblem(assert, await operator.del(`/v1/measurements/${ver.id}`), 403);
  expectProblem(assert, await admin.del(`/v1/measurements/${ver.id}`), 428);
  expectProblem(assert, await admin.del(`/v1/measurements/${ver.id}`, { 'If-Match': '"1"' }), 412);
  assert.equal((await admin.del(`/v1/measurements/${ver.id}`, { 'If-Match': `"${ver.version}"` })).status, 204);
  assert.equal((await admin.del(`/v1/measurements/${sub.id}`)).status, 204);
  expectProblem(assert, await admin.del(`/v1/measurements/${sub.id}`), 404);
});

test('lists filter by indicator, pesantren, programme, region, period and status', async () => {
  const s2 = await makePesantren(s, adminToken, { region_code: '35.01' });
  const mk = (extra) => admin.post('/v1/measurements', { indicator_code: 'EMPLOYEES', pesantren_id: s2.id, value: 4, ...extra });
  for (const period of ['2023', '2023-Q4', '2023-12', '2024-01', '2024-Q1', '2024', '2024-06'])
    assert.equal((await mk({ period })).status, 201);
  assert.equal((await mk({ period: '2024-06', program_id: program.id })).status, 201);
  const q = (qs) => admin.get(`/v1/measurements?pesantren_id=${s2.id}&${qs}`).then((r) => {
    assert.equal(r.status, 200, r.text);
    return r.json.items.map((m) => m.period);
  });
  assert.equal((await q('')).length, 8);
  assert.deepEqual(await q('period=2024-06'), ['2024-06', '2024-06']);
  assert.deepEqual(await q(`program_id=${program.id}`), ['2024-06']);
  assert.deepEqual(await q('period_from=2024'), ['2024-01', '2024-Q1', '2024', '2024-06', '2024-06']);
  assert.deepEqual(await q('period_to=2023'), ['2023', '2023-Q4', '2023-12']);
  assert.deepEqual(await q('period_from=2023-12&period_to=2024-Q1'), ['2023-12', '2024-01', '2024-Q1', '2024']);
  assert.deepEqual(await q('period_from=2023-Q4&period_to=2023-Q4'), ['2023-Q4', '2023-12']);
  assert.equal((await q('indicator_code=EMPLOYEES')).length, 8);
  assert.equal((await q('indicator_code=OMZET')).length, 0);
  const first = (await admin.get(`/v1/measurements?pesantren_id=${s2.id}&period=2023`)).json.items[0];
  await admin.post(`/v1/measurements/${first.id}/submit`);
  assert.deepEqual(await q('status=submitted'), ['2023']);
  assert.equal((await q('status=draft')).length, 7);
  const byRegion = await admin.get('/v1/measurements?region_code=35.01&include_total=true');
  assert.equal(byRegion.json.total, 8);
  assert.ok(byRegion.json.items.every((m) => m.pesantren_id === s2.id));
  const seen = [];
  let cursor = null;
  do {
    const r = await admin.get(`/v1/measurements?pesantren_id=${s2.id}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200);
    seen.push(...r.json.items.map((m) => m.id));
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.equal(new Set(seen).size, 8);
});

test('bad list parameters are 400', async () => {
  expectProblem(assert, await viewer.get('/v1/measurements?status=approved'), 400, 'status');
  expectProblem(assert, await viewer.get('/v1/measurements?pesantren_id=abc'), 400, 'pesantren_id');
  expectProblem(assert, await viewer.get('/v1/measurements?program_id=abc'), 400, 'program_id');
  expectProblem(assert, await viewer.get('/v1/measurements?period=2024-Q7'), 400, 'period');
  expectProblem(assert, await viewer.get('/v1/measurements?period_from=last-year'), 400, 'period_from');
  expectProblem(assert, await viewer.get('/v1/measurements?period_to=2024-00'), 400, 'period_to');
  expectProblem(assert, await viewer.get('/v1/measurements?period=2024&period_from=2023'), 400, 'period');
  expectProblem(assert, await viewer.get('/v1/measurements?period_from=2024&period_to=2023'), 400, 'period_to');
  expectProblem(assert, await viewer.get('/v1/measurements?sort=value'), 400, 'sort');
});
