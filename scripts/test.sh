#!/usr/bin/env bash
# The project's own tests: type check, then every test/**/*.test.ts with Node's test runner.
# (Node 20 does not expand globs given to --test, so the files are listed here.)
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit
# Formatting (Prettier, pinned): the files .prettier-checked lists.
bash scripts/format-check.sh
# The lab's tests need iproute2, ping, tcpdump and iptables; as root this installs what is missing.
node --import tsx bin/lab.ts preflight
mapfile -t files < <(find test -name '*.test.ts' | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found under test/" >&2; exit 1; fi
exec node --import tsx --test --test-concurrency=1 "${files[@]}"
