#!/bin/bash
# Readiness check for one memcached pod used by memquorum.
#
# Ready when this pod's own memcached holds memquorum's completeness marker, the item
# "<key prefix>#m:complete" that an application instance writes once it has refilled the
# node from its peers, and that marker was written for this very memcached process: it
# names the process id and start time that memcached's own "stats" report now. A
# restarted pod starts empty, without the marker, so it stays not ready until the refill
# finished; a StatefulSet rolling update waits for that before it restarts the next pod.
# A marker copied from a peer, or left from a previous life of the process, names another
# process and does not count.
#
# With MEMQUORUM_MARKER_KEY set, only a marker the application signed counts: the
# script checks the marker's HMAC-SHA256 with openssl, so a marker planted by anyone who
# can write to memcached but does not hold the application's signing keys does not make
# the pod ready. The key is derived from the application's first memquorum.signing.keys
# secret; it can check and sign markers only, never entries or sessions. Print it with:
#   printf '%s' "$SECRET" | bash memquorum-ready.sh derive-marker-key
# Without MEMQUORUM_MARKER_KEY, anyone who can write to this memcached can make the pod
# look ready; run memcached with -Y (an auth file) so that only the application can.
#
# Settings (environment):
#   MEMQUORUM_KEY_PREFIX  the application's memquorum.key-prefix (default: empty)
#   MEMQUORUM_MARKER_KEY  64 hex digits from derive-marker-key (default: unset, see above)
#   MEMCACHED_USERNAME    with MEMCACHED_PASSWORD: the login of a memcached started with -Y
#   MEMCACHED_PASSWORD
#   MEMCACHED_HOST        default 127.0.0.1
#   MEMCACHED_PORT        default 11211
#   READY_TIMEOUT_SECONDS how long to wait for each answer (default 2)
#
# Needs bash (for /dev/tcp), and openssl only when MEMQUORUM_MARKER_KEY is set.
# Exit 0 when ready, 1 otherwise.
set -u
# The marker's words are split below; none of memcached's bytes may expand to file names.
set -f

if [ "${1:-}" = "derive-marker-key" ]; then
  # HKDF-SHA256 (RFC 5869) of the secret, as memquorum's SigningKeys.derive does.
  IFS= read -r secret || true
  secret="$(printf '%s' "$secret" | tr -d ' \r\n' | tr '_-' '/+')"
  while [ $(( ${#secret} % 4 )) -ne 0 ]; do secret="${secret}="; done
  hex="$(printf '%s' "$secret" | base64 -d 2>/dev/null | od -An -tx1 | tr -d ' \n')"
  if [ ${#hex} -lt 64 ]; then
    echo "the secret must be base64 of at least 32 bytes, as in memquorum.signing.keys" >&2
    exit 1
  fi
  openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt "hexkey:${hex}" \
    -kdfopt "salt:memquorum signing keys v1" -kdfopt "info:memquorum refill marker v1" -binary HKDF \
    | od -An -tx1 | tr -d ' \n'
  echo
  exit 0
fi

prefix="${MEMQUORUM_KEY_PREFIX:-}"
marker_key="${MEMQUORUM_MARKER_KEY:-}"
user="${MEMCACHED_USERNAME:-}"
password="${MEMCACHED_PASSWORD:-}"
host="${MEMCACHED_HOST:-127.0.0.1}"
port="${MEMCACHED_PORT:-11211}"
wait_seconds="${READY_TIMEOUT_SECONDS:-2}"

case "$prefix" in
  *[!!-~]*)
    echo "MEMQUORUM_KEY_PREFIX must be printable ASCII without spaces" >&2
    exit 1
    ;;
esac
case "$marker_key" in
  "") ;;
  *[!0-9a-f]*)
    echo "MEMQUORUM_MARKER_KEY must be 64 lowercase hex digits (see derive-marker-key)" >&2
    exit 1
    ;;
esac
if [ -n "$marker_key" ] && [ ${#marker_key} -ne 64 ]; then
  echo "MEMQUORUM_MARKER_KEY must be 64 lowercase hex digits (see derive-marker-key)" >&2
  exit 1
fi

key="${prefix}#m:complete"
if ! exec 3<>"/dev/tcp/${host}/${port}"; then
  echo "memcached at ${host}:${port} does not accept connections" >&2
  exit 1
fi

# Read one line of at most 1024 characters, without its \r: memcached's bytes are not
# trusted.
next_line() {
  if ! IFS= read -r -t "$wait_seconds" -n 1024 line <&3; then
    echo "memcached at ${host}:${port} did not answer within ${wait_seconds} s" >&2
    exit 1
  fi
  line="${line%$'\r'}"
}

if [ -n "$user" ]; then
  login="${user} ${password}"
  printf 'set memquorum-auth 0 0 %d\r\n%s\r\n' "${#login}" "$login" >&3
  next_line
  if [ "$line" != "STORED" ]; then
    echo "memcached at ${host}:${port} rejected the credentials of user '${user}'" >&2
    exit 1
  fi
fi

printf 'stats\r\nget %s\r\n' "$key" >&3
pid=""
time=""
uptime=""
for _ in $(seq 1 400); do
  next_line
  case "$line" in
    "STAT pid "*) pid="${line#STAT pid }" ;;
    "STAT time "*) time="${line#STAT time }" ;;
    "STAT uptime "*) uptime="${line#STAT uptime }" ;;
    END) break ;;
    STAT*) ;;
    *)
      echo "unexpected answer from memcached to stats" >&2
      exit 1
      ;;
  esac
done
# A number of 1 to 18 digits, so that arithmetic on it cannot fail or overflow.
is_number() {
  case "$1" in
    "" | *[!0-9]*) return 1 ;;
  esac
  [ ${#1} -le 18 ]
}
if ! is_number "$pid" || ! is_number "$time" || ! is_number "$uptime"; then
  echo "memcached at ${host}:${port} did not report its pid, time and uptime" >&2
  exit 1
fi
started=$(( 10#$time - 10#$uptime ))

next_line
case "$line" in
  "VALUE ${key} "*) ;;
  END)
    echo "not refilled yet: ${key} is missing" >&2
    exit 1
    ;;
  *)
    echo "unexpected answer from memcached" >&2
    exit 1
    ;;
esac
next_line
marker="$line"
exec 3>&-

body="$marker"
if [ -n "$marker_key" ]; then
  signature="${marker##* sig=}"
  body="${marker% sig=*}"
  if [ "$signature" = "$marker" ] || [ ${#signature} -ne 64 ]; then
    echo "the marker is not signed; not written by an application holding the signing keys" >&2
    exit 1
  fi
  if ! command -v openssl >/dev/null 2>&1; then
    echo "MEMQUORUM_MARKER_KEY is set but openssl is not installed" >&2
    exit 1
  fi
  expected="$(printf '%s %s' "$key" "$body" \
    | openssl dgst -sha256 -mac HMAC -macopt "hexkey:${marker_key}" -r | cut -d' ' -f1)"
  if [ "$expected" != "$signature" ]; then
    echo "the marker's signature does not verify; not written by this application" >&2
    exit 1
  fi
fi

marker_pid=""
marker_started=""
for field in $body; do
  case "$field" in
    pid=*) marker_pid="${field#pid=}" ;;
    started=*) marker_started="${field#started=}" ;;
  esac
done
if ! is_number "$marker_pid" || ! is_number "$marker_started"; then
  echo "the marker names no memcached process (written by an older memquorum?): not refilled yet" >&2
  exit 1
fi
drift=$(( 10#$marker_started - started ))
if [ "$(( 10#$marker_pid ))" != "$(( 10#$pid ))" ] || [ "$drift" -gt 2 ] || [ "$drift" -lt -2 ]; then
  echo "the marker was written for another memcached process (copied, or from before a restart)" >&2
  exit 1
fi
exit 0
