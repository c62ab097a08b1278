#!/usr/bin/env bash
# Installs the OpenAPI renderer that /docs serves (Swagger UI, the exact
# version pinned in openapi/swagger-ui/package-lock.json) into DEST, with its
# licence and notice beside it:
#   deploy/lib/docs_assets.sh DEST        (then serve with OPOP_DOCS_DIR=DEST)
# Only the files the page loads are copied; install scripts are not run (the
# package's analytics dependency would call out at install time).
set -euo pipefail
dest=${1:?usage: docs_assets.sh DEST}
src="$(cd "$(dirname "$0")/../../openapi/swagger-ui" && pwd)"
(cd "$src" && SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
mkdir -p "$dest"
for f in swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE; do
  install -m 644 "$src/node_modules/swagger-ui-dist/$f" "$dest/$f"
done
node -p "require('$src/node_modules/swagger-ui-dist/package.json').version" >"$dest/VERSION"
echo "Swagger UI $(cat "$dest/VERSION") installed in $dest" >&2
