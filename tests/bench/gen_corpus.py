#!/usr/bin/env python3
"""Generates a synthetic but realistic Tegenkracht corpus in a git repository.

    gen_corpus.py N OUT_REPO [--content DIR] [--seed S] [--restricted F]

Writes N dossiers across the 11 regions and the 12 themas of the starter
content into a fresh bare git repository OUT_REPO (one commit on `main`), in
the content layout a source expects:

    vocabulaire.yaml          copied from content/
    themas/*.md               copied from content/
    dossiers/{regio}/{slug}.md

The text is the starter content's own text, recombined: every sentence,
list item and lesson of the starter dossiers and playbooks goes into pools
(by section heading and by thema), and each generated dossier draws its
paragraphs from the pools of its own themas and section headings, so term
statistics look like real Dutch text about the same subjects. A small share
of words is turned into Dutch compounds of two corpus words, so that the
vocabulary keeps growing with the corpus size as real text does (Heaps' law)
instead of saturating at the starter vocabulary. Each dossier has 300 to
1,500 words of body, valid front matter (titel, type, regio, themas,
samenvatting of 20-600 characters, toegang, partners, instrumenten, status,
start, gemeenten, trefwoorden, lessen) and the headings of its type.

With `--restricted F`, a fraction F of the dossiers gets `toegang: netwerk`
or `toegang: regio` (default 0: everything `openbaar`).

Commits go through `git fast-import`, so 100,000 dossiers take minutes.
The generator is deterministic for a given N and seed.

    gen_corpus.py touch OUT_REPO PATH [--stamp TEXT]

Commits a change to one dossier (appends a paragraph containing TEXT to
its body) on top of `main`: the incremental-update benchmark uses it.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REGIONS = [
    "amsterdam-amstelland",
    "den-haag",
    "limburg",
    "midden-nederland",
    "noord-holland",
    "noord-nederland",
    "oost-nederland",
    "rotterdam",
    "zeeland-brabant",
    "landelijk",
]

# Municipalities per region (public facts), for gemeenten, titles and text.
GEMEENTEN = {
    "amsterdam-amstelland": ["Amsterdam", "Amstelveen", "Aalsmeer", "Diemen", "Ouder-Amstel", "Uithoorn"],
    "den-haag": ["Den Haag", "Leiden", "Delft", "Zoetermeer", "Alphen aan den Rijn", "Westland", "Katwijk"],
    "limburg": ["Maastricht", "Venlo", "Heerlen", "Sittard-Geleen", "Roermond", "Weert", "Kerkrade"],
    "midden-nederland": ["Utrecht", "Amersfoort", "Almere", "Lelystad", "Nieuwegein", "Hilversum", "Zeist"],
    "noord-holland": ["Haarlem", "Zaanstad", "Alkmaar", "Den Helder", "Hoorn", "Velsen", "Haarlemmermeer"],
    "noord-nederland": ["Groningen", "Leeuwarden", "Assen", "Emmen", "Delfzijl", "Heerenveen", "Sneek"],
    "oost-nederland": ["Arnhem", "Nijmegen", "Enschede", "Apeldoorn", "Zwolle", "Deventer", "Hengelo"],
    "rotterdam": ["Rotterdam", "Dordrecht", "Schiedam", "Vlaardingen", "Spijkenisse", "Gorinchem", "Capelle aan den IJssel"],
    # The two Brabant RIECs merged (Koers bepalen, fn. 32): one region since the vocabulary says so.
    "zeeland-brabant": ["Eindhoven", "'s-Hertogenbosch", "Breda", "Tilburg", "Vlissingen", "Middelburg", "Helmond",
                        "Roosendaal", "Oss", "Bergen op Zoom", "Terneuzen", "Veldhoven", "Uden", "Meierijstad"],
    "landelijk": [],
}

PARTNERS = [
    "gemeente", "provincie", "waterschap", "politie", "om", "belastingdienst", "fiod", "douane", "kmar",
    "nla", "ind", "fiu", "riec", "liec", "woningcorporatie", "onderwijs", "zorg-en-welzijn", "wetenschap",
    "bedrijfsleven", "bewoners",
]
INSTRUMENTEN = ["strafrechtelijk", "bestuursrechtelijk", "fiscaal", "privaatrechtelijk", "preventief", "communicatie"]
STATUS = ["idee", "pilot", "lopend", "afgerond", "gestopt"]
LEERDOSSIER_HEADINGS = [
    "Aanleiding", "Aanpak", "Partners en rollen", "Informatiepositie", "Resultaten", "Lessen", "Overdraagbaarheid",
]
PRAKTIJK_HEADINGS = ["Wat is het", "Hoe werkt het", "Wat levert het op", "Waar let je op"]
TITLE_TEMPLATES = [
    "Aanpak {x} in {g}",
    "{X} {g}",
    "Project {x} {g}",
    "Integrale aanpak van {x} in {g}",
    "Pilot {x} in {g}",
    "{X}: ervaringen uit {g}",
    "Samen tegen {x} in {g}",
    "{X} in beeld in {g}",
]

SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u00c0-\u00de*\"'(])")
WORD = re.compile(r"\b[a-zà-ÿ]{6,}\b")


def unquote(v: str) -> str:
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        v = v[1:-1]
        if v and v[0] == "'":
            v = v.replace("''", "'")
        else:
            v = v.replace('\\"', '"')
    return v


def flow_list(v: str) -> list[str]:
    v = v.strip()
    if not (v.startswith("[") and v.endswith("]")):
        return []
    return [unquote(x) for x in v[1:-1].split(",") if x.strip()]


def split_doc(text: str) -> tuple[str, str]:
    if not text.startswith("---\n"):
        return "", text
    end = text.find("\n---\n", 4)
    if end < 0:
        return "", text
    return text[4:end], text[end + 5 :]


def fm_scalar(fm: str, key: str) -> str:
    m = re.search(rf"^{key}:\s*(.+)$", fm, re.M)
    return unquote(m.group(1)) if m else ""


def yaml_safe(s: str) -> bool:
    return '"' not in s and "\\" not in s and "\n" not in s


class Pools:
    """The starter content cut into reusable pieces."""

    def __init__(self, content: Path):
        # (section heading or "*", thema or "*") -> list of paragraph "blocks";
        # a block is ("p", [sentences]) or ("ul", [items]) or ("ol", [items]).
        self.blocks: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
        self.sentences: dict[str, list[str]] = {"*": []}  # by thema
        self.samenvatting: dict[str, list[str]] = {"*": []}
        self.lessen: list[tuple[str, str]] = []
        self.trefwoorden: dict[str, list[str]] = {"*": []}
        self.themas: dict[str, str] = {}  # slug -> titel
        self.words: list[str] = []
        for p in sorted((content / "themas").glob("*.md")):
            fm, body = split_doc(p.read_text(encoding="utf-8"))
            slug = p.stem
            self.themas[slug] = fm_scalar(fm, "titel") or slug
            self._add_body(body, [slug], playbook=True)
            self._add_summary(fm_scalar(fm, "samenvatting"), [slug])
            for s in flow_list(fm_scalar(fm, "synoniemen")):
                if yaml_safe(s):
                    self.trefwoorden.setdefault(slug, []).append(s)
        for p in sorted((content / "dossiers").rglob("*.md")):
            fm, body = split_doc(p.read_text(encoding="utf-8"))
            m = re.search(r"^themas:\s*(.+)$", fm, re.M)
            themas = [t for t in flow_list(m.group(1)) if t in self.themas] if m else []
            self._add_body(body, themas, playbook=False)
            self._add_summary(fm_scalar(fm, "samenvatting"), themas)
            m = re.search(r"^trefwoorden:\s*(.+)$", fm, re.M)
            for t in flow_list(m.group(1)) if m else []:
                if yaml_safe(t) and 2 <= len(t) <= 60:
                    self.trefwoorden["*"].append(t)
                    for th in themas:
                        self.trefwoorden.setdefault(th, []).append(t)
            for u, les in re.findall(r"-\s*uitdaging:\s*(\S+)\s*\n\s+les:\s*(.+)", fm):
                les = unquote(les)
                if yaml_safe(les) and 10 <= len(les) <= 400:
                    self.lessen.append((u, les))
        words = set()
        for ss in self.sentences.values():
            for s in ss:
                words.update(WORD.findall(s))
        self.words = sorted(words)
        if not self.lessen or not self.sentences["*"]:
            sys.exit(f"gen_corpus: no starter text found under {content}")

    def _add_summary(self, text: str, themas: list[str]) -> None:
        for s in SENTENCE_SPLIT.split(text):
            s = s.strip()
            if yaml_safe(s) and 20 <= len(s) <= 300:
                for key in ["*", *themas]:
                    self.samenvatting.setdefault(key, []).append(s)

    def _add_body(self, body: str, themas: list[str], playbook: bool) -> None:
        heading = "*"
        for chunk in re.split(r"\n\s*\n", body):
            chunk = chunk.strip()
            if not chunk:
                continue
            if chunk.startswith("## "):
                heading = "*" if playbook else chunk[3:].strip()
                continue
            if chunk.startswith("#") or chunk.startswith("|"):
                continue
            lines = chunk.splitlines()
            if re.match(r"^(- |\d+\. )", lines[0]) and all(re.match(r"^(- |\d+\. |\s)", ln) for ln in lines):
                kind = "ol" if re.match(r"^\d+\. ", lines[0]) else "ul"
                items: list[str] = []
                for ln in lines:
                    if re.match(r"^(- |\d+\. )", ln):
                        items.append(re.sub(r"^(- |\d+\. )", "", ln).strip())
                    else:
                        items[-1] += " " + ln.strip()
                block = (kind, items)
            else:
                sents = [s.strip() for s in SENTENCE_SPLIT.split(" ".join(ln.strip() for ln in lines)) if s.strip()]
                block = ("p", sents)
                for th in ["*", *themas]:
                    self.sentences.setdefault(th, []).extend(x for x in sents if not x.endswith(":"))
            for th in ["*", *themas]:
                self.blocks.setdefault((heading, th), []).append(block)
                if heading != "*":
                    self.blocks.setdefault(("*", th), []).append(block)


def compound(rng: random.Random, words: list[str], sentence: str) -> str:
    """Turns one long word of the sentence into a compound with another corpus word."""
    candidates = list(WORD.finditer(sentence))
    if not candidates:
        return sentence
    m = rng.choice(candidates)
    other = rng.choice(words)
    new = m.group(0) + other if rng.random() < 0.5 else other + m.group(0)
    return sentence[: m.start()] + new + sentence[m.end() :]


class Generator:
    def __init__(self, pools: Pools, seed: int):
        self.p = pools
        self.rng = random.Random(seed)
        self.thema_slugs = sorted(pools.themas)

    def _pick_block(self, heading: str, themas: list[str]) -> tuple[str, list[str]]:
        rng = self.rng
        keys = []
        if rng.random() < 0.7:
            keys = [(heading, rng.choice(themas)), ("*", rng.choice(themas))]
        keys += [(heading, "*"), ("*", "*")]
        for k in keys:
            pool = self.p.blocks.get(k)
            if pool:
                return rng.choice(pool)
        return ("p", self.p.sentences["*"][:3])

    def _sentence(self, themas: list[str]) -> str:
        rng = self.rng
        pool = self.p.sentences.get(rng.choice(themas)) if rng.random() < 0.7 else None
        s = rng.choice(pool or self.p.sentences["*"])
        if rng.random() < 0.12:
            s = compound(rng, self.p.words, s)
        return s

    def _paragraph(self, heading: str, themas: list[str], gemeente: str) -> tuple[str, int]:
        rng = self.rng
        kind, items = self._pick_block(heading, themas)
        if kind != "p" and items:
            k = min(len(items), rng.randint(2, 6))
            chosen = rng.sample(items, k)
            if kind == "ol":
                text = "\n".join(f"{i + 1}. {t}" for i, t in enumerate(chosen))
            else:
                text = "\n".join(f"- {t}" for t in chosen)
            return text, sum(len(t.split()) for t in chosen)
        # A prose paragraph: some sentences of the drawn block, the rest recombined.
        n = rng.randint(2, 6)
        own = [x for x in items if not x.endswith(":")]
        sents: list[str] = []
        for i in range(n):
            if i < len(own) and rng.random() < 0.6:
                s = own[i]
                if rng.random() < 0.12:
                    s = compound(rng, self.p.words, s)
            else:
                s = self._sentence(themas)
            if s not in sents:
                sents.append(s)
        if gemeente and rng.random() < 0.25:
            sents.insert(rng.randrange(len(sents) + 1), f"Dat gold ook in {gemeente}.")
        text = " ".join(sents)
        return text, len(text.split())

    def dossier(self, i: int, restricted: float) -> tuple[str, str]:
        rng = self.rng
        regio = REGIONS[i % len(REGIONS)] if rng.random() < 0.8 else rng.choice(REGIONS)
        themas = rng.sample(self.thema_slugs, rng.choice([1, 1, 2, 2, 2, 3, 3, 4]))
        typ = "leerdossier" if rng.random() < 0.55 else "praktijk"
        gem_pool = GEMEENTEN[regio] or [g for gs in GEMEENTEN.values() for g in gs]
        gemeenten = rng.sample(gem_pool, rng.choice([0, 1, 1, 1, 2, 3]))
        g_title = gemeenten[0] if gemeenten else ("Nederland" if regio == "landelijk" else rng.choice(gem_pool))
        tref_pool = self.p.trefwoorden.get(themas[0]) or self.p.trefwoorden["*"]
        x = rng.choice(tref_pool + [self.p.themas[t].lower() for t in themas])
        titel = rng.choice(TITLE_TEMPLATES).format(x=x, X=x[:1].upper() + x[1:], g=g_title)[:160]
        slug = re.sub(r"[^a-z0-9]+", "-", titel.lower().translate(FOLD)).strip("-")[:60].strip("-")
        slug = f"{slug}-{i}"
        # Samenvatting: 1-3 sentences, 20-600 characters.
        spool = self.p.samenvatting.get(themas[0]) or self.p.samenvatting["*"]
        summ = ""
        for _ in range(rng.randint(1, 3)):
            s = rng.choice(spool)
            if len(summ) + len(s) + 1 > 600:
                break
            summ = f"{summ} {s}".strip()
        if len(summ) < 20:
            summ = f"{titel}: een aanpak uit de praktijk van de regio."[:600]
        partners = sorted(rng.sample(PARTNERS, rng.randint(1, 5)), key=PARTNERS.index)
        instr = sorted(rng.sample(INSTRUMENTEN, rng.randint(1, 3)), key=INSTRUMENTEN.index)
        tref = list(dict.fromkeys(rng.sample(tref_pool, min(len(tref_pool), rng.randint(2, 8)))))
        year = rng.randint(2012, 2024)
        start = f"{year}-{rng.randint(1, 12):02d}" if rng.random() < 0.6 else str(year)
        status = rng.choice(STATUS)
        toegang = "openbaar"
        if restricted and rng.random() < restricted:
            toegang = "netwerk" if rng.random() < 0.5 else "regio"
        nles = rng.randint(1, 4) if typ == "leerdossier" else rng.randint(0, 2)
        lessen = rng.sample(self.p.lessen, nles)

        q = lambda s: '"' + s + '"'  # noqa: E731  (inputs are yaml_safe)
        fm = [
            "---",
            f"titel: {q(titel.replace(chr(34), ''))}",
            f"type: {typ}",
            f"regio: {regio}",
            f"themas: [{', '.join(themas)}]",
            f"samenvatting: {q(summ)}",
            f"toegang: {toegang}",
            f"partners: [{', '.join(partners)}]",
            f"instrumenten: [{', '.join(instr)}]",
            f"status: {status}",
            f"start: {start}",
        ]
        if status in ("afgerond", "gestopt"):
            fm.append(f"eind: {min(2026, year + rng.randint(1, 4))}")
        if gemeenten:
            fm.append("gemeenten: [" + ", ".join(q(g) for g in gemeenten) + "]")
        if tref:
            fm.append("trefwoorden: [" + ", ".join(q(t) for t in tref) + "]")
        if lessen:
            fm.append("lessen:")
            for u, les in lessen:
                fm.append(f"  - uitdaging: {u}")
                fm.append(f"    les: {q(les)}")
        fm.append("---")

        headings = LEERDOSSIER_HEADINGS if typ == "leerdossier" else PRAKTIJK_HEADINGS
        target = int(rng.triangular(300, 1500, 650))
        sections: list[list[str]] = [[] for _ in headings]
        words = 0
        # Every section gets one paragraph, then paragraphs go to random sections.
        order = list(range(len(headings)))
        while words < target:
            si = order.pop(0) if order else rng.randrange(len(headings))
            text, n = self._paragraph(headings[si], themas, rng.choice(gemeenten) if gemeenten else "")
            if words + n > 1500 and words >= 300:
                break
            sections[si].append(text)
            words += n
        body = []
        for h, paras in zip(headings, sections):
            if paras:
                body.append(f"## {h}\n\n" + "\n\n".join(paras))
        text = "\n".join(fm) + "\n\n" + "\n\n".join(body) + "\n"
        return f"dossiers/{regio}/{slug}.md", text


FOLD = str.maketrans("àáâäèéêëìíîïòóôöùúûüç'", "aaaaeeeeiiiioooouuuuc-")


def blob(out, data: bytes) -> None:
    out.write(b"data %d\n" % len(data))
    out.write(data)
    out.write(b"\n")


def run_fast_import(repo: Path, writer) -> None:
    proc = subprocess.Popen(
        ["git", "-C", str(repo), "fast-import", "--quiet", "--done"],
        stdin=subprocess.PIPE,
    )
    assert proc.stdin is not None
    try:
        writer(proc.stdin)
        proc.stdin.write(b"done\n")
    finally:
        proc.stdin.close()
    if proc.wait() != 0:
        sys.exit("gen_corpus: git fast-import failed")


def generate(args) -> None:
    content = Path(args.content)
    repo = Path(args.repo)
    if repo.exists():
        shutil.rmtree(repo)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(repo)], check=True)
    t0 = time.time()
    pools = Pools(content)
    gen = Generator(pools, args.seed)
    stats = {"words": 0, "bytes": 0}
    when = int(time.time())

    def writer(out):
        out.write(b"commit refs/heads/main\n")
        out.write(b"committer Bench <bench@tegenkracht.invalid> %d +0000\n" % when)
        blob(out, f"Synthetic corpus: {args.n} dossiers (seed {args.seed})".encode())
        for f in ["vocabulaire.yaml", *(f"themas/{p.name}" for p in sorted((content / "themas").glob("*.md")))]:
            data = (content / f).read_bytes()
            out.write(f"M 100644 inline {f}\n".encode())
            blob(out, data)
        for i in range(args.n):
            path, text = gen.dossier(i, args.restricted)
            data = text.encode("utf-8")
            stats["bytes"] += len(data)
            stats["words"] += len(text.split())
            out.write(f"M 100644 inline {path}\n".encode())
            blob(out, data)
            if args.progress and (i + 1) % 10000 == 0:
                print(f"  {i + 1} dossiers, {time.time() - t0:.0f} s", file=sys.stderr)

    run_fast_import(repo, writer)
    dt = time.time() - t0
    print(
        f"gen_corpus: {args.n} dossiers, {stats['bytes'] / 1e6:.1f} MB, "
        f"{stats['words'] / max(1, args.n):.0f} words/dossier (front matter included), {dt:.1f} s -> {repo}"
    )


def touch(args) -> None:
    repo = Path(args.repo)
    old = subprocess.run(
        ["git", "-C", str(repo), "show", f"main:{args.path}"], check=True, capture_output=True
    ).stdout
    new = old.rstrip(b"\n") + f"\n\nBijgewerkt: {args.stamp}.\n".encode()

    def writer(out):
        out.write(b"commit refs/heads/main\n")
        out.write(b"committer Bench <bench@tegenkracht.invalid> %d +0000\n" % int(time.time()))
        blob(out, f"bench: update {args.path}".encode())
        out.write(b"from refs/heads/main^0\n")
        out.write(f"M 100644 inline {args.path}\n".encode())
        blob(out, new)

    run_fast_import(repo, writer)


def main() -> None:
    here = Path(__file__).resolve().parent
    if len(sys.argv) > 1 and sys.argv[1] == "touch":
        ap = argparse.ArgumentParser(prog="gen_corpus.py touch")
        ap.add_argument("repo")
        ap.add_argument("path")
        ap.add_argument("--stamp", default=str(time.time_ns()))
        touch(ap.parse_args(sys.argv[2:]))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("repo")
    ap.add_argument("--content", default=str(here.parent.parent / "content"))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--restricted", type=float, default=0.0)
    ap.add_argument("--progress", action="store_true")
    generate(ap.parse_args())


if __name__ == "__main__":
    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    main()
