#!/usr/bin/env bash
# Checks deploy/tegenkracht.service with systemd-analyze: the unit must
# verify without a single warning, and systemd's exposure score for its
# sandbox (0.0-10.0, lower is safer) must stay at or below THRESHOLD, given
# in tenths (default 20, that is 2.0).
#
#   deploy/verify-systemd.sh target/release/tegenkracht
#
# `systemd-analyze verify` insists that ExecStart's binary exists, so the
# check runs on a copy of the unit whose ExecStart points at the binary
# given here instead of /usr/local/bin/tegenkracht. Installs Debian's
# systemd package (for systemd-analyze only; nothing is started) when the
# tool is missing and this runs as root.
set -euo pipefail

usage() { echo "usage: $0 PATH/TO/tegenkracht" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
[[ -x $1 && -f $1 ]] || { echo "$0: $1 is not an executable file" >&2; exit 2; }
bin=$(realpath "$1")
unit="$(dirname "$0")/tegenkracht.service"
threshold=${THRESHOLD:-20}

if ! command -v systemd-analyze >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing systemd (for systemd-analyze)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null
  else
    echo "$0: systemd-analyze is missing (Debian: apt-get install systemd)" >&2
    exit 1
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
expected='ExecStart=/usr/local/bin/tegenkracht serve --config /etc/tegenkracht/tegenkracht.toml'
if [[ $(grep -c '^ExecStart=' "$unit") -ne 1 ]] || ! grep -qxF "$expected" "$unit"; then
  echo "$0: $unit must have exactly one line: $expected" >&2
  exit 1
fi
# The copy keeps the unit's name: verify derives the unit type from it.
sed "s|^ExecStart=/usr/local/bin/tegenkracht |ExecStart=${bin//|/\\|} |" "$unit" >"$work/tegenkracht.service"

echo "== systemd-analyze verify"
status=0
out=$(systemd-analyze verify --man=no "$work/tegenkracht.service" 2>&1) || status=$?
if [[ $status -ne 0 || -n $out ]]; then
  # Warnings (an unknown key is one) do not change verify's exit code.
  printf '%s\n' "$out" >&2
  echo "$0: $unit does not verify cleanly (exit $status)" >&2
  exit 1
fi
echo "ok"

echo "== systemd-analyze security (exposure at most $threshold tenths)"
if ! systemd-analyze security --offline=yes --threshold="$threshold" --no-pager "$work/tegenkracht.service" >"$work/security.txt" 2>&1; then
  cat "$work/security.txt" >&2
  echo "$0: exposure above $threshold tenths" >&2
  exit 1
fi
tail -n 1 "$work/security.txt"
