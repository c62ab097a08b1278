// Seeds pesantren through the HTTP API for tests/bench/run.sh and writes
// their ids, one a line, to OUT_FILE (what the wrk scripts pick from).
//
// usage: node seed_pesantren.mjs BASE_URL TOKEN COUNT OUT_FILE [CONCURRENCY]
// Regions are taken round-robin over the 38 codes, so every region filter of
// the list benchmark finds about COUNT/38 rows. The NSPP carries the run's
// start time, so seeding one database twice does not collide.
import { writeFileSync } from 'node:fs';

const [base, token, countText, outFile, concText] = process.argv.slice(2);
const count = Number(countText);
const concurrency = Number(concText || 8);
if (!base || !token || !Number.isInteger(count) || count < 1 || !outFile) {
  console.error('usage: node seed_pesantren.mjs BASE_URL TOKEN COUNT OUT_FILE [CONCURRENCY]');
  process.exit(2);
}

const REGIONS = [];
for (let n = 1; n <= 29; n++) REGIONS.push(`35.${String(n).padStart(2, '0')}`);
for (let n = 71; n <= 79; n++) REGIONS.push(`35.${n}`);
const TYPOLOGIES = ['salafiyah', 'khalafiyah', 'terpadu'];
const stamp = String(Math.floor(Date.now() / 1000) % 1000000).padStart(6, '0');

function doc(i) {
  return {
    nspp: stamp + String(i).padStart(6, '0'),
    name: `Pondok Pesantren Bench ${i}`,
    region_code: REGIONS[i % REGIONS.length],
    address: `Jalan Pesantren No. ${(i % 200) + 1}`,
    district: `Kecamatan ${i % 17}`,
    village: `Desa ${i % 23}`,
    leader_name: `KH. Pengasuh ${i}`,
    phone: `0812${String(i).padStart(8, '0')}`,
    email: `pp${i}@example.org`,
    founded_year: 1900 + (i % 120),
    santri_count: (i * 37) % 3000,
    typology: TYPOLOGIES[i % 3],
    latitude: -7.5 + (i % 100) / 100,
    longitude: 112.0 + (i % 200) / 100,
  };
}

async function create(i) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${base}/v1/pesantren`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(doc(i)),
    });
    const text = await res.text();
    if (res.status === 201) return JSON.parse(text).id;
    if (res.status !== 503 || attempt >= 5) throw new Error(`POST /v1/pesantren #${i}: ${res.status} ${text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ids = new Array(count);
let next = 0;
const started = Date.now();
async function worker() {
  while (next < count) {
    const i = next++;
    ids[i] = await create(i);
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
writeFileSync(outFile, ids.join('\n') + '\n');
const s = (Date.now() - started) / 1000;
console.error(`seeded ${count} pesantren in ${s.toFixed(1)} s (${(count / s).toFixed(0)}/s)`);
