"""Sends N requests one after another on one keep-alive connection, for
tests/bench/instructions.sh: get (GET /v1/pesantren/{id}) or post (POST
/v1/measurements, each a new key from OFFSET on). Exits 1 on any answer that
is not 200 or 201.

usage: requests.py PORT KEY get|post N OFFSET IDS_FILE
"""
import http.client
import json
import sys

port, key, kind, n, offset, ids_file = sys.argv[1:7]
n, offset = int(n), int(offset)
ids = [line.strip() for line in open(ids_file) if line.strip()]
codes = ["OMZET", "ASET", "SANTRI_TRAINED", "ALUMNI_TRAINED", "KOPPONTREN_MEMBERS", "PRODUCTS_HALAL", "EMPLOYEES"]
periods = [f"{y}-{m:02d}" for y in range(2019, 2023) for m in range(1, 13)]
conn = http.client.HTTPConnection("127.0.0.1", int(port))
headers = {"Authorization": "Bearer " + key}
for i in range(offset, offset + n):
    if kind == "get":
        conn.request("GET", "/v1/pesantren/" + ids[i % len(ids)], headers=headers)
    else:
        rest = i // len(ids)
        body = {"indicator_code": codes[rest % len(codes)], "pesantren_id": ids[i % len(ids)],
                "period": periods[(rest // len(codes)) % len(periods)], "value": i % 1000}
        conn.request("POST", "/v1/measurements", body=json.dumps(body),
                     headers={**headers, "Content-Type": "application/json"})
    res = conn.getresponse()
    res.read()
    if res.status not in (200, 201):
        sys.exit(f"request {i}: {res.status}")
