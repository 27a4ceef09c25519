# What the benchmark scripts share (sourced, not run): their option parsing, the
# generator's path and the scholia binary. Each script sets its defaults first, then
# calls `bench_parse`.

# The calling script's header comment, its usage.
bench_usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; }

# bench_parse "VALUE_OPTIONS" "FLAGS" "$@": sets, for each `--name VALUE` of the
# space-separated VALUE_OPTIONS, the variable NAME (upper case, `-` as `_`) and, for
# each `--flag` of FLAGS, FLAG=1. Options named in BENCH_NUMERIC (default: texts words
# notes runs) must be non-negative integers. Other arguments go to REST if
# BENCH_POSITIONAL=1, else they are a usage error (exit status 2); -h prints the usage.
bench_parse() {
  local values=" $1 " flags=" $2 " me name var
  me="$(basename "$0")"
  shift 2
  REST=()
  while [[ $# -gt 0 ]]; do
    name="${1#--}"
    var="$(tr 'a-z-' 'A-Z_' <<<"$name")"
    if [[ "$1" == --* && "$values" == *" $name "* ]]; then
      [[ $# -ge 2 ]] || { echo "$me: $1 needs a value" >&2; exit 2; }
      printf -v "$var" '%s' "$2"
      shift 2
    elif [[ "$1" == --* && "$flags" == *" $name "* ]]; then
      printf -v "$var" '%s' 1
      shift
    elif [[ "$1" == -h || "$1" == --help ]]; then
      bench_usage
      exit 0
    elif [[ "$1" != -* && "${BENCH_POSITIONAL:-0}" == 1 ]]; then
      REST+=("$1")
      shift
    else
      echo "$me: unknown argument: $1" >&2
      bench_usage >&2
      exit 2
    fi
  done
  for name in ${BENCH_NUMERIC:-texts words notes runs}; do
    [[ "$values" == *" $name "* ]] || continue
    var="$(tr 'a-z-' 'A-Z_' <<<"$name")"
    [[ "${!var}" =~ ^[0-9]+$ ]] || { echo "$me: --$name must be a non-negative integer" >&2; exit 2; }
  done
}

# bench_gen ROOT: sets GEN to gen_corpus.py (GEN_CORPUS, else ../shared/bench/ next to
# the repository, else /work/shared/bench/), or empty if not found.
bench_gen() {
  GEN="${GEN_CORPUS:-}"
  if [[ -z "$GEN" ]]; then
    local c
    for c in "$1/../shared/bench/gen_corpus.py" /work/shared/bench/gen_corpus.py; do
      [[ -f "$c" ]] && { GEN="$c"; break; }
    done
  fi
}

# bench_scholia ROOT: sets SCHOLIA to the binary to time: $SCHOLIA if set (no build;
# e.g. a release build made elsewhere, see docs/benchmarks.md), else ROOT's release
# build, built now.
bench_scholia() {
  if [[ -n "${SCHOLIA:-}" ]]; then
    [[ -x "$SCHOLIA" ]] || { echo "$(basename "$0"): SCHOLIA=$SCHOLIA is not an executable" >&2; exit 2; }
    return
  fi
  (cd "$1" && cargo build --release --quiet --bin scholia)
  SCHOLIA="${CARGO_TARGET_DIR:-$1/target}/release/scholia"
}
