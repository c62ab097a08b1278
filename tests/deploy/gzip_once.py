#!/usr/bin/env python3
"""An answer that came through a proxy was gzipped once, by the service: asked
with Accept-Encoding: gzip it carries Content-Encoding: gzip (one coding),
Vary: Accept-Encoding and the service's own strong "-gz" ETag, its body
decompresses once to the same JSON as the plain answer, and the plain answer
is not compressed. Prints one line per problem; exits 1 when there is any.

usage: tests/deploy/gzip_once.py URL [BEARER_TOKEN]"""
import gzip
import json
import sys
import urllib.request


def fetch(url, token, encoding):
    headers = {"Accept-Encoding": encoding}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
        return answer.headers, answer.read()


def vary(headers):
    return [t.strip().lower() for v in headers.get_all("Vary") or [] for t in v.split(",")]


def main():
    url, token = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None
    problems = []
    zipped_headers, zipped = fetch(url, token, "gzip")
    plain_headers, plain = fetch(url, token, "identity")
    codings = [t.strip() for v in zipped_headers.get_all("Content-Encoding") or [] for t in v.split(",")]
    if codings != ["gzip"]:
        problems.append(f"Content-Encoding {codings}, want one gzip")
    if "accept-encoding" not in vary(zipped_headers):
        problems.append(f"Vary {zipped_headers.get_all('Vary')}, want Accept-Encoding")
    etag = zipped_headers.get("ETag", "")
    if not (etag.startswith('"') and etag.endswith('-gz"')):
        problems.append(f"ETag {etag!r}, want the service's strong gzip tag")
    try:
        if json.loads(gzip.decompress(zipped)) != json.loads(plain):
            problems.append("the decompressed answer differs from the plain one")
    except (OSError, ValueError) as e:  # not gzip, or gzip inside gzip (not JSON after one pass)
        problems.append(f"the body does not decompress once to JSON: {e}")
    if plain_headers.get("Content-Encoding") or "accept-encoding" not in vary(plain_headers):
        problems.append("the plain answer must be plain, with Vary: Accept-Encoding")
    for p in problems:
        print(f"{url}: {p}")
    print(f"gzip through the proxy: {len(problems)} problem(s), {len(plain)} bytes plain, {len(zipped)} gzipped")
    sys.exit(1 if problems else 0)


main()
