#!/usr/bin/env bash
# How a worker ends a FastCGI request, seen from the server's side of its
# socket (tests/e2e/fcgi_client.py speaks FastCGI as lighttpd or Apache
# would).  On a Unix socket a worker closes at once when the whole
# request is in; what a client announced but has not sent must never
# keep its answer back, or hold the worker that every other request to
# the program waits for.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/fcgi_close"
rm -rf "$OUT" && mkdir -p "$OUT"

start_instance
SOCK="$INSTANCE/run/ssl.sock-0"
check "the ssl worker's socket is there" test -S "$SOCK"

# ask NAME METHOD CONTENT_LENGTH STDIN: the answer in $OUT/NAME.
ask() {
	python3 "$ROOT/tests/e2e/fcgi_client.py" "$SOCK" "$2" /customer/demo/ssl \
	    "$3" "$4" 5 > "$OUT/$1" 2>&1
}

ask get GET 0 end
check_eq "a GET with its input ended: 200, complete" \
    "Status: 200 OK complete" "$(tr '\n' ' ' < "$OUT/get" | sed 's/ $//')"
ask post POST 10 "csrf=x&a=b"
check_eq "a POST with its body, read: answered (405, the menu is GET only), complete" \
    "Status: 405 Method Not Allowed complete" "$(tr '\n' ' ' < "$OUT/post" | sed 's/ $//')"

# The body is announced and never comes: the worker refuses it without
# reading it, and its answer must go out now, not when input arrives.
ask big POST 100000 none
check_eq "an oversized body that never comes: 413 at once, complete" \
    "Status: 413 Content Too Large complete" "$(tr '\n' ' ' < "$OUT/big" | sed 's/ $//')"
ask getbody GET 5 none
check_eq "a GET announcing a body it never sends: 200 at once, complete" \
    "Status: 200 OK complete" "$(tr '\n' ' ' < "$OUT/getbody" | sed 's/ $//')"
ask noend GET 0 none
check_eq "a GET whose input never ends: answered all the same" \
    "Status: 200 OK complete" "$(tr '\n' ' ' < "$OUT/noend" | sed 's/ $//')"

# Through lighttpd the worker is still there and serves the next request.
check_eq "the program still serves through lighttpd" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/ssl")"
finish
