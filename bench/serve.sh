#!/usr/bin/env bash
# Time `scholia serve`'s rebuilds on the benchmark corpus (issue 10: "edit one text of
# LARGE → changed files written"): serves a copy of the corpus with `--timings`, saves a
# series of edits to one text and reads, for each, the rebuild line ("rebuilt N pages in
# X ms") and the stage times, CPU time of all threads included (CPU time does not
# depend on the machine's load; wall time does).
#
# Usage: bench/serve.sh [--texts N] [--words W] [--notes A] [--rounds R] [--text SLUG]
#
#   --texts/--words/--notes   the corpus, as bench/run.sh      (default 1000 3000 20)
#   --rounds R   times each kind of edit is saved (each undone the next round) (default 5)
#   --text SLUG  the text edited                                (default texts/t0500)
#
# SCHOLIA=/path/to/scholia uses that binary instead of building the release one.
#
# Kinds of edit: a word of a paragraph; a word of a note's body; a cross-link added to a
# note (and removed the next round); a tag added to a note (and removed). Prints one line
# per save and the median wall and CPU time per kind. Writes only under target/bench/
# (the corpus is shared with bench/run.sh; the served copy is target/bench/serve-*/).

set -euo pipefail

TEXTS=1000 WORDS=3000 NOTES=20 ROUNDS=5 TEXT=texts/t0500
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_NUMERIC="texts words notes rounds" bench_parse "texts words notes rounds text" "" "$@"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/target/bench"
TAG="$TEXTS-$WORDS-$NOTES"
CORPUS="$BENCH/corpus-$TAG"
WORK="$BENCH/serve-$TAG"
bench_gen "$ROOT"
mkdir -p "$BENCH"
if [[ ! -f "$CORPUS/MANIFEST.txt" ]]; then
  [[ -n "$GEN" ]] || { echo "serve.sh: gen_corpus.py not found (set GEN_CORPUS)" >&2; exit 1; }
  python3 "$GEN" --texts "$TEXTS" --words "$WORDS" --notes "$NOTES" --out "$CORPUS" >/dev/null
fi
bench_scholia "$ROOT"

case "$WORK" in "$BENCH"/serve-*) rm -rf "$WORK" ;; *) exit 1 ;; esac
mkdir -p "$WORK"
cp -r "$CORPUS/scholia" "$WORK/site"
SITE="$WORK/site"
LOG="$WORK/serve.log"
MD="$SITE/content/$TEXT.md"
YAML="$SITE/content/$TEXT.yaml"

"$SCHOLIA" serve "$SITE" --timings --port 0 >"$LOG" 2>&1 &
PID=$!
trap 'kill -INT $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
until grep -q "full rebuild in\|error" "$LOG"; do
  kill -0 $PID 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 1
done
grep -q "full rebuild in" "$LOG" || { cat "$LOG"; exit 1; }
echo "== $(grep -m1 'full rebuild in' "$LOG")"

# Rewrites $1 with python's str.replace($2 → $3, once), failing if $2 is not there.
edit() {
  python3 - "$1" "$2" "$3" <<'EOF'
import sys
path, old, new = sys.argv[1:]
text = open(path, encoding="utf-8").read()
if old not in text:
    sys.exit(f"serve.sh: {old!r} not in {path}")
open(path, "w", encoding="utf-8").write(text.replace(old, new, 1))
EOF
}

saves=0
# Saves one edit and waits for its rebuild; prints the kind, wall and CPU times.
save() {
  local kind="$1"; shift
  edit "$@"
  saves=$((saves + 1))
  until [[ $(grep -c "search index updated\|error: the build failed" "$LOG") -ge $saves ]]; do
    sleep 0.2
  done
  local block wall cpu link all
  block="$(awk -v n="$saves" '/search index updated|error: the build failed/{c++} c==n-1' "$LOG")"
  wall="$(grep -o 'rebuilt [0-9]* pages\? in [0-9.]* ms' <<<"$block" | tail -1 | awk '{print $5}')"
  cpu="$(grep 'cpu, all threads:' <<<"$block" | tail -1 | awk '{print $(NF-1)}')"
  link="$(grep ' link:' <<<"$block" | tail -1 | awk '{print $(NF-1)}')"
  all="$(grep 'cpu, all outputs:' <<<"$block" | tail -1 | awk '{print $(NF-1)}' || true)"
  pages="$(grep -o 'rebuilt [0-9]* pages\?' <<<"$block" | tail -1 | awk '{print $2}')"
  printf '%-10s wall %8s ms  cpu %8s ms  link %8s ms  pages %s  cpu, all outputs %8s ms\n' "$kind" "${wall:-?}" "${cpu:-?}" "${link:-?}" "${pages:-?}" "${all:-?}"
  echo "$kind $wall $cpu ${all:-nan}" >>"$WORK/results.txt"
}

: >"$WORK/results.txt"
word=$(python3 -c "
import re,sys
body=open('$MD',encoding='utf-8').read().split('---',2)[2]
paras=[p for p in body.split('\n\n') if p.strip() and not p.startswith(('#','\`\`\`'))]
print(re.findall(r'[A-Za-z]{4,}', paras[len(paras)//2])[-1])")
note_word=$(python3 -c "
import re
print(re.findall(r'note: \|\n\s+(\w+)', open('$YAML',encoding='utf-8').read())[0])")
for ((r = 0; r < ROUNDS; r++)); do
  save paragraph "$MD" " $word" " ${word}x"
  save paragraph "$MD" " ${word}x" " $word"
  save note "$YAML" "      $note_word " "      ${note_word}x "
  save note "$YAML" "      ${note_word}x " "      $note_word "
  save link+ "$YAML" "      $note_word " "      [[texts/t0100#n1]] $note_word "
  save link- "$YAML" "      [[texts/t0100#n1]] $note_word " "      $note_word "
  save tag+ "$YAML" "    tags: [" "    tags: [benchmarked, "
  save tag- "$YAML" "    tags: [benchmarked, " "    tags: ["
done
echo "== medians (ms)"
python3 - "$WORK/results.txt" <<'EOF'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    kind, wall, cpu, every = (line.split() + ["", "", "", "nan"])[:4]
    try:
        rows.setdefault(kind, []).append((float(wall), float(cpu), float(every)))
    except ValueError:
        pass
for kind, xs in rows.items():
    print(f"{kind:<10} n={len(xs):<3} wall {statistics.median(x[0] for x in xs):8.1f}"
          f"  cpu {statistics.median(x[1] for x in xs):8.1f}"
          f"  cpu, all outputs {statistics.median(x[2] for x in xs):8.1f}")
EOF
