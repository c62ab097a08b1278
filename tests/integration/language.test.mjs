// Language and problem types: Accept-Language chooses English or Bahasa
// Indonesia for every problem text (title, detail, errors[].message) and for
// the row messages of batch answers; type, status and field names never change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makePesantren, nspp } from './lib/harness.mjs';

let s, admin;
before(async () => {
  s = await startServer();
  admin = await s.login();
});
after(async () => s && s.stop());

const NIL = '00000000-0000-0000-0000-000000000000';
const ID = { 'Accept-Language': 'id' };
const EN = { 'Accept-Language': 'en' };

/* Texts spelled the same in both languages (names of things, not sentences). */
const SAME = new Set(['pesantren', 'target']);

/** The texts a person reads in a problem or batch answer, in order. */
function texts(body) {
  const out = [];
  for (const k of ['title', 'detail']) if (typeof body[k] === 'string') out.push(body[k]);
  for (const e of body.errors || []) out.push(e.message);
  for (const row of body.items || []) {
    if (typeof row.detail === 'string') out.push(row.detail);
    for (const e of row.errors || []) out.push(e.message);
  }
  return out;
}
/** What must not change with the language. */
function shape(body) {
  return JSON.stringify({
    type: body.type, status: body.status,
    fields: (body.errors || []).map((e) => e.field),
    rows: (body.items || []).map((r) => [r.status, r.type, (r.errors || []).map((e) => e.field)]),
  });
}

/** Sends the same request in both languages; checks headers and that no English is left in the Indonesian. */
async function both(send) {
  const en = await send(EN);
  const id = await send(ID);
  assert.equal(id.status, en.status, id.text);
  assert.equal(shape(id.json), shape(en.json), `${en.text}\n${id.text}`);
  assert.equal(en.headers.get('content-language'), 'en');
  assert.equal(id.headers.get('content-language'), 'id');
  for (const r of [en, id]) assert.match(r.headers.get('vary') || '', /Accept-Language/i);
  const [te, ti] = [texts(en.json), texts(id.json)];
  assert.equal(ti.length, te.length);
  ti.forEach((t, i) => {
    if (!SAME.has(t)) assert.notEqual(t, te[i], `untranslated in ${id.text}`);
  });
  return { en, id };
}

test('validation problems: every field message in Indonesian, the same fields and type', async () => {
  const { id } = await both((h) => s.api(admin).post('/v1/pesantren', { nspp: '12', region_code: '99.99', color: 'x' }, h));
  assert.equal(id.status, 422);
  assert.equal(id.json.type, '/problems/validation-failed');
  assert.equal(id.json.title, 'Data Tidak Valid');
  const byField = Object.fromEntries(id.json.errors.map((e) => [e.field, e.message]));
  assert.equal(byField.name, 'wajib diisi');
  assert.equal(byField.color, 'tidak dikenal');
  assert.equal(byField.nspp, 'harus berupa 12 digit');
});

test('a duplicate NSPP is /problems/duplicate-nspp, "sudah terdaftar" in Indonesian', async () => {
  const p = await makePesantren(s, admin);
  const { en, id } = await both((h) =>
    s.api(admin).post('/v1/pesantren', { nspp: p.nspp, name: 'Pondok Kembar', region_code: '35.78' }, h));
  assert.equal(en.status, 409);
  assert.equal(en.json.type, '/problems/duplicate-nspp');
  assert.match(id.json.detail, /sudah terdaftar/);
});

test('quota full and already enrolled have their own types', async () => {
  const prog = (await s.api(admin).post('/v1/programs', { pillar: 'santripreneur', name: 'Program Kuota', year: 2024, quota: 1 })).json;
  const [a, b] = [await makePesantren(s, admin), await makePesantren(s, admin)];
  const enrol = (p, h) => s.api(admin).post(`/v1/programs/${prog.id}/participants`, { pesantren_id: p.id }, h);
  assert.equal((await enrol(a)).status, 201);
  const again = await both((h) => enrol(a, h));
  assert.equal(again.en.json.type, '/problems/already-enrolled');
  const full = await both((h) => enrol(b, h));
  assert.equal(full.en.json.type, '/problems/quota-full');
  assert.equal(full.id.json.detail, 'Kuota program sudah penuh.');
});

test('a workflow step the status does not allow is /problems/workflow-step-not-allowed', async () => {
  const p = await makePesantren(s, admin);
  const m = await s.api(admin).post('/v1/measurements', { indicator_code: 'OMZET', pesantren_id: p.id, period: '2024-04', value: 5 });
  assert.equal(m.status, 201, m.text);
  const { en, id } = await both((h) => s.api(admin).post(`/v1/measurements/${m.json.id}/reject`, { reason: 'Belum lengkap' }, h));
  assert.equal(en.status, 409);
  assert.equal(en.json.type, '/problems/workflow-step-not-allowed');
  assert.match(id.json.detail, /draft/); // the status code stays as the API spells it
});

test('not found, unauthorized, bad query, unparsable JSON and messages with numbers inside', async () => {
  await both((h) => s.api(admin).get(`/v1/pesantren/${NIL}`, h));
  await both((h) => s.api(admin).get(`/v1/programs/${NIL}`, h));
  await both((h) => s.api().get('/v1/me', h));
  const q = await both((h) => s.api(admin).get('/v1/pesantren?limit=500', h));
  assert.equal(q.id.json.errors[0].message, 'harus berupa bilangan bulat antara 1 dan 100');
  const j = await both((h) => s.api(admin).post('/v1/pesantren', '{"nspp": ', h));
  assert.match(j.id.json.errors[0].message, /^bukan JSON yang valid \(baris 1, kolom \d+\)$/);
  await both((h) => s.api(admin).post('/v1/programs', { pillar: 'x', name: 'ab', year: 1900 }, h));
});

test('batch answers give their row messages in the language asked for', async () => {
  const p = await makePesantren(s, admin);
  const items = [
    { indicator_code: 'OMZET', pesantren_id: p.id, period: '2024-05', value: 7 },
    { indicator_code: 'NOPE', pesantren_id: p.id, period: '2024-13', value: -1 },
  ];
  const en = await s.api(admin).post('/v1/measurements/batch', { items }, EN);
  assert.equal(en.status, 200, en.text);
  const id = await s.api(admin).post('/v1/measurements/batch', { items }, ID);
  assert.equal(id.headers.get('content-language'), 'id');
  assert.equal(id.json.items[0].status, 409);
  assert.equal(id.json.items[0].type, '/problems/duplicate-measurement');
  assert.equal(en.json.items[1].status, 422);
  const msgs = (r) => texts(r.json);
  msgs(id).forEach((t, i) => assert.notEqual(t, msgs(en)[i], id.text));
});

test('negotiation: id-ID and q-values choose Indonesian; other, wildcard or malformed headers English', async () => {
  const ask = (value) => s.api(admin).get(`/v1/pesantren/${NIL}`, value === undefined ? {} : { 'Accept-Language': value });
  for (const v of ['id-ID', 'id;q=0.9, en;q=0.8', 'en;q=0.2, id-ID;q=0.7', 'fr, id;q=0.1']) {
    const r = await ask(v);
    assert.equal(r.headers.get('content-language'), 'id', v);
    assert.equal(r.json.title, 'Tidak Ditemukan');
  }
  for (const v of [undefined, 'en', 'fr', '*', 'id;q=0', 'id;q=abc', 'en-GB,en;q=0.9']) {
    const r = await ask(v);
    assert.equal(r.headers.get('content-language'), 'en', String(v));
    assert.equal(r.json.title, 'Not Found');
    assert.equal(r.json.type, '/problems/not-found');
  }
});

test('a successful answer is not touched by the language', async () => {
  const r = await s.api(admin).post('/v1/pesantren', { nspp: nspp(), name: 'Pondok Bahasa', region_code: '35.78' }, ID);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.name, 'Pondok Bahasa');
});
