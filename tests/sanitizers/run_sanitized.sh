#!/usr/bin/env bash
# Runs a test command of a sanitizer build (`make sanitize`, `make tsan`) and fails when any
# process it started left a sanitizer report.
#   tests/sanitizers/run_sanitized.sh <build dir> <command> [args...]
# The test executables report on their own stderr and exit non-zero. The product processes
# they start (collector, agent, triagectl, and what those start) write their reports to
# <build dir>/sanitizer-logs/<name>.<pid> (TRIAGE_SANITIZER_LOG_DIR, see
# tests/support/sanitizer_reports.hpp): the test that started the process fails on it, and
# this script fails if any report is there at the end, whoever wrote it.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "$1" && pwd)"
shift

logs="$build/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
export TRIAGE_SANITIZER_LOG_DIR="$logs"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_init_order=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$here/ubsan.supp"
export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:suppressions=$here/tsan.supp"

"$@"
status=$?

reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
  echo "Sanitizer reports of child processes:"
  for r in $reports; do
    echo "===== $r"
    cat "$r"
  done
  status=1
fi
exit $status
