// Spreadsheets out (CSV and XLSX exports of reports and lists) and in
// (pesantren import, measurements batch from a file, templates). Every XLSX
// file is opened with openpyxl, a reader independent of the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, makePesantren, nspp, psql } from './lib/harness.mjs';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const READER = new URL('./lib/xlsx_cells.py', import.meta.url).pathname;
let s, token, admin, dir, pes;

before(async () => {
  s = await startServer();
  token = await s.login();
  admin = s.api(token);
  dir = mkdtempSync(join(tmpdir(), 'opop-xlsx-'));
  pes = [];
  for (let i = 0; i < 3; i++) pes.push(await makePesantren(s, token, { region_code: '35.09', santri_count: 100 + i }));
  pes.push(await makePesantren(s, token, { region_code: '35.09', name: '=HYPERLINK("x") Pondok' }));
});
after(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (s) await s.stop();
});

async function download(path, headers = {}) {
  const r = await fetch(s.base + path, { headers: { Authorization: `Bearer ${token}`, ...headers } });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

function cells(buffer) {
  const file = join(dir, `f${Math.random().toString(16).slice(2)}.xlsx`);
  writeFileSync(file, buffer);
  return JSON.parse(execFileSync('/usr/bin/python3', [READER, file], { encoding: 'utf8' }));
}

// A JSON value as the cell should show it.
const asCell = (v) => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return v.replace(/\.\d+Z$/, 'Z');
  if (typeof v === 'string' && /^[=+\-@]/.test(v)) return "'" + v;
  return v;
};

test('a report as XLSX: one sheet, title row, bold frozen header, the JSON rows as numbers', async () => {
  const json = (await admin.get('/v1/reports/achievement?year=2024')).json;
  const r = await download('/v1/reports/achievement?year=2024&format=xlsx', { Accept: 'text/csv' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), XLSX);
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="achievement-2024.xlsx"');
  const x = cells(r.body);
  assert.equal(x.sheets, 1);
  assert.match(x.rows[0][0], /^Achievement \(.*include_unverified=false.*\), made \d{4}-\d\d-\d\d \d\d:\d\d WIB$/);
  assert.equal(x.freeze, 'A3');
  assert.equal(x.bold[1], true);
  const header = x.rows[1];
  assert.equal(header[0], 'indicator_code');
  assert.equal(x.rows.length - 2, json.items.length);
  json.items.forEach((item, i) => header.forEach((h, c) => assert.deepEqual(x.rows[i + 2][c], asCell(item[h]), h)));
  const viaAccept = await download('/v1/reports/pillars?year=2024', { Accept: XLSX });
  assert.equal(viaAccept.headers.get('content-type'), XLSX);
});

test('the pesantren list as XLSX and CSV: every row the filters match, whatever limit says', async () => {
  const json = (await admin.get('/v1/pesantren?region_code=35.09&limit=100')).json.items;
  const r = await download('/v1/pesantren?region_code=35.09&limit=1', { Accept: XLSX });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="pesantren-\d{4}\.xlsx"$/);
  const x = cells(r.body);
  assert.match(x.rows[0][0], /region_code=35\.09/);
  const header = x.rows[1];
  assert.equal(x.rows.length - 2, json.length);
  json.forEach((item, i) => header.forEach((h, c) => assert.deepEqual(x.rows[i + 2][c], asCell(item[h]), h)));
  const text = (await download('/v1/pesantren?region_code=35.09&format=csv', { Accept: XLSX })).body.toString();
  const lines = text.trim().split('\r\n');
  assert.equal(lines[0].split(',')[0], 'id');
  assert.equal(lines.length - 1, json.length);
  for (const path of ['/v1/products?format=xlsx', '/v1/measurements?format=xlsx', `/v1/pesantren/${pes[0].id}/products?format=csv`]) {
    assert.equal((await download(path)).status, 200, path);
  }
  assert.equal((await admin.get('/v1/pesantren?format=pdf')).status, 400);
});

const csv = (lines) => lines.join('\r\n') + '\r\n';
const post = (path, body, type = 'text/csv', headers = {}) =>
  admin.post(path, body, { 'Content-Type': type, ...headers });
const countNspp = (n) => Number(psql(s.db, `SELECT count(*) FROM pesantren WHERE nspp = '${n}'`));

test('pesantren import: dry run writes nothing, rows answer by number and field, each row alone', async () => {
  const a = nspp(), b = nspp();
  const file = '\ufeff' + csv(['nspp;name;region_code;santri_count;active',
    `${a};'=Pondok Rumus;35.78;120;true`, `${b};Pondok Dua;35.99;many;`, '', `${pes[0].nspp};Pondok Lama;35.78;;`]);
  const dry = await post('/v1/pesantren/import?dry_run=true', file);
  assert.equal(dry.status, 200, dry.text);
  assert.deepEqual(dry.json.items.map((i) => [i.row, i.status]), [[2, 200], [3, 422], [5, 409]]);
  assert.equal(dry.json.created, 0);
  assert.equal(countNspp(a), 0);
  const r = await post('/v1/pesantren/import', file);
  assert.deepEqual(r.json.items.map((i) => [i.row, i.status]), [[2, 201], [3, 422], [5, 409]]);
  assert.deepEqual(r.json.items[1].errors.map((e) => e.field).sort(), ['region_code', 'santri_count']);
  assert.equal(r.json.items[2].errors[0].field, 'nspp');
  assert.deepEqual([r.json.created, r.json.failed], [1, 2]);
  const made = (await admin.get(`/v1/pesantren/${r.json.items[0].id}`)).json;
  assert.equal(made.name, '=Pondok Rumus');
  assert.equal(made.santri_count, 120);
});

test('pesantren import: an export comes back in (title row skipped, quote removed)', async () => {
  const x = await download(`/v1/pesantren?q=HYPERLINK&format=xlsx`);
  psql(s.db, `UPDATE pesantren SET nspp = '${nspp()}' WHERE id = '${pes[3].id}'`);
  const r = await post('/v1/pesantren/import', x.body, XLSX);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((i) => [i.row, i.status]), [[3, 201]]);
  assert.equal((await admin.get(`/v1/pesantren/${r.json.items[0].id}`)).json.name, pes[3].name);
});

test('pesantren import: Idempotency-Key gives the first answer again and stores nothing new', async () => {
  const n = nspp();
  const file = csv(['nspp,name,region_code', `${n},Pondok Sekali,35.78`]);
  const key = { 'Idempotency-Key': `import-${n}` };
  const first = await post('/v1/pesantren/import', file, 'text/csv', key);
  assert.deepEqual(first.json.items.map((i) => i.status), [201]);
  const again = await post('/v1/pesantren/import', file, 'text/csv', key);
  assert.equal(again.status, 200);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(again.json, first.json);
  assert.equal(countNspp(n), 1);
  // The same key on other rows, or on a dry run of the same rows, is refused.
  const dry = await post('/v1/pesantren/import?dry_run=true', file, 'text/csv', key);
  assert.equal(dry.status, 422, dry.text);
});

test('measurements batch as JSON: dry_run tries every row and stores nothing', async () => {
  const body = { items: [{ indicator_code: 'OMZET', pesantren_id: pes[1].id, period: '2031-01', value: 5 },
    { indicator_code: 'OMZET', pesantren_id: pes[1].id, period: '2031-13', value: 5 }] };
  const r = await admin.post('/v1/measurements/batch?dry_run=true', body);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((i) => [i.index, i.status]), [[0, 200], [1, 422]]);
  assert.deepEqual([r.json.created, r.json.failed], [0, 1]);
  const stored = psql(s.db, `SELECT count(*) FROM measurements WHERE pesantren_id = '${pes[1].id}' AND period = '2031-01'`);
  assert.equal(Number(stored), 0);
  assert.equal((await admin.post('/v1/measurements/batch?dry=1', body)).status, 400);
});

test('import file checks: one 4xx before any row is written', async () => {
  const n = nspp();
  const bad = await post('/v1/pesantren/import', csv(['nspp,name,colour', `${n},Pondok Warna,red`]));
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.json.errors.map((e) => e.field).sort(), ['colour', 'region_code']);
  const rows = ['nspp,name,region_code'];
  for (let i = 0; i < 5001; i++) rows.push(`${n},Pondok ${i},35.78`);
  assert.equal((await post('/v1/pesantren/import', csv(rows))).status, 413);
  assert.equal(countNspp(n), 0);
  assert.equal((await post('/v1/pesantren/import', 'x', 'application/pdf')).status, 415);
  assert.equal((await post('/v1/pesantren/import', 'not a zip', XLSX)).status, 422);
  // Up to 8 MiB on an import route.
  const big = csv(['nspp,name,region_code', `${n},Pondok Besar,35.78`]) + '\n'.repeat(2 * 1024 * 1024);
  assert.deepEqual((await post('/v1/pesantren/import', big)).json.items.map((i) => i.status), [201]);
});

test('measurements from a file on the batch route, and the templates', async () => {
  const file = csv(['indicator_code,pesantren_id,period,value',
    `OMZET,${pes[1].id},2024-01,1000000`, `OMZET,${pes[1].id},2024-13,5`]);
  const r = await post('/v1/measurements/batch', file);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((i) => [i.row, i.status]), [[2, 201], [3, 422]]);
  assert.equal(r.json.items[1].errors[0].field, 'period');
  for (const [path, first] of [['/v1/pesantren/import/template', 'nspp'], ['/v1/measurements/batch/template', 'indicator_code']]) {
    const t = cells((await download(path + '?format=xlsx')).body);
    assert.equal(t.rows.length, 2);
    assert.equal(t.rows[0][0], first);
    const c = (await download(path + '?format=csv')).body.toString().trim().split('\r\n');
    assert.equal(c.length, 2);
    assert.equal(c[0].split(',')[0], first);
  }
  const tpl = (await download('/v1/pesantren/import/template?format=csv')).body.toString();
  const dry = await post('/v1/pesantren/import?dry_run=true', tpl);
  assert.deepEqual(dry.json.items.map((i) => i.status), [200]);
});
