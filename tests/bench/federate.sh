#!/usr/bin/env bash
# Splits a generated corpus (gen_corpus.py) into a federation: one branch per
# group of regions in the same repository (part1 also holds the vocabulary
# and the themas), and prints a configuration with one source per branch.
# A single source may hold at most 250,000 files (`source::MAX_FILES`), so
# the 1,000,000-dossier run in docs/benchmarks.md is served this way.
#
#   tests/bench/federate.sh REPO DATA_DIR [REGIONS_PER_SOURCE] > tegenkracht.toml
set -euo pipefail
REPO="$1" DATA="$2" PER="${3:-2}"
git -C "$REPO" rev-parse --verify -q main >/dev/null || { echo "no branch main in $REPO" >&2; exit 2; }
mapfile -t REGIONS < <(git -C "$REPO" ls-tree main:dossiers | awk -F'\t' '{print $2}')
printf 'data_dir = "%s"\npoll_interval = "1h"\n' "$DATA"
part=0
for ((i = 0; i < ${#REGIONS[@]}; i += PER)); do
  part=$((part + 1))
  group=("${REGIONS[@]:i:PER}")
  dossiers=$(for r in "${group[@]}"; do git -C "$REPO" ls-tree main:dossiers | awk -F'\t' -v r="$r" '$2 == r'; done | git -C "$REPO" mktree)
  if [ "$part" = 1 ]; then
    root=$( (git -C "$REPO" ls-tree main | awk -F'\t' '$2 != "dossiers"'; printf '040000 tree %s\tdossiers\n' "$dossiers") | git -C "$REPO" mktree)
    regions='["*"]'
  else
    root=$(printf '040000 tree %s\tdossiers\n' "$dossiers" | git -C "$REPO" mktree)
    regions="[$(printf '"%s", ' "${group[@]}" | sed 's/, $//')]"
  fi
  commit=$(GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.org GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.org \
    git -C "$REPO" commit-tree "$root" -m "part $part: ${group[*]}")
  git -C "$REPO" update-ref "refs/heads/part$part" "$commit"
  printf '\n[[source]]\nname = "part%s"\nurl = "%s"\nbranch = "part%s"\nregions = %s\nwebhook_secret_env = "TK_BENCH_HOOK"\n' \
    "$part" "$REPO" "$part" "$regions"
done
