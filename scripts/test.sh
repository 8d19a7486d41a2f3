#!/usr/bin/env bash
# The project's own tests.
#   npm test              the whole proof (what CI runs): type check, format, then every
#                         test/**/*.test.ts, the whole-suite ones (the mutation matrix with its
#                         undo and diagnosis checks, the cross-target comparison) included.
#   npm run test:quick    the inner loop: type check, format, the tests that need no lab, and the
#                         scenarios of the lessons the working tree changes (scripts/changed-lessons.ts).
#   scripts/test.sh --unit  the quick tier without the scenarios (CI's second Node runs it after the main job).
# (Node 20 does not expand globs given to --test, so the files are listed here.)
set -euo pipefail
cd "$(dirname "$0")/.."
tier="${1:-whole}"
case "$tier" in whole | --whole) tier=whole ;; quick | --quick) tier=quick ;; unit | --unit) tier=unit ;; *) echo "usage: scripts/test.sh [--quick | --unit]" >&2; exit 2 ;; esac

started=$SECONDS
npx tsc --noEmit
# Formatting (Prettier, pinned): the files .prettier-checked lists.
bash scripts/format-check.sh
# The lab's tests need iproute2, ping, tcpdump, iptables and the daemons; as root this installs what is missing.
node --import tsx bin/lab.ts preflight
echo "test: type check, format and preflight took $((SECONDS - started)) s"

mapfile -t files < <(find test -name '*.test.ts' | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found under test/" >&2; exit 1; fi
# The tests that build no lab: every file but those that need root for a lab or run the suite.
mapfile -t unit < <(grep -L -E "isRoot|wholeSuiteSkip|needs root" "${files[@]}")
if [ "${#unit[@]}" -eq 0 ]; then echo "test: found no test file that builds no lab" >&2; exit 1; fi
# Where the time goes, for npm run bench: one line per step, `<seconds> <what>`.
times=reports/npm-test-times.txt
mkdir -p reports && : >"$times"
passed=0 failed=0 status=0
# Adds the counts of a TAP output to the totals; a run that printed none is a failure.
count() {
  local what="$1" out="$2" p f
  p="$(sed -n 's/^# pass //p' "$out" | tail -1)"; f="$(sed -n 's/^# fail //p' "$out" | tail -1)"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  [ -n "$p" ] || { echo "test: $what printed no counts" >&2; status=1; }
}
# Runs test files with Node's runner, a process per file, keeping its TAP output, the counts and the time.
run_tests() {
  local what="$1" concurrency="$2"; shift 2
  local out; out="$(mktemp)"; local began=$SECONDS
  node --import tsx --test --test-reporter=tap --test-concurrency="$concurrency" "$@" | tee "$out" || status=1
  count "$what" "$out"
  echo "$((SECONDS - began)) $what" >>"$times"
  rm -f "$out"
}
# Runs the given files two processes, half the files each, every file of a half in one process
# (scripts/tests-together.ts says why), but for the files that say they need a process of their
# own (`// own process: <why>`), which run one process each. The outputs are printed whole, one
# after the other.
run_together() {
  local what="$1"; shift
  local began=$SECONDS half0=() half1=() alone=() file i=0
  for file in "$@"; do
    if grep -q "^// own process:" "$file"; then alone+=("$file")
    elif [ $((i++ % 2)) -eq 0 ]; then half0+=("$file")
    else half1+=("$file"); fi
  done
  local out0 out1; out0="$(mktemp)"; out1="$(mktemp)"
  node --import tsx --test-reporter=tap scripts/tests-together.ts "${half0[@]}" >"$out0" 2>&1 &
  local first=$!
  node --import tsx --test-reporter=tap scripts/tests-together.ts "${half1[@]}" >"$out1" 2>&1 || status=1
  wait "$first" || status=1
  cat "$out0" "$out1"
  count "$what (first half)" "$out0"
  count "$what (second half)" "$out1"
  rm -f "$out0" "$out1"
  echo "$((SECONDS - began)) $what, in two processes" >>"$times"
  if [ "${#alone[@]}" -gt 0 ]; then run_tests "the ${#alone[@]} of them that run alone" 2 "${alone[@]}"; fi
}

if [ "$tier" != whole ]; then
  run_together "the ${#unit[@]} files that build no lab" "${unit[@]}"
  echo "tests: ${passed} passed, ${failed} failed"
  if [ "$status" -ne 0 ]; then exit "$status"; fi
  if [ "$tier" = unit ]; then echo "test: unit tier done in $((SECONDS - started)) s"; exit 0; fi
  mapfile -t lessons < <(node --import tsx scripts/changed-lessons.ts | grep -v '^$')
  if [ "${#lessons[@]}" -gt 0 ]; then
    tags="$(printf ' or %s' "${lessons[@]}")"
    echo "test: the scenarios of ${lessons[*]}"
    node --import tsx bin/e2e.ts --target netns --lab pnquick --no-report --tags "${tags:4}"
  else
    echo "test: the change touches no lesson's scenarios"
  fi
  echo "test: quick tier done in $((SECONDS - started)) s"
  exit 0
fi

# The mutation matrix is the longest file by far, and its workers leave the CPU idle for about
# a fifth of its run (they wait out DNS timeouts and BGP convergence): it starts first, in the
# background, and the other files run meanwhile and fill that idle time. Every lab, results
# folder and scratch file is named after the run that made it, so they do not meet. Its output
# is printed whole when it ends, not mixed with the others'.
matrix=test/mutation/matrix.test.ts
mapfile -t whole < <(grep -l "wholeSuiteSkip" "${files[@]}" | grep -vxF "$matrix")
mapfile -t lab < <(grep -L "wholeSuiteSkip" "${files[@]}" | xargs grep -E -l "isRoot|needs root")
# A list that came out empty is a mistake here, not a pass.
if [ "${#whole[@]}" -eq 0 ] || [ "${#lab[@]}" -eq 0 ]; then echo "test: found no whole-suite test or no lab test besides $matrix" >&2; exit 1; fi
matrix_out="$(mktemp)"
matrix_began=$SECONDS
node --import tsx --test --test-reporter=tap --test-concurrency=1 "$matrix" >"$matrix_out" 2>&1 &
matrix_pid=$!
# Ctrl-C or a failure here ends the matrix too (it tears down its labs on SIGTERM).
trap 'kill -TERM "$matrix_pid" 2>/dev/null || true; wait "$matrix_pid" 2>/dev/null || true; rm -f "$matrix_out"' EXIT
run_together "the ${#unit[@]} files that build no lab" "${unit[@]}"
run_tests "the ${#lab[@]} files that build a lab but run no whole suite" 2 "${lab[@]}"
for file in "${whole[@]}"; do run_tests "$file" 1 "$file"; done
echo "test: waiting for $matrix (started with the others; its output follows)"
wait "$matrix_pid" || status=1
trap - EXIT
cat "$matrix_out"
count "$matrix" "$matrix_out"
echo "$((SECONDS - matrix_began)) $matrix (beside the others)" >>"$times"
rm -f "$matrix_out"
echo "$((SECONDS - started)) npm test in all" >>"$times"
echo "test: where the time went (seconds):"; sed 's/^/  /' "$times"
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
