#!/usr/bin/env bash
# Checks with Prettier the files .prettier-checked lists (see there); exits 1 naming any file
# that `npm run format` would change.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t paths < <(grep -v '^\s*#' .prettier-checked | grep -v '^\s*$')
if [ "${#paths[@]}" -eq 0 ]; then echo "format: .prettier-checked lists no file" >&2; exit 1; fi
exec node_modules/.bin/prettier --check --log-level warn "${paths[@]}"
