#!/usr/bin/env bash
# Builds sekisho's container image without a container engine (no docker
# or podman needed), as packaging/container/Containerfile describes it:
#   scripts/build-image.sh [OUTDIR]  ->  OUTDIR/sekisho-image/  (OCI image layout)
#                                        OUTDIR/sekisho-image.tar (the same, oci-archive)
# The binary is built static (CGO_ENABLED=0) as in the Containerfile's
# build stage, the configuration is the example with the same edits
# (front ends on 0.0.0.0, data_dir = /var/lib/sekisho); scripts/oci-image
# assembles the layers and takes ENTRYPOINT, CMD, USER, EXPOSE and VOLUME
# from the Containerfile. Load with `podman load -i OUTDIR/sekisho-image.tar`
# or push with `skopeo copy oci-archive:OUTDIR/sekisho-image.tar docker://...`.
# SEKISHO_VERSION sets the version (default: git describe); SEKISHO_BIN=path
# packages an already built static binary instead (tests); GOARCH
# cross-builds.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
mkdir -p "$out"; out="$(cd "$out" && pwd)"
ver="${SEKISHO_VERSION:-$(git describe --tags --always 2>/dev/null || echo 0.1.0)}"
ver="${ver#v}"
arch="$(go env GOARCH)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
if [ -n "${SEKISHO_BIN:-}" ]; then
  cp "$SEKISHO_BIN" "$work/sekisho"
else
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$ver" -o "$work/sekisho" ./cmd/sekisho
fi
# The same edits as the Containerfile's build stage.
sed -e 's|^listen = "127.0.0.1:|listen = "0.0.0.0:|' \
    -e 's|^# data_dir = "/var/lib/sekisho"|data_dir = "/var/lib/sekisho"|' docs/sekisho.example.toml > "$work/sekisho.toml"
grep -q '^data_dir = "/var/lib/sekisho"' "$work/sekisho.toml"
# With GOARCH set, oci-image itself still runs on the build machine.
GOARCH= go run ./scripts/oci-image -containerfile packaging/container/Containerfile \
  -out "$out/sekisho-image" -tag "sekisho:$ver" -arch "$arch" \
  -add "$work/sekisho=/usr/bin/sekisho:0755" \
  -add "$work/sekisho.toml=/etc/sekisho/sekisho.toml:0644" \
  -dir "/var/lib/sekisho:0755:65532:65532" \
  -dir "/etc/sekisho:0755"
