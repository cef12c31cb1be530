#!/bin/sh
# One HTTP request: nc forks this per connection, the socket on stdin and stdout.
#   GET /          -> "web <VERSION> <hostname>"
#   GET /version   -> "<VERSION>"
#   GET /healthz   -> 200 "ok", or 500 when HEALTHY=false or /tmp/unhealthy exists
#   GET /ready     -> 200 "ready", or 503 when READY=false or /tmp/unready exists
#   GET /burn?ms=N -> burns CPU for N ms (default 100, at most 60000), then answers
#   GET /env       -> the environment (a test image: it shows secrets on purpose)
# Builtins only on the hot paths (read, printf, test): a fork per request is enough.

respond() {
  printf 'HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$1" "${#2}" "$2"
  exit 0
}

IFS= read -r -t 10 request || exit 0
# Drain the headers: closing with unread input would reset the connection under the client.
while IFS= read -r -t 10 header; do
  [ ${#header} -le 1 ] && break
done
set -f
set -- $request
target=${2:-/}
path=${target%%\?*}
query=
case $target in *\?*) query=${target#*\?} ;; esac
nl='
'

case $path in
/)
  read -r host </proc/sys/kernel/hostname
  respond '200 OK' "web $VERSION $host$nl"
  ;;
/version)
  respond '200 OK' "$VERSION$nl"
  ;;
/healthz)
  if [ "$HEALTHY" = false ] || [ -e /tmp/unhealthy ]; then respond '500 Internal Server Error' "unhealthy$nl"; fi
  respond '200 OK' "ok$nl"
  ;;
/ready)
  if [ "$READY" = false ] || [ -e /tmp/unready ]; then respond '503 Service Unavailable' "not ready$nl"; fi
  respond '200 OK' "ready$nl"
  ;;
/burn)
  ms=100
  case "&$query" in *'&ms='*) ms=${query#*ms=}; ms=${ms%%&*} ;; esac
  case $ms in '' | *[!0-9]*) respond '400 Bad Request' "ms must be a number of milliseconds$nl" ;; esac
  [ "$ms" -gt 60000 ] && ms=60000
  # /proc/uptime counts hundredths of a second; spin on it until the time is up.
  read -r up _ </proc/uptime
  end=$((${up%.*}${up#*.} + (ms + 9) / 10))
  spins=0
  while :; do
    read -r up _ </proc/uptime
    [ "${up%.*}${up#*.}" -ge "$end" ] && break
    spins=$((spins + 1))
  done
  respond '200 OK' "burned ${ms}ms ($spins spins)$nl"
  ;;
/env)
  respond '200 OK' "$(env)$nl"
  ;;
*)
  respond '404 Not Found' "not found: $path$nl"
  ;;
esac
