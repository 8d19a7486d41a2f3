#!/bin/sh
# Builds busybox's nc as Alpine configures it (main/busybox/busyboxconfig: CONFIG_NC, NC_SERVER,
# NC_EXTRA, NC_110_COMPAT, FEATURE_IPV6), so test/kind/netcat.test.ts can run the suite's nc
# command forms against the nc a multitool pod really has. No network: pass a busybox source
# tree (e.g. a checkout of tag 1_36_1, the release of Alpine 3.19/3.20).
#   usage: build-alpine-nc.sh <busybox-source-dir> [<out-dir>]   (default out: /var/cache/podnet-e2e/busybox-nc110)
# Then: PODNET_NC110_BUSYBOX=<out-dir>/busybox (or leave it in the default place).
set -eu
src=${1:?usage: build-alpine-nc.sh <busybox-source-dir> [<out-dir>]}
out=${2:-/var/cache/podnet-e2e/busybox-nc110}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$src/." "$work/"
cd "$work"
make allnoconfig >/dev/null
for option in NC NC_SERVER NC_EXTRA NC_110_COMPAT FEATURE_IPV6 LONG_OPTS SHOW_USAGE FEATURE_VERBOSE_USAGE; do
  sed -i "s/^# CONFIG_${option} is not set/CONFIG_${option}=y/" .config
done
yes "" | make oldconfig >/dev/null
grep -q '^CONFIG_NC_110_COMPAT=y' .config
make -j"$(nproc)" busybox >/dev/null
mkdir -p "$out"
install -m 0755 busybox "$out/busybox"
"$out/busybox" nc --help 2>&1 | head -n 1
echo "built $out/busybox"
