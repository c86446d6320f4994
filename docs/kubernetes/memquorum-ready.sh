#!/bin/bash
# Readiness check for one memcached pod used by memquorum.
#
# Ready when this pod's own memcached holds memquorum's completeness marker, the item
# "<key prefix>#m:complete" that an application instance writes once it has refilled the
# node from its peers. A restarted pod starts empty, without the marker, so it stays not
# ready until the refill finished; a StatefulSet rolling update waits for that before it
# restarts the next pod.
#
# Settings (environment):
#   MEMQUORUM_KEY_PREFIX  the application's memquorum.key-prefix (default: empty)
#   MEMCACHED_HOST        default 127.0.0.1
#   MEMCACHED_PORT        default 11211
#   READY_TIMEOUT_SECONDS how long to wait for the answer (default 2)
#
# Needs bash (for /dev/tcp); no nc or other tool. Exit 0 when ready, 1 otherwise.
set -u

prefix="${MEMQUORUM_KEY_PREFIX:-}"
host="${MEMCACHED_HOST:-127.0.0.1}"
port="${MEMCACHED_PORT:-11211}"
wait_seconds="${READY_TIMEOUT_SECONDS:-2}"

case "$prefix" in
  *[!!-~]*)
    echo "MEMQUORUM_KEY_PREFIX must be printable ASCII without spaces" >&2
    exit 1
    ;;
esac

key="${prefix}#m:complete"
if ! exec 3<>"/dev/tcp/${host}/${port}"; then
  echo "memcached at ${host}:${port} does not accept connections" >&2
  exit 1
fi
printf 'get %s\r\n' "$key" >&3
# Read at most 512 characters of the first line: memcached's bytes are not trusted.
if ! IFS= read -r -t "$wait_seconds" -n 512 line <&3; then
  echo "memcached at ${host}:${port} did not answer within ${wait_seconds} s" >&2
  exit 1
fi
exec 3>&-
case "$line" in
  "VALUE ${key} "*)
    exit 0
    ;;
  END*)
    echo "not refilled yet: ${key} is missing" >&2
    exit 1
    ;;
  *)
    echo "unexpected answer from memcached" >&2
    exit 1
    ;;
esac
