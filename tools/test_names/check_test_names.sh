#!/usr/bin/env bash
# Fails on a Catch2 test case whose name holds a ';'. catch_discover_tests registers each case
# with CTest by name, and CTest splits names at ';': the case then runs as two halves that each
# match nothing whole, so it fails in `make test` (or, worse, half of it never runs).
#   tools/test_names/check_test_names.sh DIR...
set -u
status=0
for dir in "$@"; do
  if found=$(grep -rnE --include='*.cpp' '(TEST_CASE|TEMPLATE_TEST_CASE|SCENARIO)\("[^"]*;' "$dir"); then
    printf '%s\n' "$found" | sed 's/$/  <- a test name with ";" (CTest splits names there)/'
    status=1
  fi
done
exit $status
