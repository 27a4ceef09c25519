#!/usr/bin/env bash
# Time `scholia build` on adversarial long runs (hardening issue, items 4 and 12): for
# each shape, one text whose one paragraph, on one line, is the shape repeated to each
# size; and a text of SIZE words with many missing 100-word quotes (the hint budget).
#
# Usage: bench/long-runs.sh [--sizes "256K 1M 4M"] [--runs R] [--missing M]
#
#   --sizes S    sizes of the paragraph, with K or M suffixes   (default "256K 1M 4M")
#   --runs R     builds per case; the fastest is reported         (default 3)
#   --missing M  missing quotes in the hint case                  (default 200)
#
# SCHOLIA=/path/to/scholia uses that binary instead of building the release one.
#
# Prints one line per case and size: seconds, and the ratio to the previous size.
# Linear time gives a ratio near the size ratio (4 for the defaults); quadratic, its
# square. Everything it writes goes under target/bench/long-runs/ and it deletes
# nothing outside it.

set -euo pipefail

SIZES="256K 1M 4M"
RUNS=3
MISSING=200
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_NUMERIC="runs missing" bench_parse "sizes runs missing" "" "$@"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/target/bench/long-runs"
mkdir -p "$WORK"
bench_scholia "$ROOT"

bytes() {
  case "$1" in
    *K) echo $(( ${1%K} * 1024 )) ;;
    *M) echo $(( ${1%M} * 1024 * 1024 )) ;;
    *)  echo "$1" ;;
  esac
}

# make_site DIR SHAPE BYTES: a site whose text unit/long is SHAPE repeated to BYTES.
make_site() {
  python3 - "$1" "$2" "$3" "$MISSING" <<'PY'
import os, sys
site, shape, size, missing = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
unit = os.path.join(site, "content", "unit")
os.makedirs(unit, exist_ok=True)
def write(path, text):
    with open(os.path.join(site, "content", path), "w") as f:
        f.write(text)
write("_site.yaml", "title: Long runs\nglossary:\n  autolink: true\n")
write("_glossary.yaml", "terms:\n  - id: zebra\n    term: zebra\n    definition: Nowhere.\n")
write("unit/other.md", "---\ntitle: Other\n---\n\nA short text.\n")
if shape == "missing-quotes":
    # Paragraphs of 100 words; quotes of 100 words with one misspelt.
    words = [f"word{i}" for i in range(size // 8)]
    paras = [" ".join(words[i:i + 100]) for i in range(0, len(words), 100)]
    write("unit/long.md", "---\ntitle: Long\n---\n\n" + "\n\n".join(paras) + "\n")
    notes = ["annotations:"]
    step = max(1, len(words) // max(1, missing))
    for k in range(missing):
        q = words[k * step:k * step + 100]
        if len(q) > 50:
            q[50] = "wrod" + q[50][4:]
        notes.append(f'  - quote: "{" ".join(q)}"\n    note: n{k}')
    write("unit/long.yaml", "\n".join(notes) + "\n")
else:
    body = shape * (size // max(1, len(shape)) + 1)
    write("unit/long.md", f"---\ntitle: Long\n---\n\nFirst words. {body} The end is here.\n")
    write("unit/long.yaml", 'annotations:\n  - quote: "The end is here"\n    note: x\n')
PY
}

SHAPES=("don't " "[[" "&amp; " "*a* " '\[x\] ' "[[unit/other]] " "a" "lorem ipsum " $'\n# Same\n' "missing-quotes")
for shape in "${SHAPES[@]}"; do
  prev=""
  for size in $SIZES; do
    n="$(bytes "$size")"
    dir="$WORK/site"
    rm -rf -- "$WORK/site"
    make_site "$dir" "$shape" "$n"
    best=""
    for _ in $(seq "$RUNS"); do
      start=$(date +%s.%N)
      "$SCHOLIA" build "$dir" -o "$WORK/public" >/dev/null 2>"$WORK/stderr" || true
      end=$(date +%s.%N)
      t=$(echo "$end - $start" | bc)
      if [[ -z "$best" ]] || (( $(echo "$t < $best" | bc) )); then best="$t"; fi
    done
    ratio=""
    [[ -n "$prev" ]] && ratio="$(echo "scale=1; $best / $prev" | bc)×"
    printf '%-22q %6s %8.3f s %s\n' "$shape" "$size" "$best" "$ratio"
    prev="$best"
  done
done
rm -rf -- "$WORK/site" "$WORK/public"
