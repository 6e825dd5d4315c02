#!/usr/bin/env bash
# Runs every sekisho test on a fresh Debian machine: installs the real
# peers the integration tests talk to (listed in .ci/apt/*.txt), unpacks
# the SpamAssassin public corpus for the accuracy tests, then go vet and
# go test. Usage: scripts/test.sh [go test flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/sbin"

# 1. Debian packages the tests need (one file per area, one package a line).
pkgs=$(cat .ci/apt/*.txt 2>/dev/null | sed 's/#.*//' | tr -s ' \n' '\n' | sort -u | grep -v '^$' || true)
missing=()
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Services some packages start on install are not ours: tests start their own.
  for s in postfix redis-server postgresql clamav-daemon clamav-freshclam rspamd spamd spamassassin; do
    $SUDO systemctl stop "$s" >/dev/null 2>&1 || $SUDO service "$s" stop >/dev/null 2>&1 || true
  done
fi

# 2. The SpamAssassin public corpus (fixed split) for accuracy tests:
#    scripts/sa-corpus.sh unpacks it with npm and python3 (both in
#    .ci/apt/corpus.txt, installed above). When it cannot (no network),
#    the corpus tests say so and skip — or fail in CI.
export SEKISHO_CORPUS="${SEKISHO_CORPUS:-${XDG_CACHE_HOME:-$HOME/.cache}/sekisho/sa-corpus}"
if [ ! -d "$SEKISHO_CORPUS/test/ham" ]; then
  if ! command -v npm >/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null ||
      echo "test.sh: could not install npm"
  fi
  if command -v npm >/dev/null && command -v python3 >/dev/null; then
    bash scripts/sa-corpus.sh "$SEKISHO_CORPUS" || echo "test.sh: corpus not available; corpus tests will skip (fail in CI)"
  else
    echo "test.sh: npm or python3 missing; corpus tests will skip (fail in CI)"
  fi
fi

# 3. In CI every real peer must be there: a missing one fails instead of skipping.
if [ "${CI:-}" = "true" ]; then export SEKISHO_REQUIRE_PEERS=1; fi

go vet ./...
go test -count=1 -timeout 60m "$@" ./...
