#!/usr/bin/env bash
# Benchmark client-side search on a generated corpus: index build time, the bytes a
# one-word query downloads (against the single-file elasticlunr index Zola would write
# for the same documents), and keystroke-to-results time in headless Chromium.
#
# Usage: bench/search.sh [--texts N] [--words W] [--notes A] [--runs R] [WORD…]
#
#   --texts N    number of texts in the corpus            (default 1000)
#   --words W    words per text                           (default 3000)
#   --notes A    annotations per text                     (default 20)
#   --runs R     timed builds, for the "search" stage     (default 3)
#   WORD…        query words (default: words for the most common indexed term and
#                for the terms ranked about 100th, 1,000th and 10,000th)
#
# Environment: GEN_CORPUS (path of gen_corpus.py), CHROMIUM (default /usr/bin/chromium).
# Everything goes under target/bench/search-N-W-A/ of the repository; the corpus is
# shared with bench/run.sh (target/bench/corpus-N-W-A/).
#
# Figures and how to read them: docs/benchmarks.md, section "Search".

set -euo pipefail

TEXTS=1000
WORDS=3000
NOTES=20
RUNS=3
QUERY=()

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_POSITIONAL=1 bench_parse "texts words notes runs" "" "$@"
QUERY=("${REST[@]+"${REST[@]}"}")
(( RUNS >= 1 )) || { echo "search.sh: --runs must be >= 1" >&2; exit 2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$ROOT/target/bench"
BENCH="$(cd "$ROOT/target/bench" && pwd -P)"
TAG="$TEXTS-$WORDS-$NOTES"
CORPUS="$BENCH/corpus-$TAG"
WORK="$BENCH/search-$TAG"

log() { printf '[search-bench] %s\n' "$*" >&2; }

bench_gen "$ROOT"
[[ -n "$GEN" && -f "$GEN" ]] || { echo "search.sh: gen_corpus.py not found (set GEN_CORPUS)" >&2; exit 1; }

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
log "cargo build --release --no-default-features (scholia and the search_bench example; no typst)"
(cd "$ROOT" && cargo build --release --quiet --no-default-features --bin scholia --example search_bench)
SCHOLIA="$TARGET/release/scholia"
PROBE="$TARGET/release/examples/search_bench"

if [[ -f "$CORPUS/MANIFEST.txt" ]]; then
  log "corpus present: $CORPUS"
else
  log "generating corpus: $CORPUS"
  case "$(realpath -m -- "$CORPUS")" in "$BENCH"/?*) rm -rf -- "$CORPUS" ;; esac
  python3 "$GEN" --texts "$TEXTS" --words "$WORDS" --notes "$NOTES" --out "$CORPUS" >/dev/null
fi
SITE="$CORPUS/scholia"

case "$(realpath -m -- "$WORK")" in "$BENCH"/?*) rm -rf -- "$WORK" ;; esac
mkdir -p "$WORK"

# ------------------------------------------------------------------ builds ----
echo "## Index build time (\`scholia build --timings\`, $RUNS runs)"
echo
echo "| run | search stage | whole build |"
echo "|---|---:|---:|"
for ((i = 1; i <= RUNS; i++)); do
  sync
  start=$(date +%s.%N)
  "$SCHOLIA" build "$SITE" -o "$WORK/public-$i" --timings 2> "$WORK/build-$i.log" >/dev/null
  end=$(date +%s.%N)
  stage=$(grep -E '^ *search:' "$WORK/build-$i.log" | sed -E 's/^ *search: *//')
  printf '| %d | %s | %s s |\n' "$i" "$stage" "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')"
done
echo
OUT="$WORK/public-1"

# ------------------------------------------------------------------- files ----
sizes() { find "$OUT/search/$1" -type f -printf '%s\n' | sort -n; }
stats() {
  local f="$1"
  awk '{ a[NR] = $1; s += $1 } END {
    if (NR == 0) { print "| 0 | – | – | – | – |"; exit }
    printf "| %d | %d | %d | %d | %.1f MB |\n", NR, a[1], a[int((NR + 1) / 2)], a[NR], s / 1e6 }' "$f"
}
echo "## Files under search/"
echo
echo "| kind | files | smallest | median | largest | total |"
echo "|---|---:|---:|---:|---:|---:|"
for k in shards tails docs; do
  sizes "$k" > "$WORK/sizes-$k.txt"
  printf '| %s ' "$k"; stats "$WORK/sizes-$k.txt"
done
printf '| manifest.js | 1 | | | | %s bytes |\n' "$(stat -c %s "$OUT/search/manifest.js")"
printf '| texts.js | 1 | | | | %s bytes |\n' "$(stat -c %s "$OUT/search/texts.js")"
printf '| all of search/ | %s | | | | %s bytes |\n' "$(find "$OUT/search" -type f | wc -l)" "$(du -sb "$OUT/search" | cut -f1)"
echo

# --------------------------------------------------------- queries (Chromium) --
echo "## One-word queries"
echo
"$PROBE" "$SITE" "$OUT" "$WORK" "${QUERY[@]}"
single="$WORK/zola-style-index.json"
echo
printf 'Single-file index, gzip -6: %s bytes\n' "$(gzip -6 -c "$single" | wc -c)"
printf 'Whole sharded index (search/), gzip -6 of a tar: %s bytes\n' \
  "$(tar -C "$OUT" -cf - search | gzip -6 | wc -c)"
