// The answer validator itself: it accepts a right answer and names each kind
// of wrong one, so a silent validator cannot pass the contract step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSpec } from './lib/spec.mjs';
import { createValidator } from './lib/validator.mjs';

const v = createValidator(loadSpec());
const H = (h) => new Headers({ 'x-request-id': 'abc', ...h });
const json = 'application/json';
const problem = 'application/problem+json';
const region = {
  code: '35.78', name: 'Kota Surabaya', kind: 'kota', version: 1,
  created_at: '2024-04-25T09:00:00Z', updated_at: '2024-04-25T09:00:00Z',
};
const prob = (status, extra = {}) => JSON.stringify({ type: '/problems/x', title: 'X', status, detail: 'x', ...extra });

test('a right answer passes', () => {
  const r = v.check('GET', '/v1/regions/35.78', 200, H({ 'content-type': json, etag: '"1"' }), JSON.stringify(region));
  assert.deepEqual(r, { operation: 'GET /v1/regions/{code}', problems: [] });
});

test('an unknown field, a wrong type and a missing field are caught', () => {
  const r = v.check('GET', '/v1/regions/35.78', 200, H({ 'content-type': json }), JSON.stringify({ code: '35.78', kind: 'desa', extra: 1 }));
  assert.ok(r.problems.length >= 2, JSON.stringify(r.problems));
});

test('an undocumented status is caught', () => {
  const r = v.check('GET', '/v1/regions/35.78', 418, H({ 'content-type': problem }), prob(418));
  assert.match(r.problems.join(), /not documented/);
});

test('a missing required header is caught', () => {
  const r = v.check('GET', '/v1/pesantren', 401, H({ 'content-type': problem }), prob(401));
  assert.match(r.problems.join(), /WWW-Authenticate/);
  const n = v.check('GET', '/v1/regions', 200, new Headers({ 'content-type': json }), JSON.stringify({ items: [], next_cursor: null }));
  assert.match(n.problems.join(), /X-Request-Id/);
});

test('a problem whose status differs from the HTTP status is caught', () => {
  const r = v.check('GET', '/v1/regions/35.00', 404, H({ 'content-type': problem }), prob(400));
  assert.match(r.problems.join(), /differs/);
});

test('a 422 without errors is caught', () => {
  const r = v.check('POST', '/v1/pesantren', 422, H({ 'content-type': problem }), prob(422));
  assert.ok(r.problems.some((p) => /errors/.test(p)), JSON.stringify(r.problems));
});

test('an undocumented media type is caught', () => {
  const r = v.check('GET', '/v1/regions/35.78', 200, H({ 'content-type': 'text/html' }), '<p>');
  assert.match(r.problems.join(), /Content-Type/);
});

test('a 405 on a known path and a 404 on an unknown path pass; other answers there do not', () => {
  assert.deepEqual(v.check('PUT', '/v1/regions', 405, H({ 'content-type': problem, allow: 'GET' }), prob(405)).problems, []);
  assert.deepEqual(v.check('GET', '/v1/nothing', 404, H({ 'content-type': problem }), prob(404)).problems, []);
  assert.match(v.check('GET', '/v1/nothing', 200, H({ 'content-type': json }), '{}').problems.join(), /no operation/);
  assert.match(v.check('PUT', '/v1/regions', 200, H({ 'content-type': json }), '{}').problems.join(), /not in the document/);
});

test('a body on a documented empty answer is caught', () => {
  const r = v.check('POST', '/v1/auth/logout', 204, H({ 'content-type': json }), '{}');
  assert.match(r.problems.join(), /without a body/);
});

test('HEAD is checked as the GET operation, without a body', () => {
  const h = H({ 'content-type': json, etag: '"1"' });
  assert.deepEqual(v.check('HEAD', '/v1/regions/35.78', 200, h, ''), { operation: 'GET /v1/regions/{code}', problems: [] });
  assert.match(v.check('HEAD', '/v1/regions/35.78', 200, h, '{}').problems.join(), /body/);
});

test('a pesantren summary (a pesantren with more fields) validates, and an unknown field in it does not', () => {
  const p = {
    id: '396a4a3b-9dd0-4827-b678-c180a1b01f96', nspp: '510024047002', name: 'Pondok Uji', region_code: '35.78',
    address: null, district: null, village: null, leader_name: null, phone: null, email: null, founded_year: null,
    santri_count: null, typology: null, latitude: null, longitude: null, active: true, cohort_year: null, version: 1,
    created_at: '2024-04-25T09:00:00Z', updated_at: '2024-04-25T09:00:00Z',
  };
  const summary = { ...p, enrolments: [], product_count: 0, indicators: [{ code: 'OMZET', name: 'Omzet', unit: 'idr', value: null, period: null }] };
  const path = `/v1/pesantren/${p.id}/summary`;
  assert.deepEqual(v.check('GET', path, 200, H({ 'content-type': json }), JSON.stringify(summary)).problems, []);
  assert.notDeepEqual(v.check('GET', path, 200, H({ 'content-type': json }), JSON.stringify({ ...summary, extra: 1 })).problems, []);
  assert.deepEqual(v.check('GET', `/v1/pesantren/${p.id}`, 200, H({ 'content-type': json, etag: '"1"' }), JSON.stringify(p)).problems, []);
  assert.notDeepEqual(v.check('GET', `/v1/pesantren/${p.id}`, 200, H({ 'content-type': json, etag: '"1"' }), JSON.stringify(summary)).problems, []);
});
