#!/usr/bin/env bash
# Performance benchmark of Tegenkracht (issue 9), with peers beside it.
#
#   tests/bench/run.sh [SIZE...]        default sizes: 1000 10000
#
# Per size: generates a corpus of SIZE dossiers in a git repository
# (gen_corpus.py, cached), then measures with the release binary
#   1. full index build from git (`tegenkracht index`): wall time, docs/s,
#      MB/s, peak RSS (/usr/bin/time -v), index size on disk;
#   2. cold start of `serve` on that existing index until /readyz is 200;
#   3. search over HTTP (/api/v1/search, snippets and facets, the `q` values of
#      tests/relevance/queries.toml in rotation) with wrk at 32 connections:
#      saturated, saturated with gzip, and at a fixed paced rate; then again
#      saturated, paced and one request at a time with the result cache off
#      (search_cache = 0), on a restarted server that also runs steps 4 and 5;
#   4. incremental update: commit one changed dossier, send the webhook, poll
#      search until the change is found (UPDATE_RUNS times); then delete a
#      dossier, send the webhook, poll until it answers 404 (DELETE_RUNS times);
#   5. similar initiatives (/api/v1/dossiers/{id}/vergelijkbaar), saturated,
#      paced (wrk, closed loop) and at a fixed open-loop rate (bench.py
#      open-loop), after the updates (so with deleted documents in the index);
#   6. server RSS after the load;
#   7. peers on the same text: raw tantivy in-process (tantivy-py, same
#      tantivy core and analyzer), SQLite FTS5 (unstemmed), Lucene 8.7
#      DutchAnalyzer, Pagefind (on an HTML rendering of the corpus).
#
# The machine has 2 cores: the server runs on core 1 and the load tool on
# core 0 (taskset), so the load tool never steals the server's core. The
# build commands are not pinned.
#
# Environment: BENCH_DIR (/tmp/tk-bench), TEGENKRACHT_BIN
# (target/release/tegenkracht), PEERS (1; 0 skips them), DURATION (20,
# seconds per load run), CONNS (32), RATE (1000, requests/s of the paced
# search runs), SIMILAR_RATE (100, of the paced similar run), BUILD_RUNS
# (3; 1 from 100,000 on), COLD_RUNS (3), UPDATE_RUNS (20; 0 skips the
# updates and the deletions), DELETE_RUNS (5, dossiers deleted after the
# updates; 0 skips them), PAGEFIND_MAX (20000 pages), PORT (18473), SEED (42).
# Results: BENCH_DIR/results-SIZE/*.json and a summary on stdout.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/tk-bench}"
BIN="${TEGENKRACHT_BIN:-$ROOT/target/release/tegenkracht}"
# The server reads every TEGENKRACHT_<KEY> variable as configuration (and
# rejects unknown keys), so the binary's path must not stay in the environment.
unset TEGENKRACHT_BIN
PEERS="${PEERS:-1}"
DURATION="${DURATION:-20}"
CONNS="${CONNS:-32}"
RATE="${RATE:-1000}"
SIMILAR_RATE="${SIMILAR_RATE:-100}"
BUILD_RUNS="${BUILD_RUNS:-3}"
COLD_RUNS="${COLD_RUNS:-3}"
UPDATE_RUNS="${UPDATE_RUNS:-20}"
DELETE_RUNS="${DELETE_RUNS:-5}"
PORT="${PORT:-18473}"
SEED="${SEED:-42}"
TOOLS="$BENCH_DIR/tools"
PY="python3 $HERE/bench.py"
SECRET="bench-secret-$$"
export TK_BENCH_HOOK="$SECRET"

SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000 10000)

die() { echo "run.sh: $*" >&2; exit 1; }
[ -x "$BIN" ] || die "no binary at $BIN (cargo build --release -p tegenkracht)"
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
command -v taskset >/dev/null || die "taskset is missing (util-linux)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
mkdir -p "$BENCH_DIR" "$TOOLS"

SERVER_PID=""
cleanup() { if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

now() { python3 -c 'import time; print(f"{time.time():.4f}")'; }

# timev LOG: /usr/bin/time -v output -> JSON (wall_s, user_s, sys_s, max_rss_mib)
timev() {
  python3 - "$1" <<'EOF'
import json, re, sys
t = open(sys.argv[1]).read()
def f(p):
    m = re.search(p, t)
    return m.group(1) if m else None
wall = f(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)")
parts = [float(x) for x in wall.split(":")]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
print(json.dumps({"wall_s": round(secs, 2), "user_s": float(f(r"User time \(seconds\): (\S+)")),
                  "sys_s": float(f(r"System time \(seconds\): (\S+)")),
                  "max_rss_mib": round(int(f(r"Maximum resident set size \(kbytes\): (\d+)")) / 1024, 1)}))
EOF
}

# jq-free JSON merge: json_set FILE KEY VALUE_JSON
json_set() {
  python3 - "$@" <<'EOF'
import json, os, sys
path, key, value = sys.argv[1], sys.argv[2], sys.argv[3]
d = json.load(open(path)) if os.path.exists(path) else {}
d[key] = json.loads(value)
json.dump(d, open(path, "w"), indent=1)
EOF
}

start_server() { # DATA_DIR CONFIG LOG
  taskset -c 1 "$BIN" serve --config "$2" --listen "127.0.0.1:$PORT" >"$3" 2>&1 &
  SERVER_PID=$!
}
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
rss_json() { # PID -> {"rss_mib":..,"hwm_mib":..,"anon_mib":..} (VmRSS, VmHWM, RssAnon)
  awk '/^VmRSS/{r=$2} /^VmHWM/{h=$2} /^RssAnon/{a=$2} END{printf "{\"rss_mib\":%.1f,\"hwm_mib\":%.1f,\"anon_mib\":%.1f}", r/1024, h/1024, a/1024}' "/proc/$1/status"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# The server's own CPU time per request is reported beside the wall-clock
# numbers: on a shared machine it is the figure that other load disturbs least.
load() { # NAME PATHS_FILE DELAY_MS [extra wrk args...]
  local name="$1" paths="$2" delay="$3"
  shift 3
  local c0 c1
  c0=$(cpu_ticks "$SERVER_PID")
  TK_PATHS="$paths" TK_DELAY_MS="$delay" taskset -c 0 wrk -t "${LOAD_THREADS:-2}" -c "${LOAD_CONNS:-$CONNS}" -d "${DURATION}s" --timeout 10s \
    -s "$HERE/rotate.lua" "$@" "http://127.0.0.1:$PORT" | tail -n 1 >"$OUT/$name.json"
  c1=$(cpu_ticks "$SERVER_PID")
  json_set "$OUT/$name.json" server_cpu_s "$(python3 -c "print(($c1 - $c0) / $(getconf CLK_TCK))")"
  echo "    $name: $(tr -d '\n ' <"$OUT/$name.json")"
}

bench_size() {
  local N="$1"
  OUT="$BENCH_DIR/results-$N"
  rm -rf "$OUT"
  mkdir -p "$OUT"
  # The cached corpus belongs to this version of the generator.
  local GEN
  GEN=$(sha256sum "$HERE/gen_corpus.py" | cut -c1-12)
  local REPO="$BENCH_DIR/corpus-$N-$GEN.git"
  local DATA="$BENCH_DIR/data-$N-$GEN"
  local CFG="$OUT/tegenkracht.toml"
  echo "== $N dossiers"

  if [ ! -f "$REPO/bench-complete" ]; then
    local t0 t1
    t0=$(now)
    python3 "$HERE/gen_corpus.py" "$N" "$REPO" --seed "$SEED" --progress
    t1=$(now)
    touch "$REPO/bench-complete"
    echo "   generated in $(python3 -c "print(round($t1-$t0,1))") s"
  fi
  git -C "$REPO" update-ref refs/heads/main "$(git -C "$REPO" rev-list --max-parents=0 main | tail -n 1)" 2>/dev/null || true
  local bytes
  bytes=$(git -C "$REPO" ls-tree -r -l main dossiers | awk '{s+=$4} END{print s}')
  json_set "$OUT/corpus.json" docs "$N"
  json_set "$OUT/corpus.json" markdown_bytes "$bytes"

  cat >"$CFG" <<EOF
data_dir = "$DATA"
poll_interval = "1h"

[[source]]
name = "bench"
url = "$REPO"
branch = "main"
regions = ["*"]
webhook_secret_env = "TK_BENCH_HOOK"
EOF

  # 1. Full build from git, BUILD_RUNS times from an empty data_dir; the fastest counts.
  local runs="$BUILD_RUNS"
  [ "$N" -ge 100000 ] && runs=1
  for i in $(seq 1 "$runs"); do
    rm -rf "$DATA"
    sync
    /usr/bin/time -v "$BIN" index --config "$CFG" >"$OUT/index-$i.out" 2>"$OUT/index-$i.time" || {
      cat "$OUT/index-$i.out" "$OUT/index-$i.time" >&2
      die "index failed"
    }
    timev "$OUT/index-$i.time" >"$OUT/build-$i.json"
    echo "   build $i: $(cat "$OUT/build-$i.json")"
  done
  grep -h "index in" "$OUT/index-1.out" || true
  du -sb "$DATA/index" | awk '{print $1}' >"$OUT/index_bytes"
  du -sb "$DATA/mirrors" | awk '{print $1}' >"$OUT/mirror_bytes"
  echo "   index size: $(numfmt --to=iec "$(cat "$OUT/index_bytes")")"

  # 2. Cold start on the existing index (COLD_RUNS times; the median counts).
  for i in $(seq 1 "$COLD_RUNS"); do
    local started
    started=$(date +%s.%N)
    start_server "$DATA" "$CFG" "$OUT/serve-cold-$i.log"
    $PY ready "http://127.0.0.1:$PORT/readyz" --since "$started" >"$OUT/cold-$i.txt"
    rss_json "$SERVER_PID" >"$OUT/rss-idle.json"
    echo "   cold start $i: $(cat "$OUT/cold-$i.txt") s, $(cat "$OUT/rss-idle.json")"
    [ "$i" -lt "$COLD_RUNS" ] && stop_server
  done
  local SLOG="$OUT/serve-cold-$COLD_RUNS.log"

  # 3. Search under load.
  $PY search-paths "$ROOT/tests/relevance/queries.toml" "$OUT/search-paths.txt" >/dev/null
  $PY similar-paths "$REPO" "$OUT/similar-paths.txt" >/dev/null
  TK_PATHS="$OUT/search-paths.txt" TK_DELAY_MS=0 taskset -c 0 wrk -t 1 -c 4 -d 3s -s "$HERE/rotate.lua" "http://127.0.0.1:$PORT" >/dev/null # warm-up
  local delay
  delay=$(python3 -c "print(max(1, int($CONNS * 1000 / $RATE)))")
  load search-saturated "$OUT/search-paths.txt" 0
  load search-saturated-gzip "$OUT/search-paths.txt" 0 -H "Accept-Encoding: gzip"
  load search-paced "$OUT/search-paths.txt" "$delay"
  rss_json "$SERVER_PID" >"$OUT/rss-after-search.json"
  # The query mix repeats, so the runs above are answered mostly from the result
  # cache; the same runs with the cache off measure the search itself. The rest
  # of the benchmark runs on this server too.
  stop_server
  TEGENKRACHT_SEARCH_CACHE=0 start_server "$DATA" "$CFG" "$OUT/serve-nocache.log"
  $PY ready "http://127.0.0.1:$PORT/readyz" >/dev/null
  SLOG="$OUT/serve-nocache.log"
  TK_PATHS="$OUT/search-paths.txt" TK_DELAY_MS=0 taskset -c 0 wrk -t 1 -c 4 -d 3s -s "$HERE/rotate.lua" "http://127.0.0.1:$PORT" >/dev/null # warm-up
  load search-saturated-nocache "$OUT/search-paths.txt" 0
  load search-paced-nocache "$OUT/search-paths.txt" "$delay"
  # One request at a time: the latency a single reader sees.
  LOAD_THREADS=1 LOAD_CONNS=1 load search-one-nocache "$OUT/search-paths.txt" 0

  # 4. Incremental updates through the webhook.
  if [ "$UPDATE_RUNS" -gt 0 ]; then
    $PY incremental --base "http://127.0.0.1:$PORT" --repo "$REPO" --source bench --secret "$SECRET" \
      --runs "$UPDATE_RUNS" --deletes "$DELETE_RUNS" --log "$SLOG" >"$OUT/incremental.json"
    echo "    incremental: $(cat "$OUT/incremental.json")"
  fi

  # 5. Similar initiatives (the index now holds deleted documents), for the
  # dossiers that still exist after the deletions of step 4.
  $PY similar-paths "$REPO" "$OUT/similar-paths.txt" >/dev/null
  load similar-saturated "$OUT/similar-paths.txt" 0
  load similar-paced "$OUT/similar-paths.txt" "$(python3 -c "print(max(1, int($CONNS * 1000 / $SIMILAR_RATE)))")"
  # The paced wrk run is closed-loop: its connections wait the same time after
  # each answer and so arrive in bursts. This one starts requests at the rate
  # whatever the answers do (latency from when each was due).
  local o0 o1
  o0=$(cpu_ticks "$SERVER_PID")
  taskset -c 0 $PY open-loop "http://127.0.0.1:$PORT" "$OUT/similar-paths.txt" --rate "$SIMILAR_RATE" \
    --duration "$DURATION" >"$OUT/similar-open-loop.json"
  o1=$(cpu_ticks "$SERVER_PID")
  json_set "$OUT/similar-open-loop.json" server_cpu_s "$(python3 -c "print(($o1 - $o0) / $(getconf CLK_TCK))")"
  echo "    similar-open-loop: $(tr -d '\n ' <"$OUT/similar-open-loop.json")"
  rss_json "$SERVER_PID" >"$OUT/rss-after-load.json"
  echo "   server RSS after load: $(cat "$OUT/rss-after-load.json")"
  stop_server
  # Back to the generated commit for the next run of this script.
  git -C "$REPO" update-ref refs/heads/main "$(git -C "$REPO" rev-list --max-parents=0 main | tail -n 1)"

  # 7. Peers.
  if [ "$PEERS" = 1 ]; then
    peers "$N" "$REPO"
  fi
}

peers() {
  local N="$1" REPO="$2"
  local P="$BENCH_DIR/peers-$N"
  rm -rf "$P"
  mkdir -p "$P/src"
  git -C "$REPO" archive main | tar -x -C "$P/src"
  $PY prep "$P/src" "$P" >"$OUT/peer-prep.json"
  python3 -c "
import tomllib
for q in tomllib.load(open('$ROOT/tests/relevance/queries.toml','rb'))['query']: print(q['q'])" >"$P/queries.txt"

  # Raw tantivy in-process (same core version and analyzer as ours).
  if [ ! -d "$TOOLS/py/tantivy" ]; then
    pip install --quiet --target "$TOOLS/py" 'tantivy==0.25.*' >/dev/null 2>&1 || echo "   (tantivy-py could not be installed)"
  fi
  if [ -d "$TOOLS/py/tantivy" ]; then
    for th in 1 2; do
      PYTHONPATH="$TOOLS/py" /usr/bin/time -v $PY tantivy "$P" "$ROOT/tests/relevance/queries.toml" --threads "$th" \
        >"$OUT/peer-tantivy-$th.json" 2>"$OUT/peer-tantivy-$th.time"
      json_set "$OUT/peer-tantivy-$th.json" process "$(timev "$OUT/peer-tantivy-$th.time")"
      echo "   tantivy-py ($th thread): $(head -c 300 "$OUT/peer-tantivy-$th.json" | tr -d '\n ')"
    done
  fi

  # SQLite FTS5 (unstemmed; unicode61 with diacritics removed).
  /usr/bin/time -v $PY sqlite "$P" "$ROOT/tests/relevance/queries.toml" >"$OUT/peer-sqlite.json" 2>"$OUT/peer-sqlite.time"
  json_set "$OUT/peer-sqlite.json" process "$(timev "$OUT/peer-sqlite.time")"
  echo "   sqlite fts5: $(tr -d '\n ' <"$OUT/peer-sqlite.json")"

  # Lucene 8.7 DutchAnalyzer (Debian liblucene8-java).
  local LJ=/usr/share/java
  local CP="$LJ/lucene-core-8.7.0.jar:$LJ/lucene-analyzers-common-8.7.0.jar:$LJ/lucene-queryparser-8.7.0.jar"
  if [ -f "$LJ/lucene-core-8.7.0.jar" ] && command -v javac >/dev/null; then
    mkdir -p "$TOOLS/java"
    javac -cp "$CP" -d "$TOOLS/java" "$HERE/LuceneBench.java"
    /usr/bin/time -v java -cp "$CP:$TOOLS/java" LuceneBench "$P" "$P/queries.txt" >"$OUT/peer-lucene.json" 2>"$OUT/peer-lucene.time"
    json_set "$OUT/peer-lucene.json" process "$(timev "$OUT/peer-lucene.time")"
    echo "   lucene: $(tr -d '\n ' <"$OUT/peer-lucene.json")"
  else
    echo "   (Lucene skipped: apt-get install liblucene8-java default-jdk-headless)"
  fi

  # Pagefind on the rendered HTML site (about 215 KB of memory per page).
  local PF="$TOOLS/node_modules/@pagefind/linux-x64/bin/pagefind_extended"
  if [ ! -x "$PF" ]; then
    npm install --silent --prefix "$TOOLS" pagefind >/dev/null 2>&1 || true
  fi
  if [ -x "$PF" ] && [ "$N" -le "${PAGEFIND_MAX:-20000}" ]; then
    /usr/bin/time -v "$PF" --site "$P/site" --output-path "$P/pagefind" --force-language nl --quiet \
      >"$OUT/peer-pagefind.out" 2>"$OUT/peer-pagefind.time"
    local pfb
    pfb=$(du -sb "$P/pagefind" | awk '{print $1}')
    echo "{\"peer\":\"pagefind-1.6\",\"docs\":$N,\"size_bytes\":$pfb}" >"$OUT/peer-pagefind.json"
    json_set "$OUT/peer-pagefind.json" process "$(timev "$OUT/peer-pagefind.time")"
    echo "   pagefind: $(tr -d '\n ' <"$OUT/peer-pagefind.json")"
  else
    echo "   (Pagefind skipped for $N pages: needs about 215 KB per page; PAGEFIND_MAX=${PAGEFIND_MAX:-20000})"
  fi
}

echo "Tegenkracht benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "binary: $BIN ($("$BIN" --version))"
for N in "${SIZES[@]}"; do
  bench_size "$N"
done
$PY summary "${SIZES[@]/#/$BENCH_DIR/results-}"
