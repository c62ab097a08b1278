// Sessions end when a user's password, role, pesantren, regions or active
// flag change; POST /v1/me/password; sign-in answers are never cached.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeUser, makePesantren, expectProblem, ADMIN_EMAIL, ADMIN_PASSWORD } from './lib/harness.mjs';

let s, admin;

before(async () => {
  s = await startServer();
  admin = await s.login();
});
after(async () => s && s.stop());

const me = (token) => s.api(token).get('/v1/me');

async function twoSessions(role, extra) {
  const u = await makeUser(s, admin, role, extra);
  return { ...u, second: await s.login(u.email, u.password) };
}

test('an admin changing a password, role, pesantren, regions or active ends every session of the user', async () => {
  const p = await makePesantren(s, admin);
  const q = await makePesantren(s, admin);
  const changes = [
    ['viewer', {}, { password: 'Fresh-pass-123' }],
    ['viewer', {}, { role: 'mentor' }],
    ['operator', { pesantren_id: p.id }, { pesantren_id: q.id }],
    ['mentor', { region_codes: ['35.09'] }, { region_codes: ['35.10'] }],
    ['viewer', {}, { active: false }],
  ];
  for (const [role, extra, patch] of changes) {
    const u = await twoSessions(role, extra);
    assert.equal((await me(u.token)).status, 200);
    const r = await s.api(admin).patch(`/v1/users/${u.id}`, patch);
    assert.equal(r.status, 200, r.text);
    expectProblem(assert, await me(u.token), 401);
    expectProblem(assert, await me(u.second), 401);
  }
});

test('changing only a name or email keeps the sessions', async () => {
  const u = await twoSessions('viewer');
  const r = await s.api(admin).patch(`/v1/users/${u.id}`, { name: 'Nama Lain', email: `lain-${crypto.randomUUID()}@example.org` });
  assert.equal(r.status, 200, r.text);
  assert.equal((await me(u.token)).status, 200);
  assert.equal((await me(u.second)).status, 200);
});

test('a user changes their own password: the current session stays, the others end', async () => {
  const u = await twoSessions('mentor');
  const r = await s.api(u.token).post('/v1/me/password', { current_password: u.password, new_password: 'Brand-new-pass-1' });
  assert.equal(r.status, 204, r.text);
  assert.equal(r.text, '');
  assert.equal((await me(u.token)).status, 200);
  expectProblem(assert, await me(u.second), 401);
  expectProblem(assert, await s.api().post('/v1/auth/login', { email: u.email, password: u.password }), 401);
  assert.equal((await s.api().post('/v1/auth/login', { email: u.email, password: 'Brand-new-pass-1' })).status, 200);
});

test('the current password must be right, and the body complete', async () => {
  const u = await makeUser(s, admin, 'viewer');
  const api = s.api(u.token);
  expectProblem(assert, await api.post('/v1/me/password', { current_password: 'not-it', new_password: 'Another-pass-1' }),
    422, 'current_password');
  expectProblem(assert, await api.post('/v1/me/password', { new_password: 'Another-pass-1' }), 422, 'current_password');
  expectProblem(assert, await api.post('/v1/me/password', { current_password: u.password }), 422, 'new_password');
  expectProblem(assert, await api.post('/v1/me/password', { current_password: u.password, new_password: 'short' }),
    422, 'new_password');
  expectProblem(assert, await api.post('/v1/me/password', { current_password: u.password, new_password: 'Another-pass-1', x: 1 }),
    422, 'x');
  expectProblem(assert, await s.api().post('/v1/me/password', { current_password: 'a', new_password: 'Another-pass-1' }), 401);
  // Nothing changed: the old password still signs in.
  assert.equal((await s.api().post('/v1/auth/login', { email: u.email, password: u.password })).status, 200);
});

test('an API key cannot change a password', async () => {
  const k = await s.api(admin).post('/v1/api-keys', { name: 'skrip', role: 'viewer' });
  assert.equal(k.status, 201, k.text);
  expectProblem(assert, await s.api(k.json.key).post('/v1/me/password',
    { current_password: ADMIN_PASSWORD, new_password: 'Another-pass-1' }), 403);
});

test('answers carrying a credential are not cached', async () => {
  const r = await s.api().post('/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const k = await s.api(admin).post('/v1/api-keys', { name: 'kunci', role: 'viewer' });
  assert.equal(k.status, 201);
  assert.equal(k.headers.get('cache-control'), 'no-store');
});
