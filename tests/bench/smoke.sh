#!/usr/bin/env bash
# Smoke version of the benchmark for CI (no timing assertions): generates a
# small corpus (200 dossiers) with gen_corpus.py, requires `tegenkracht check`
# to find no errors in it, builds the index from git (also as a federation
# of sources, `federate.sh`), serves it, and requires
# 200 answers with hits for the relevance query mix, for similar initiatives,
# and for three commit + webhook updates that must become searchable.
# Uses target/debug/tegenkracht unless TEGENKRACHT_BIN says otherwise.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${TEGENKRACHT_BIN:-$ROOT/target/debug/tegenkracht}"
unset TEGENKRACHT_BIN # the server reads TEGENKRACHT_* variables as configuration
N="${SMOKE_SIZE:-200}"
if [ ! -x "$BIN" ]; then
  (cd "$ROOT" && cargo build -p tegenkracht --locked)
fi
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export TK_SMOKE_HOOK="smoke-$$"

echo "== bench smoke: generate $N dossiers"
python3 "$HERE/gen_corpus.py" "$N" "$WORK/corpus.git"
mkdir "$WORK/tree"
git -C "$WORK/corpus.git" archive main | tar -x -C "$WORK/tree"
echo "== bench smoke: tegenkracht check (the generated corpus must be valid)"
(cd "$ROOT" && "$BIN" check "$WORK/tree" | tail -n 3)

cat >"$WORK/tk.toml" <<TOML
data_dir = "$WORK/data"
poll_interval = "1h"

[[source]]
name = "bench"
url = "$WORK/corpus.git"
branch = "main"
regions = ["*"]
webhook_secret_env = "TK_SMOKE_HOOK"
TOML

echo "== bench smoke: index from git"
"$BIN" index --config "$WORK/tk.toml" | tee "$WORK/index.out" | tail -n 1
grep -q " $N public dossiers" "$WORK/index.out" || { echo "bench smoke: expected $N public dossiers"; exit 1; }

echo "== bench smoke: the same corpus as a federation (federate.sh), every dossier published once"
"$HERE/federate.sh" "$WORK/corpus.git" "$WORK/data-fed" 3 >"$WORK/fed.toml"
[ "$(grep -c '^\[\[source\]\]' "$WORK/fed.toml")" -ge 3 ] || { echo "bench smoke: federate.sh made too few sources"; exit 1; }
"$BIN" index --config "$WORK/fed.toml" | tee "$WORK/index-fed.out" | tail -n 1
grep -q " $N public dossiers" "$WORK/index-fed.out" || { echo "bench smoke: expected $N public dossiers from the federation"; exit 1; }
if grep -q ": error:" "$WORK/index-fed.out"; then echo "bench smoke: the federation has errors"; grep ": error:" "$WORK/index-fed.out"; exit 1; fi

echo "== bench smoke: serve, search, similar, webhook updates"
"$BIN" serve --config "$WORK/tk.toml" --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
python3 "$HERE/bench.py" ready "http://127.0.0.1:$PORT/readyz" --timeout 120 >/dev/null
python3 "$HERE/bench.py" search-paths "$ROOT/tests/relevance/queries.toml" "$WORK/search.txt" >/dev/null
python3 "$HERE/bench.py" similar-paths "$WORK/corpus.git" "$WORK/similar.txt" --max 20 >/dev/null
python3 - "$PORT" "$WORK/search.txt" "$WORK/similar.txt" <<'PY'
import http.client, json, sys
port, search, similar = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
bad, with_hits = [], 0
paths = [p.strip() for p in open(search) if p.strip()]
for p in paths:
    c.request("GET", p)
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        bad.append((p, r.status))
        continue
    d = json.loads(body)
    if not {"total", "hits", "facets"} <= d.keys():
        bad.append((p, "missing keys"))
    with_hits += d["total"] > 0
sim = [p.strip() for p in open(similar) if p.strip()]
for p in sim:
    c.request("GET", p)
    r = c.getresponse()
    body = r.read()
    if r.status != 200 or not json.loads(body).get("hits"):
        bad.append((p, r.status))
print(f"search: {len(paths)} queries, {with_hits} with hits; similar: {len(sim)} dossiers")
if bad or with_hits < len(paths) // 2:
    sys.exit(f"bench smoke: failures {bad[:5]}, {with_hits} queries with hits")
PY
python3 "$HERE/bench.py" incremental --base "http://127.0.0.1:$PORT" --repo "$WORK/corpus.git" \
  --source bench --secret "$TK_SMOKE_HOOK" --runs 3 --deletes 2 --log "$WORK/serve.log"
# The dossiers that exist now (the deletions above removed some).
python3 "$HERE/bench.py" similar-paths "$WORK/corpus.git" "$WORK/similar.txt" --max 20 >/dev/null
python3 - "$PORT" "$WORK/similar.txt" <<'PY'
# Similar initiatives again, now that the index holds deleted documents.
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=60)
for p in [p.strip() for p in open(sys.argv[2]) if p.strip()]:
    c.request("GET", p)
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit(f"bench smoke: {p} answered {r.status} after updates")
PY
echo "bench smoke: ok"
