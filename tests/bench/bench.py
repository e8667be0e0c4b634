#!/usr/bin/env python3
"""Helpers for tests/bench/run.sh and smoke.sh (standard library only).

    bench.py search-paths QUERIES_TOML OUT          /api/v1/search?q=... for every `q`
    bench.py similar-paths REPO OUT [--k 5] [--max 2000]
    bench.py ready URL [--timeout S]                 waits for 200 on URL, prints seconds
    bench.py incremental --base URL --repo REPO --source NAME --secret S [--runs 20] [--deletes 5]
    bench.py prep SRC_DIR OUT_DIR                    docs.tsv and an HTML site for the peers
    bench.py sqlite OUT_DIR QUERIES_TOML             SQLite FTS5 build (and query) timings
    bench.py tantivy OUT_DIR QUERIES_TOML            tantivy-py build (and query) timings
    bench.py summary RESULTS_JSON...                 markdown table of run.sh results

Every measuring command prints one JSON object on stdout.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import tomllib
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def queries(toml_path: str) -> list[str]:
    with open(toml_path, "rb") as f:
        data = tomllib.load(f)
    return [q["q"] for q in data.get("query", []) if q.get("q")]


def cmd_search_paths(args: list[str]) -> None:
    qs = queries(args[0])
    with open(args[1], "w") as out:
        for q in qs:
            out.write("/api/v1/search?q=" + urllib.parse.quote(q, safe="") + "\n")
    print(len(qs))


def dossier_ids(repo: str) -> list[str]:
    names = subprocess.run(
        ["git", "-C", repo, "ls-tree", "-r", "--name-only", "main", "dossiers"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    return [n[len("dossiers/"):-3] for n in names if n.endswith(".md")]


def cmd_similar_paths(args: list[str]) -> None:
    repo, out_path = args[0], args[1]
    k = int(opt(args, "--k", "5"))
    mx = int(opt(args, "--max", "2000"))
    ids = dossier_ids(repo)
    random.Random(7).shuffle(ids)
    with open(out_path, "w") as out:
        for i in ids[:mx]:
            out.write(f"/api/v1/dossiers/{i}/vergelijkbaar?k={k}\n")
    print(min(mx, len(ids)))


def cmd_open_loop(args: list[str]) -> None:
    """Open-loop load: requests start at a fixed rate whatever the answers do
    (as wrk2 or `oha -q` send them), each on a free keep-alive connection of a
    pool (a new one when all are busy). Latency counts from the moment a
    request was due, so a slow answer that delays the next send is counted
    too (no coordinated omission). Prints one JSON line like `rotate.lua`'s."""
    import asyncio
    base, paths_file = args[0], args[1]
    rate = float(opt(args, "--rate", "100"))
    duration = float(opt(args, "--duration", "20"))
    host, port = base.split("://", 1)[1].split(":")
    paths = [p.strip() for p in open(paths_file) if p.strip()]

    async def run() -> dict:
        idle: list = []
        lat: list[float] = []
        codes = {"ok": 0, "other": 0, "errors": 0}

        async def one(path: str, due: float) -> None:
            try:
                r, w = idle.pop() if idle else await asyncio.open_connection(host, int(port))
                w.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                await w.drain()
                head = await r.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await r.readexactly(length)
                lat.append((time.perf_counter() - due) * 1000)
                codes["ok" if status == 200 else "other"] += 1
                idle.append((r, w))
            except Exception:
                codes["errors"] += 1

        loop_start = time.perf_counter()
        n = int(rate * duration)
        tasks = []
        for i in range(n):
            due = loop_start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(paths[i % len(paths)], due)))
        await asyncio.gather(*tasks)
        took = time.perf_counter() - loop_start
        return {
            "requests": len(lat), "duration_s": round(took, 2), "rps": round(len(lat) / took, 1),
            "p50_ms": round(pct(lat, 50), 3), "p90_ms": round(pct(lat, 90), 3), "p99_ms": round(pct(lat, 99), 3),
            "max_ms": round(max(lat), 3) if lat else 0.0, "ok_200": codes["ok"], "non_200": codes["other"],
            "socket_errors": codes["errors"], "timeouts": 0, "open_loop_rate": rate,
        }

    print(json.dumps(asyncio.run(run())))


def opt(args: list[str], name: str, default: str) -> str:
    if name in args:
        return args[args.index(name) + 1]
    return default


def get(conn: http.client.HTTPConnection, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    conn.request("GET", path, headers=headers or {})
    r = conn.getresponse()
    return r.status, r.read()


def cmd_ready(args: list[str]) -> None:
    url = urllib.parse.urlparse(args[0])
    timeout = float(opt(args, "--timeout", "600"))
    # From when the server was started (`--since`, seconds since the epoch), not
    # from when this script got going: Python's own start would hide a fast start.
    since = float(opt(args, "--since", str(time.time())))
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            c = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
            st, _ = get(c, url.path)
            c.close()
            if st == 200:
                print(f"{time.time() - since:.3f}")
                return
        except OSError:
            pass
        time.sleep(0.005)
    sys.exit(f"bench.py ready: {args[0]} not ready after {timeout} s")


def cmd_incremental(args: list[str]) -> None:
    """Commit one changed dossier, send the webhook, poll search until the change is found."""
    base = urllib.parse.urlparse(opt(args, "--base", "http://127.0.0.1:18473"))
    repo = opt(args, "--repo", "")
    source = opt(args, "--source", "bench")
    secret = opt(args, "--secret", "")
    runs = int(opt(args, "--runs", "20"))
    log = opt(args, "--log", "")
    ids = dossier_ids(repo)
    rng = random.Random(int(time.time()))
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=60)
    commit_ms, hook_ms, total_ms = [], [], []
    for i in range(runs):
        doc = rng.choice(ids)
        # Random letters: tokens of successive runs must be far apart, or the
        # spelling correction ("Bedoelde u") would find the previous run's token.
        token = "zq" + "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, str(HERE / "gen_corpus.py"), "touch", repo, f"dossiers/{doc}.md", "--stamp", token],
            check=True,
        )
        t1 = time.perf_counter()
        conn.request("POST", f"/hooks/{source}", body=b"{}",
                     headers={"X-Gitlab-Token": secret, "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        if r.status != 202:
            sys.exit(f"bench.py incremental: webhook answered {r.status}")
        deadline = time.perf_counter() + 120
        while True:
            st, body = get(conn, "/api/v1/search?q=" + token)
            if st == 200 and any(h.get("id") == doc for h in json.loads(body).get("hits", [])):
                break
            if time.perf_counter() > deadline:
                sys.exit(f"bench.py incremental: {token} not searchable after 120 s")
            time.sleep(0.002)
        t3 = time.perf_counter()
        commit_ms.append((t1 - t0) * 1000)
        hook_ms.append((t3 - t1) * 1000)
        total_ms.append((t3 - t0) * 1000)
        time.sleep(0.2)
    # Deletions: the dossier leaves the index, whose segments are then rewritten
    # without it before the update is served (term statistics of a fresh build).
    deletes = int(opt(args, "--deletes", "5"))
    delete_ms: list[float] = []
    for doc in rng.sample(ids, deletes):
        git_fast_import(repo, (
            b"commit refs/heads/main\n"
            + b"committer Bench <bench@tegenkracht.invalid> %d +0000\n" % int(time.time())
            + b"data 14\nbench: delete\n"
            + b"from refs/heads/main^0\n"
            + f"D dossiers/{doc}.md\n\n".encode()
        ))
        t1 = time.perf_counter()
        conn.request("POST", f"/hooks/{source}", body=b"{}",
                     headers={"X-Gitlab-Token": secret, "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        deadline = time.perf_counter() + 120
        while get(conn, f"/api/v1/dossiers/{doc}")[0] != 404:
            if time.perf_counter() > deadline:
                sys.exit(f"bench.py incremental: {doc} still served 120 s after its deletion")
            time.sleep(0.002)
        delete_ms.append((time.perf_counter() - t1) * 1000)
        time.sleep(0.2)
    server_ms: list[float] = []
    if log and os.path.exists(log):
        for line in open(log, errors="replace"):
            line = re.sub(r"\x1b\[[0-9;]*m", "", line)
            if "content updated" in line:
                m = re.search(r"\bms=(\d+)", line)
                if m:
                    server_ms.append(float(m.group(1)))
    delete_server_ms = server_ms[len(server_ms) - deletes:] if deletes else []
    server_ms = server_ms[: len(server_ms) - deletes][-runs:]
    print(json.dumps({
        "runs": runs,
        "webhook_to_searchable_p50_ms": round(statistics.median(hook_ms), 1),
        "webhook_to_searchable_p99_ms": round(pct(hook_ms, 99), 1),
        "webhook_to_searchable_max_ms": round(max(hook_ms), 1),
        "commit_ms_p50": round(statistics.median(commit_ms), 1),
        "commit_plus_webhook_p50_ms": round(statistics.median(total_ms), 1),
        "commit_plus_webhook_p99_ms": round(pct(total_ms, 99), 1),
        "server_update_p50_ms": round(statistics.median(server_ms), 1) if server_ms else None,
        "server_update_max_ms": max(server_ms) if server_ms else None,
        "deletes": deletes,
        "delete_webhook_to_gone_p50_ms": round(statistics.median(delete_ms), 1) if delete_ms else None,
        "delete_webhook_to_gone_max_ms": round(max(delete_ms), 1) if delete_ms else None,
        "delete_server_update_p50_ms": round(statistics.median(delete_server_ms), 1) if delete_server_ms else None,
    }))


def git_fast_import(repo: str, stream: bytes) -> None:
    subprocess.run(["git", "-C", repo, "fast-import", "--quiet"], input=stream, check=True)


# ---------------------------------------------------------------- peers

FM = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def fm_value(fm: str, key: str) -> str:
    m = re.search(rf"^{key}:\s*(.+)$", fm, re.M)
    if not m:
        return ""
    v = m.group(1).strip()
    if v.startswith("["):
        return " ".join(x.strip().strip('"') for x in v[1:-1].split(","))
    return v.strip('"')


def inline(s: str) -> str:
    s = html.escape(s, quote=False)
    s = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)
    return re.sub(r"\*(.+?)\*", r"<em>\1</em>", s)


def md_to_html(md: str) -> str:
    out = []
    for block in re.split(r"\n\s*\n", md.strip()):
        lines = block.splitlines()
        if block.startswith("## "):
            out.append(f"<h2>{inline(block[3:].strip())}</h2>")
        elif re.match(r"^(- |\d+\. )", block):
            tag = "ol" if block[0].isdigit() else "ul"
            items = [re.sub(r"^(- |\d+\. )", "", ln) for ln in lines]
            out.append(f"<{tag}>" + "".join(f"<li>{inline(i)}</li>" for i in items) + f"</{tag}>")
        else:
            out.append(f"<p>{inline(' '.join(lines))}</p>")
    return "\n".join(out)


def md_to_text(md: str) -> str:
    t = re.sub(r"^#+ |^- |^\d+\. ", "", md, flags=re.M)
    return re.sub(r"\*+", "", t)


def cmd_prep(args: list[str]) -> None:
    src, out = Path(args[0]), Path(args[1])
    site = out / "site"
    site.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    n = 0
    with open(out / "docs.tsv", "w", encoding="utf-8") as tsv:
        for p in sorted((src / "dossiers").rglob("*.md")):
            text = p.read_text(encoding="utf-8")
            m = FM.match(text)
            if not m:
                continue
            fm, body = m.group(1), text[m.end():]
            did = str(p.relative_to(src / "dossiers"))[:-3]
            titel, samenv = fm_value(fm, "titel"), fm_value(fm, "samenvatting")
            meta = " ".join(fm_value(fm, k) for k in ["trefwoorden", "gemeenten", "themas", "partners", "instrumenten", "regio"])
            plain = md_to_text(body)
            row = [did, titel, samenv, meta, plain]
            tsv.write("\t".join(re.sub(r"[\t\n]+", " ", x) for x in row) + "\n")
            page = site / "dossiers" / did
            page.mkdir(parents=True, exist_ok=True)
            (page / "index.html").write_text(
                f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{html.escape(titel)}</title></head>'
                f"<body><main><h1>{html.escape(titel)}</h1><p>{html.escape(samenv)}</p>"
                f"<p>{html.escape(meta)}</p>\n{md_to_html(body)}</main></body></html>\n",
                encoding="utf-8",
            )
            n += 1
    print(json.dumps({"docs": n, "prep_s": round(time.perf_counter() - t0, 2)}))


def read_tsv(out: Path) -> list[list[str]]:
    with open(out / "docs.tsv", encoding="utf-8") as f:
        return [ln.rstrip("\n").split("\t") for ln in f]


def dir_size(p: Path) -> int:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() else p.stat().st_size


def cmd_sqlite(args: list[str]) -> None:
    """SQLite FTS5, unicode61 tokenizer with diacritics removed, unstemmed."""
    import sqlite3

    out = Path(args[0])
    rows = read_tsv(out)
    db_path = out / "fts5.db"
    if db_path.exists():
        db_path.unlink()
    t0 = time.perf_counter()
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, titel, samenvatting, meta, body, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    db.executemany("INSERT INTO docs VALUES (?,?,?,?,?)", rows)
    db.commit()
    build = time.perf_counter() - t0
    lat = []
    for q in queries(args[1]) * 3:
        terms = [t for t in re.findall(r"\w+", q.lower())]
        if not terms:
            continue
        match = " ".join('"' + t + '"' for t in terms)
        t = time.perf_counter()
        db.execute(
            "SELECT id, snippet(docs, 4, '<mark>', '</mark>', '...', 12), bm25(docs, 5.0, 2.0, 1.5, 1.0) AS s "
            "FROM docs WHERE docs MATCH ? ORDER BY s LIMIT 20", (match,)
        ).fetchall()
        db.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone()
        lat.append((time.perf_counter() - t) * 1000)
    db.close()
    print(json.dumps({
        "peer": "sqlite-fts5", "docs": len(rows), "index_s": round(build, 3),
        "size_bytes": dir_size(db_path),
        "query_p50_ms": round(statistics.median(lat), 2), "query_p99_ms": round(pct(lat, 99), 2),
    }))


def cmd_tantivy(args: list[str]) -> None:
    """tantivy-py (the same tantivy 0.25 core as ours): our schema and Dutch analyzer, one indexing thread."""
    import shutil

    import tantivy

    out = Path(args[0])
    threads = int(opt(args, "--threads", "1"))
    rows = read_tsv(out)
    idx_dir = out / f"tantivy-{threads}"
    shutil.rmtree(idx_dir, ignore_errors=True)
    idx_dir.mkdir()
    t0 = time.perf_counter()
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for f in ["titel", "samenvatting", "meta", "body"]:
        sb.add_text_field(f, tokenizer_name="nl", index_option="position")
    schema = sb.build()
    index = tantivy.Index(schema, path=str(idx_dir))
    nl = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(60))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("dutch"))
        .build()
    )
    index.register_tokenizer("nl", nl)
    writer = index.writer(heap_size=40_000_000, num_threads=threads)
    for r in rows:
        writer.add_document(tantivy.Document(id=r[0], titel=r[1], samenvatting=r[2], meta=r[3], body=r[4]))
    writer.commit()
    writer.wait_merging_threads()
    build = time.perf_counter() - t0
    index.reload()
    searcher = index.searcher()
    lat = []
    for q in queries(args[1]) * 3:
        t = time.perf_counter()
        query = index.parse_query_lenient(q, ["titel", "samenvatting", "meta", "body"])[0]
        searcher.search(query, 20)
        lat.append((time.perf_counter() - t) * 1000)
    print(json.dumps({
        "peer": f"tantivy-py-{threads}t", "docs": len(rows), "index_s": round(build, 3),
        "size_bytes": dir_size(idx_dir),
        "query_p50_ms": round(statistics.median(lat), 2), "query_p99_ms": round(pct(lat, 99), 2),
    }))


def load_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def cmd_summary(args: list[str]) -> None:
    """A markdown table of run.sh results, one column per size."""
    cols = []
    for d in map(Path, args):
        if not d.is_dir():
            continue
        r: dict = {"dir": d}
        r["corpus"] = load_json(d / "corpus.json")
        builds = [load_json(p) for p in sorted(d.glob("build-*.json"))]
        r["build"] = min(builds, key=lambda b: b.get("wall_s", 1e9)) if builds else {}
        r["build_peak_rss"] = max((b.get("max_rss_mib", 0) for b in builds), default=None)
        colds = sorted(float((d / f"cold-{i}.txt").read_text()) for i in (1, 2, 3) if (d / f"cold-{i}.txt").exists())
        r["cold"] = colds[len(colds) // 2] if colds else None
        r["idle"] = load_json(d / "rss-idle.json") or load_json(d / "rss-idle-3.json")
        for k in ["search-saturated", "search-saturated-gzip", "search-paced", "search-saturated-nocache",
                  "search-paced-nocache", "search-one-nocache", "similar-saturated", "similar-paced", "similar-open-loop",
                  "incremental", "rss-after-load", "peer-tantivy-1", "peer-tantivy-2", "peer-sqlite", "peer-lucene",
                  "peer-pagefind"]:
            r[k] = load_json(d / f"{k}.json")
        r["index_bytes"] = int((d / "index_bytes").read_text()) if (d / "index_bytes").exists() else None
        cols.append(r)
    if not cols:
        return

    def row(label: str, f) -> None:
        vals = []
        for c in cols:
            try:
                v = f(c)
            except (KeyError, TypeError, ZeroDivisionError, ValueError):
                v = None
            vals.append("–" if v is None else str(v))
        print(f"| {label} | " + " | ".join(vals) + " |")

    mb = lambda c: c["corpus"]["markdown_bytes"] / 1e6  # noqa: E731
    wall = lambda c: c["build"]["wall_s"]  # noqa: E731
    print("| measure | " + " | ".join(f"{c['corpus'].get('docs', '?'):,} dossiers" for c in cols) + " |")
    print("|---|" + "---|" * len(cols))
    row("corpus (markdown)", lambda c: f"{mb(c):.0f} MB")
    row("full build from git, wall (best)", lambda c: f"{wall(c):.2f} s")
    row("build CPU (user + sys)", lambda c: f"{c['build']['user_s'] + c['build']['sys_s']:.2f} s")
    row("build throughput", lambda c: f"{c['corpus']['docs'] / wall(c):,.0f} docs/s, {mb(c) / wall(c):.1f} MB/s")
    row("build peak RSS", lambda c: f"{c['build_peak_rss']:.0f} MiB")
    row("index size on disk", lambda c: f"{c['index_bytes'] / 2**20:.0f} MiB")
    row("cold start to ready (median of 3)", lambda c: f"{c['cold']:.2f} s")
    row("server RSS idle / after load (peak)", lambda c: f"{c['idle']['rss_mib']:.0f} / {c['rss-after-load']['rss_mib']:.0f} ({c['rss-after-load']['hwm_mib']:.0f}) MiB")
    row("server RssAnon idle / after load", lambda c: f"{c['idle']['anon_mib']:.0f} / {c['rss-after-load']['anon_mib']:.0f} MiB")

    def load_row(label: str, key: str) -> None:
        row(label, lambda c: (
            f"{c[key]['rps']:,.0f} rps, p50 {c[key]['p50_ms']:.1f} ms, p99 {c[key]['p99_ms']:.1f} ms, "
            f"{c[key]['ok_200']:,} × 200, {c[key]['non_200'] + c[key]['socket_errors'] + c[key]['timeouts']} other; "
            f"server CPU {1000 * c[key]['server_cpu_s'] / max(1, c[key]['requests']):.2f} ms/request"))

    load_row("search, saturated, 32 conns (result cache on)", "search-saturated")
    load_row("search, saturated, gzip (cache on)", "search-saturated-gzip")
    load_row("search, paced (cache on)", "search-paced")
    load_row("search, saturated, 32 conns, cache off", "search-saturated-nocache")
    load_row("search, paced, cache off", "search-paced-nocache")
    load_row("search, one connection, cache off", "search-one-nocache")
    load_row("similar, saturated, 32 conns", "similar-saturated")
    load_row("similar, paced", "similar-paced")
    load_row("similar, open loop at SIMILAR_RATE", "similar-open-loop")
    row("commit + webhook → searchable, p50 / p99", lambda c: (
        f"{c['incremental']['webhook_to_searchable_p50_ms']:.0f} / {c['incremental']['webhook_to_searchable_p99_ms']:.0f} ms "
        f"(+ commit {c['incremental']['commit_ms_p50']:.0f} ms; server's own update p50 "
        f"{c['incremental']['server_update_p50_ms'] or float('nan'):.0f} ms)"))
    row("dossier deleted + webhook → gone, p50 / max", lambda c: (
        f"{c['incremental']['delete_webhook_to_gone_p50_ms']:.0f} / {c['incremental']['delete_webhook_to_gone_max_ms']:.0f} ms "
        f"({c['incremental']['deletes']} runs; server's own update p50 {c['incremental']['delete_server_update_p50_ms']:.0f} ms)"))
    for key, label in [("peer-tantivy-1", "raw tantivy (tantivy-py, 1 thread)"), ("peer-tantivy-2", "raw tantivy (tantivy-py, 2 threads)"),
                       ("peer-lucene", "Lucene 8.7 DutchAnalyzer"), ("peer-sqlite", "SQLite FTS5 (unstemmed)"),
                       ("peer-pagefind", "Pagefind 1.6")]:
        row(f"{label}: build wall, peak RSS, size; ours ÷ peer", lambda c, key=key: (
            f"{c[key]['process']['wall_s']:.2f} s"
            + (f" (in-process {c[key]['index_s']:.2f} s)" if "index_s" in c[key] else "")
            + f", {c[key]['process']['max_rss_mib']:.0f} MiB, {c[key]['size_bytes'] / 2**20:.0f} MiB; "
            f"{wall(c) / c[key]['process']['wall_s']:.2f}×"))


COMMANDS = {
    "search-paths": cmd_search_paths,
    "similar-paths": cmd_similar_paths,
    "open-loop": cmd_open_loop,
    "ready": cmd_ready,
    "incremental": cmd_incremental,
    "prep": cmd_prep,
    "sqlite": cmd_sqlite,
    "tantivy": cmd_tantivy,
    "summary": cmd_summary,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](sys.argv[2:])
