#!/bin/sh
# skiff's test web app: the entrypoint of 10.213.0.1:5000/skiff/web:<version>.
# Environment: PORT (8080), VERSION (baked in from the image tag), HEALTHY=false, READY=false,
# STARTUP_DELAY (seconds before listening). Arguments of the form KEY=VALUE override the
# environment (`args: ["VERSION=9.9.9"]`); any other arguments run instead of the server.
if [ $# -gt 0 ]; then
  case $1 in
    *=*) for kv in "$@"; do export "$kv"; done ;;
    *) exec "$@" ;;
  esac
fi
PORT=${PORT:-8080}
export PORT VERSION

# PID 1 ignores signals it has no handler for: without these traps `docker stop` would wait
# for its timeout and then SIGKILL.
trap 'exit 0' TERM INT
if [ -n "${STARTUP_DELAY:-}" ] && [ "$STARTUP_DELAY" != 0 ]; then
  echo "web $VERSION starting in ${STARTUP_DELAY}s"
  sleep "$STARTUP_DELAY" &
  wait $!
fi

# busybox nc: `-l` given twice or more serves forever, forking one handler per connection;
# the count of `-l`s is also the listen backlog, so many short connections queue instead of
# being refused.
nc -llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll -p "$PORT" -e /app/handler.sh &
server=$!
trap 'kill $server 2>/dev/null; exit 0' TERM INT
echo "web $VERSION listening on :$PORT"
wait $server
