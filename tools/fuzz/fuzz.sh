#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of every file parser dsprep has, each
# started from the committed seeds in tools/fuzz/corpus/TARGET (tools/fuzz/make-seeds.py).
# usage: tools/fuzz/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    (default 60 s, every target)
# Prints executions and crashes per target; exits 1 if any target crashed, hung (10 s on one
# input) or ran out of memory (2 GB). Leak checking is off: Foundation leaks on some error paths
# (String(contentsOfFile:) of an empty file), which is not dsprep's to fix. Reproducers land in .build-fuzz/crashes/; replay one
# with `.build/debug/dsprep-fuzz TARGET FILE`, then commit it under tools/fuzz/regressions/TARGET/.
source "$(dirname "$0")/../lib/preamble.sh"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv tsv jsonl json tokenizer-json vocab-txt spm-model arrow safetensors pytorch-bin train-config)
build=.build-fuzz
swift build -c release --build-path "$build" --product dsprep-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >&2
binary="$build/release/dsprep-fuzz"
mkdir -p "$build/crashes"
failed=0
printf '%-15s %12s %10s %s\n' target executions exec/s result
for target in "${targets[@]}"; do
  [ -d "tools/fuzz/corpus/$target" ] || { echo "tools/fuzz/fuzz.sh: no seeds for target $target" >&2; exit 2; }
  work="$build/corpus/$target"
  mkdir -p "$work"
  log="$build/$target.log"
  status=0
  # The work corpus keeps what earlier runs found; the seeds are read, never written.
  "$binary" "$target" "$work" "tools/fuzz/corpus/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
    -artifact_prefix="$build/crashes/$target-" -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  result=ok
  if [ "$status" -ne 0 ]; then
    result="FAILED (exit $status): $(grep -m1 -E 'ERROR|SUMMARY|deadly|timeout|out-of-memory' "$log" || tail -1 "$log"); log $log"
    failed=1
  fi
  printf '%-15s %12s %10s %s\n' "$target" "${runs:-?}" "${speed:-?}" "$result"
done
exit "$failed"
