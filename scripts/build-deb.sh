#!/usr/bin/env bash
# Builds the Debian package of sekisho with dpkg-deb (no other tool):
#   scripts/build-deb.sh [OUTDIR]   ->  OUTDIR/sekisho_VERSION_ARCH.deb
# VERSION comes from SEKISHO_VERSION or `git describe`, ARCH from
# `go env GOARCH` (GOARCH=arm64 cross-builds). Contents:
#   /usr/bin/sekisho                       static binary (CGO_ENABLED=0)
#   /etc/sekisho/sekisho.toml              conffile: the commented example
#   /lib/systemd/system/sekisho.service    sandboxed unit (docs/deploy.md)
#   /usr/share/doc/sekisho/                deploy guide, Grafana dashboard
# SEKISHO_BIN=path packages an already built binary instead (tests);
# DEB_COMPRESSOR=gzip|xz|zstd|none picks dpkg-deb's compression (default xz).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
mkdir -p "$out"; out="$(cd "$out" && pwd)"
ver="${SEKISHO_VERSION:-$(git describe --tags --always 2>/dev/null || echo 0.1.0)}"
ver="${ver#v}"; case "$ver" in [0-9]*) ;; *) ver="0.0~git$ver" ;; esac
arch="$(go env GOARCH)"
root="$(mktemp -d)"; trap 'rm -rf "$root"' EXIT
install -d "$root/DEBIAN" "$root/usr/bin" "$root/etc/sekisho" "$root/lib/systemd/system" "$root/usr/share/doc/sekisho"
if [ -n "${SEKISHO_BIN:-}" ]; then
  install -m 0755 "$SEKISHO_BIN" "$root/usr/bin/sekisho"
else
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$ver" -o "$root/usr/bin/sekisho" ./cmd/sekisho
fi
# The package's data directory is set in its configuration: commands run
# by hand as the sekisho user (backup, user, quarantine) find it too.
sed 's|^# data_dir = "/var/lib/sekisho"|data_dir = "/var/lib/sekisho"|' docs/sekisho.example.toml > "$root/etc/sekisho/sekisho.toml"
grep -q '^data_dir = "/var/lib/sekisho"' "$root/etc/sekisho/sekisho.toml"
chmod 0644 "$root/etc/sekisho/sekisho.toml"
install -m 0644 packaging/systemd/sekisho.service "$root/lib/systemd/system/sekisho.service"
install -m 0644 docs/deploy.md docs/deploy.ja.md packaging/grafana/sekisho-dashboard.json "$root/usr/share/doc/sekisho/"
install -m 0755 packaging/debian/postinst packaging/debian/prerm "$root/DEBIAN/"
echo /etc/sekisho/sekisho.toml > "$root/DEBIAN/conffiles"
size=$(du -sk "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CTL
Package: sekisho
Version: $ver
Architecture: $arch
Maintainer: sekisho developers <sekisho@example.invalid>
Installed-Size: $size
Depends: adduser
Suggests: postfix | exim4 | sendmail, clamav-daemon, redis-server, postgresql
Section: mail
Priority: optional
Homepage: https://github.com/sekisho/sekisho
Description: email security gateway (spam, phishing, malware, BEC)
 sekisho scans mail for spam, phishing, malware, business email
 compromise and fraud. It sits in the mail flow as a milter, an SMTP
 gateway (before-queue proxy or standalone), or in place of Rspamd or
 spamd, and keeps a quarantine with a web console.
CTL
deb="$out/sekisho_${ver}_${arch}.deb"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSOR:-xz}" --build "$root" "$deb" >/dev/null
echo "$deb"
