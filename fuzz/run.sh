#!/usr/bin/env bash
# Bounded fuzzing, for CI: builds the fuzz targets on the stable toolchain and runs each
# for its share of ${FUZZ_SECONDS:-60} seconds, starting from the committed seeds
# (fuzz/corpus/) and the reproducers of past crashes (fuzz/regressions/). Exits non-zero
# if any target crashes (panic, failed check, timeout or out of memory); the input is
# left in fuzz/artifacts/<target>/. See docs/testing.md, "Fuzzing", for long runs.
set -euo pipefail
cd "$(dirname "$0")/.."

total="${FUZZ_SECONDS:-60}"
# target:share of the time in percent:seed corpus and dictionary (fuzz/dicts/)
targets=(
  "sidecar:30:sidecar"
  "markdown:30:markdown"
  "anchor:20:anchor"
  "site_build:20:sidecar"
)

if ! command -v cargo-fuzz >/dev/null; then
  echo "installing cargo-fuzz"
  cargo install --locked cargo-fuzz@0.13.2
fi

# -s none: no sanitizer, so the stable toolchain builds it (libFuzzer still finds
# panics, which is what safe Rust has). -O -a: optimized, with debug assertions and
# overflow checks. --codegen-units 16: cargo-fuzz's default of one codegen unit made
# the scholia crate one LLVM module that took over 12 minutes to optimize with coverage
# instrumentation (20 of CI's minutes for the whole fuzz build); in 16 units it takes
# about 4 minutes of CPU, for a slightly slower run.
flags=(-s none -O -a --codegen-units 16)
cargo fuzz build "${flags[@]}"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# The targets put their site folders in $TMPDIR: keep them in the scratch folder.
export TMPDIR="$scratch"

failed=()
for spec in "${targets[@]}"; do
  IFS=: read -r target share seeds <<<"$spec"
  seconds=$((total * share / 100))
  ((seconds < 5)) && seconds=5
  mkdir -p "$scratch/corpus/$target"
  dirs=("$scratch/corpus/$target" "$PWD/fuzz/corpus/$seeds")
  [ -d "fuzz/regressions/$target" ] && dirs+=("$PWD/fuzz/regressions/$target")
  echo "==> fuzz $target for ${seconds}s"
  # New inputs go to the scratch corpus (the first folder); the committed ones are only read.
  if cargo fuzz run "${flags[@]}" "$target" "${dirs[@]}" -- \
    -max_total_time="$seconds" -max_len=4096 -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict="$PWD/fuzz/dicts/$seeds.dict" \
    >"$scratch/$target.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec|DONE' "$scratch/$target.log" || true
  elif grep -q 'failed to build fuzz script' "$scratch/$target.log"; then
    tail -n 60 "$scratch/$target.log"
    echo "fuzz target $target did not build" >&2
    exit 2
  else
    tail -n 60 "$scratch/$target.log"
    failed+=("$target")
  fi
done

if ((${#failed[@]})); then
  echo "fuzzing found crashes in: ${failed[*]} (inputs in fuzz/artifacts/<target>/;" \
    "reproduce with: cargo fuzz run -s none -O -a --codegen-units 16 <target> <input>)" >&2
  exit 1
fi
echo "fuzzing: no crashes"
