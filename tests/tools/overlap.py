#!/usr/bin/env python3
"""Lists runs of eight words that a content file shares with a source text.

Usage: python3 tests/tools/overlap.py SOURCES_DIR [CONTENT_DIR]

SOURCES_DIR holds the source documents as plain text (*.txt); CONTENT_DIR
defaults to content/. Exits 1 when any run is found, so it can guard a
pull request; the starter content is kept at zero.
"""
import pathlib
import re
import sys

N = 8


def words(text):
    return re.findall(r"[a-zà-ÿ0-9]+", text.lower())


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sources = pathlib.Path(sys.argv[1])
    content = pathlib.Path(sys.argv[2] if len(sys.argv) == 3 else "content")
    seen = set()
    texts = sorted(sources.glob("*.txt"))
    if not texts:
        sys.exit(f"no *.txt files in {sources}")
    for f in texts:
        w = words(f.read_text(encoding="utf-8"))
        seen.update(tuple(w[i : i + N]) for i in range(len(w) - N + 1))
    found = 0
    for f in sorted(p for p in content.rglob("*") if p.suffix in (".md", ".yaml")):
        w = words(f.read_text(encoding="utf-8"))
        for i in range(len(w) - N + 1):
            if tuple(w[i : i + N]) in seen:
                found += 1
                print(f"{f}: {' '.join(w[i : i + N])}")
    print(f"{found} runs of {N} words shared with {len(texts)} source texts")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
