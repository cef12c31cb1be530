#!/usr/bin/env bash
# Debian packages skiff's testbed and tests need. Idempotent; run as root.
# `npm run testbed -- up` calls it on every run: when nothing is missing it only asks dpkg.
#   docker.io        each testbed host's Docker engine (dockerd, containerd, runc)
#   openssh-server   each testbed host's sshd; openssh-client: ssh-keygen, ssh (and the unit
#                    tests' SSH-signed commits)
#   gnupg            gpg: the unit tests' OpenPGP keys and OpenPGP-signed commits
#   busybox-static   the offline test images are built from its static binary
#   docker-registry  the testbed's image registry
#   iptables, iproute2, util-linux (nsenter, unshare): namespaces, bridge, rules
#   git              git-http-backend for the e2e git server; wrk for load tests
#   chromium         the dashboard's browser tests (headless, driven by playwright-core)
set -euo pipefail
PKGS=(docker.io openssh-server openssh-client busybox-static docker-registry iptables iproute2 util-linux git wrk gnupg chromium)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run this script as root to install them)" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
