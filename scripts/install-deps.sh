#!/usr/bin/env bash
# Debian packages skiff's testbed and tests need. Idempotent; run as root.
set -euo pipefail
PKGS=(docker.io openssh-server busybox-static docker-registry iptables iproute2 git wrk)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
