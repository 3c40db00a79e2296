#!/usr/bin/env bash
# `npm test` (or `npm start`) on a bare Debian machine, as the README promises: a Debian minbase
# root file system (debootstrap) with only Debian's nodejs, npm and git added, a fresh clone of this
# repository's HEAD in it, and the command run there, so whatever the commands install for
# themselves (Node 22, the dependencies, build tools, chromium, tmux, ...) really gets installed.
#
#   test/bare-machine/run.sh test            npm test, as root (tests needing a tool it cannot install skip)
#   test/bare-machine/run.sh ci              .ci/run (CI=true: nothing may skip), as root
#   test/bare-machine/run.sh start           npm start as a normal user (no root, no sudo), until it serves
#
# Needs root and debootstrap (apt-get install debootstrap). Everything stays under $KT_BARE_DIR
# (default .bare-machine/); mounts live in a private mount namespace and every process in a pid
# namespace, so both end with the run. The npm registry is the one `npm config get registry` names here.
set -euo pipefail
mode=${1:-test}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${KT_BARE_DIR:-$repo/.bare-machine}
rootfs=$work/rootfs
registry=$(npm config get registry)

# The host's Debian mirror and release, so the machine is what this host would be when new.
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}")
mirror=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -oE '^(URIs:|deb) +[a-z]+://[^ ]+' | grep -v security | head -n 1 | awk '{print $2}' || true)
[ -n "$mirror" ] || { echo "no Debian mirror in /etc/apt sources" >&2; exit 2; }

in_machine() { # runs $1 (a bash script) in the machine, as root
  unshare --mount --propagation private --pid --fork --kill-child bash -euo pipefail -c '
    mount --bind "$0" "$0" # a mount point, as a real root is: unshare --propagation private needs one
    mount -t proc proc "$0/proc"
    mount --rbind /dev "$0/dev"
    mount --rbind /sys "$0/sys"
    mount -t tmpfs tmpfs "$0/tmp"
    exec chroot "$0" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=/root LANG=C.UTF-8 npm_config_registry="$1" DEBIAN_FRONTEND=noninteractive \
      NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt npm_config_cafile=/etc/ssl/certs/ca-certificates.crt \
      bash -euo pipefail -c "$2"
  ' "$rootfs" "$registry" "$1"
}

started=$(date +%s)
if [ ! -x "$rootfs/usr/bin/npm" ]; then
  rm -rf "$rootfs"
  mkdir -p "$work"
  echo "[bare-machine] debootstrap $suite (minbase) from $mirror" >&2
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  in_machine 'apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm git ca-certificates >/dev/null'
fi
in_machine 'id developer >/dev/null 2>&1 || useradd --create-home --shell /bin/bash developer'
# The network's trust, not a tool: this host reaches the registry through the CAs it trusts (an
# egress proxy's, here), and Node and npm are pointed at that bundle (NODE_EXTRA_CA_CERTS above).
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
# What Debian's installer writes and debootstrap does not: localhost must resolve.
[ -s "$rootfs/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$rootfs/etc/hosts"
echo "[bare-machine] machine ready in $(( $(date +%s) - started )) s: $(in_machine 'node --version; npm --version' | tr '\n' ' ')" >&2

rm -rf "$rootfs/home/developer/kube-troubleshoot"
git clone --quiet "$repo" "$rootfs/home/developer/kube-troubleshoot"

started=$(date +%s)
case "$mode" in
  test)
    # As a developer on a fresh machine runs it: what cannot be had here (kubectl: Debian's is 1.20)
    # skips with its reason.
    in_machine 'cd /home/developer/kube-troubleshoot && npm test'
    ;;
  ci)
    in_machine 'cd /home/developer/kube-troubleshoot && bash .ci/run'
    ;;
  start)
    # A Backstage developer's laptop: a compiler and openssl, but no root, no sudo, no chromium.
    in_machine 'apt-get install -y -qq --no-install-recommends python3 make g++ openssl procps >/dev/null'
    in_machine 'chown -R developer: /home/developer/kube-troubleshoot'
    cp "$repo/test/bare-machine/start-check.sh" "$rootfs/home/developer/start-check.sh"
    in_machine "su developer -c 'npm_config_registry=$registry bash /home/developer/start-check.sh'"
    ;;
  *) echo "usage: $0 test|ci|start" >&2; exit 2 ;;
esac
echo "[bare-machine] npm $mode done in $(( $(date +%s) - started )) s" >&2
