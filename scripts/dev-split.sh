#!/usr/bin/env bash
# Fixed split of the phishing development set (../shared/data, CC BY-NC:
# never commit it). A message goes to train when the first hex digit of
# sha256(file name) is 0-7, to test otherwise; the split never changes, so
# figures on test are on messages no rule or weight was written from.
#
#   scripts/dev-split.sh ARCHIVE.tar.xz OUTDIR   # OUTDIR/{train,test}/*.eml
set -euo pipefail
archive=${1:?archive}; out=${2:?outdir}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tar -xJf "$archive" -C "$tmp"
mkdir -p "$out/train" "$out/test"
for f in "$tmp"/phishing-dev/*.eml; do
  b=$(basename "$f")
  case $(printf %s "$b" | sha256sum | cut -c1) in
    [0-7]) cp "$f" "$out/train/$b" ;;
    *) cp "$f" "$out/test/$b" ;;
  esac
done
echo "dev-split: train $(ls "$out/train" | wc -l), test $(ls "$out/test" | wc -l)"
