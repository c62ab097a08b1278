// A sign-in rush against a running server (a script, not a test): SIGNERS
// clients sign in continuously (each waits Retry-After after a 503, as a
// client should) while READERS other clients read a page of pesantren, first
// for a quiet phase, then during the rush. Prints the readers' latency
// (p50/p99/max, ms) and statuses in each phase, and the sign-ins' statuses.
//
//   node signin_rush.mjs BASE EMAIL PASSWORD [SECONDS=20] [SIGNERS=32] [READERS=4]
// Only loopback addresses are accepted as BASE; every loop stops by itself.
const [base, email, password, seconds = '20', signers = '32', readers = '4'] = process.argv.slice(2);
if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(base || '')) {
  console.error('usage: node signin_rush.mjs http://127.0.0.1:PORT EMAIL PASSWORD [SECONDS] [SIGNERS] [READERS]');
  process.exit(2);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const json = { 'Content-Type': 'application/json' };

async function signIn() {
  const r = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
  await r.arrayBuffer();
  return r;
}

async function readLoop(token, until, stats) {
  while (Date.now() < until) {
    const t0 = performance.now();
    const r = await fetch(`${base}/v1/pesantren?limit=20`, { headers: { Authorization: `Bearer ${token}` } });
    await r.arrayBuffer();
    stats.ms.push(performance.now() - t0);
    stats.status[r.status] = (stats.status[r.status] || 0) + 1;
  }
}

async function signLoop(until, status) {
  while (Date.now() < until) {
    const r = await signIn();
    status[r.status] = (status[r.status] || 0) + 1;
    if (r.status === 503 || r.status === 429) await sleep(1000 * Number(r.headers.get('retry-after') || 1));
  }
}

function summary(stats) {
  const ms = stats.ms.sort((a, b) => a - b);
  const at = (q) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(1) : '-');
  return `reads=${ms.length} p50=${at(0.5)}ms p99=${at(0.99)}ms max=${ms.length ? ms[ms.length - 1].toFixed(1) : '-'}ms status=${JSON.stringify(stats.status)}`;
}

async function phase(label, token, ms, withRush) {
  const until = Date.now() + ms;
  const stats = { ms: [], status: {} };
  const signStatus = {};
  const loops = Array.from({ length: Number(readers) }, () => readLoop(token, until, stats));
  if (withRush) for (let i = 0; i < Number(signers); i++) loops.push(signLoop(until, signStatus));
  await Promise.all(loops);
  console.log(`${label}: ${summary(stats)}${withRush ? ` sign-ins=${JSON.stringify(signStatus)}` : ''}`);
}

const first = await signIn();
if (first.status !== 200) {
  console.error(`sign-in failed: ${first.status}`);
  process.exit(1);
}
const r = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
const { token } = await r.json();
await phase('quiet', token, 5000, false);
await phase(`rush of ${signers} sign-in clients`, token, Number(seconds) * 1000, true);
