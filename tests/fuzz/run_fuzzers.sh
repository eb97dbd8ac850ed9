#!/usr/bin/env bash
# Runs each libFuzzer target of BUILD_DIR/fuzz for SECONDS over a scratch copy of its seed
# corpus (tests/fuzz/corpus/<target>/), so what a run adds never dirties the tree. Fails when
# any target finds a crash, a leak, undefined behaviour, a timeout or runs out of memory; the
# input is kept in BUILD_DIR/fuzz-artifacts/. Usage: run_fuzzers.sh BUILD_DIR SECONDS [TARGET...]
set -euo pipefail
build_dir=$1
seconds=$2
shift 2
here="$(cd "$(dirname "$0")" && pwd)"
corpus_root="$here/corpus"
artifacts="$build_dir/fuzz-artifacts"
scratch_root="$build_dir/fuzz-scratch"
mkdir -p "$artifacts"

# The largest input worth trying per target: a bit above the limit its decoder enforces, or
# a few times its largest realistic input.
declare -A max_len=(
  [agent_message]=65536 [delta_apply]=131072 [collector_message]=16384 [order_payload]=8192
  [ipc_frame]=40000 [url]=4096 [cookie]=10000 [query]=4096 [password_hash]=512 [base64]=512
  [action_definition]=16384 [agent_config]=8192 [rt_answer]=16384 [proc_parsers]=16384
  [redact]=4096
)

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for dir in "$corpus_root"/*/; do targets+=("$(basename "$dir")"); done
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

failed=()
printf '%-20s %8s %12s  %s\n' target seconds executions result
for target in "${targets[@]}"; do
  exe="$build_dir/fuzz/fuzz_$target"
  [ -x "$exe" ] || { echo "no fuzz target $exe (build the target fuzzers)" >&2; exit 1; }
  scratch="$scratch_root/$target"
  rm -rf "$scratch"
  mkdir -p "$scratch"
  cp "$corpus_root/$target"/* "$scratch"/
  log="$build_dir/fuzz-$target.log"
  start=$(date +%s)
  status=0
  "$exe" -max_total_time="$seconds" -max_len="${max_len[$target]:-4096}" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
    "$scratch" > "$log" 2>&1 || status=$?
  took=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ "$status" -eq 0 ]; then
    result=ok
  else
    result="FAILED (exit $status, log $log)"
    failed+=("$target")
  fi
  printf '%-20s %8s %12s  %s\n' "$target" "$took" "${execs:-?}" "$result"
done
if [ ${#failed[@]} -gt 0 ]; then
  for target in "${failed[@]}"; do
    echo "---- $target" >&2
    grep -E -A30 '^==[0-9]+==ERROR|runtime error|SUMMARY|Test unit written' "$build_dir/fuzz-$target.log" \
      | head -60 >&2 || true
  done
  echo "fuzzing failed: ${failed[*]}" >&2
  exit 1
fi
