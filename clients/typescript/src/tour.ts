// The README's tour, typed: sign in, create, read and change a pesantren, set
// the 2024 OMZET target (or read the one there is), record a measurement,
// submit and verify it, read the achievement report, export a list as CSV
// and check a CSV of measurements (dry run), then read the change feed.
//
//   OPOP_API=http://127.0.0.1:8080 OPOP_EMAIL=... OPOP_PASSWORD=... npm run tour
import { expectData, opopClient } from "./client.js";

const api = process.env.OPOP_API ?? "http://127.0.0.1:8080";
const email = process.env.OPOP_EMAIL ?? "admin@example.org";
const password = process.env.OPOP_PASSWORD ?? "Admin-pass-123";

async function signIn(): Promise<string> {
  const login = await opopClient(api).POST("/v1/auth/login", { body: { email, password } });
  return expectData("sign in", login).token;
}

async function main(): Promise<void> {
  // 1. Sign in; every later call carries the token.
  const client = opopClient(api, await signIn());
  const me = expectData("me", await client.GET("/v1/me"));
  console.log(`1. signed in as ${me.kind === "user" ? me.email : `API key ${me.name}`} (${me.role})`);

  // 2. Create a pesantren (safe to retry with the same Idempotency-Key), read its ETag, change it with If-Match.
  const nspp = "5100" + String(Date.now() % 100_000_000).padStart(8, "0");
  const created = expectData("create pesantren", await client.POST("/v1/pesantren", {
    params: { header: { "Idempotency-Key": `tour-${nspp}` } },
    body: { nspp, name: "Pondok Pesantren Al-Hikmah", region_code: "35.78", typology: "terpadu", santri_count: 850 },
  }));
  const read = await client.GET("/v1/pesantren/{id}", { params: { path: { id: created.id } } });
  const etag = read.response.headers.get("ETag") ?? "";
  const changed = expectData("change pesantren", await client.PATCH("/v1/pesantren/{id}", {
    params: { path: { id: created.id }, header: { "If-Match": etag } },
    body: { leader_name: "KH. Ahmad Fauzi" },
  }));
  console.log(`2. pesantren ${changed.name} (${changed.nspp}), ETag ${etag}, now version ${changed.version}`);

  // 3. The province-wide 2024 OMZET target: kept when one is set already (a demo database has one).
  const targets = expectData("list targets", await client.GET("/v1/targets", {
    params: { query: { indicator_code: "OMZET", period: "2024", scope: "province" } },
  }));
  const target = targets.items[0] ?? expectData("set target", await client.POST("/v1/targets", {
    body: { indicator_code: "OMZET", period: "2024", value: 1_500_000_000 },
  }));
  const measurement = expectData("record measurement", await client.POST("/v1/measurements", {
    body: { indicator_code: "OMZET", pesantren_id: created.id, period: "2024-04", value: 125_000_000,
      note: "Koppontren dan produk unggulan" },
  }));
  const path = { params: { path: { id: measurement.id } } };
  const submitted = expectData("submit", await client.POST("/v1/measurements/{id}/submit", path));
  const verified = expectData("verify", await client.POST("/v1/measurements/{id}/verify", path));
  console.log(`3. target ${target.value}; measurement ${measurement.status} -> ${submitted.status} -> ${verified.status}`);

  // 4. The achievement report for 2024.
  const report = expectData("report", await client.GET("/v1/reports/achievement", { params: { query: { year: 2024 } } }));
  if (typeof report === "string") throw new Error("report: CSV where JSON was asked for"); // the answer may be either
  const omzet = report.items.find((row) => row.indicator_code === "OMZET");
  console.log(`4. OMZET 2024: target ${omzet?.target}, actual ${omzet?.actual}, ${omzet?.achievement_pct} %`);

  // 4b. Spreadsheets: a list as CSV, and measurements checked from a CSV file without writing them.
  const csv = await client.GET("/v1/pesantren", { params: { query: { region_code: "35.78", format: "csv" } }, parseAs: "text" });
  const rows = expectData("pesantren as CSV", csv).split("\n").filter((line) => line !== "").length;
  const upload = `indicator_code,pesantren_id,period,value\nOMZET,${created.id},2024-05,131000000\n`;
  const dryRun = expectData("batch dry run", await client.POST("/v1/measurements/batch", {
    params: { query: { dry_run: true } },
    body: upload,
    bodySerializer: (body) => body,
    headers: { "Content-Type": "text/csv" },
  }));
  console.log(`4b. ${rows} CSV lines of pesantren in 35.78; dry run: ${JSON.stringify(dryRun.items.map((i) => [i.row, i.status]))}`);

  // 5. The change feed, one page.
  const changes = expectData("changes", await client.GET("/v1/changes", { params: { query: { limit: 100 } } }));
  console.log(`5. ${changes.items.length} changes, next cursor ${changes.next_cursor}`);
  const checked = dryRun.items.every((item) => item.status === 200);
  if (verified.status !== "verified" || omzet?.actual == null || !checked || changes.items.length === 0) {
    throw new Error("the tour did not end as the README says");
  }
}

main().catch((e: unknown) => {
  console.error(String(e instanceof Error ? e.message : e));
  process.exit(1);
});
