#!/usr/bin/env bash
# Runs the given fuzz targets one after another for SECONDS each (libFuzzer,
# the binaries of `cargo +nightly fuzz build -O -s none`), logs in fuzz/logs/.
set -u
cd "$(dirname "$0")"
seconds=$1; shift
for t in "$@"; do
  mkdir -p "artifacts/$t" "corpus/$t"
  nice -n 10 ./target/x86_64-unknown-linux-gnu/release/"$t" "corpus/$t" \
    -max_total_time="$seconds" -max_len=65536 -timeout=1 -malloc_limit_mb=64 \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"logs/$t.log" 2>&1
  echo "$t exit $?" >>logs/lanes.txt
done
