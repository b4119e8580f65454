#!/usr/bin/env bash
# Whom the guessing limit locks out behind a reverse proxy: X-Forwarded-For
# names the client only when the direct peer is listed in
# Web.TrustedProxies (here lighttpd's peer is curl on 127.0.0.1); without
# that, anyone could send the header and pick the address that is counted.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/proxy_throttle"
rm -rf "$OUT" && mkdir -p "$OUT"
start_instance
JAR="$OUT/cookies"

code_try() {	# name code xff -> HTTP status ("" xff: no header)
	local t h=()
	[ -z "$3" ] || h=(-H "X-Forwarded-For: $3")
	t=$(csrf_token "$JAR" "$BASE/ssl?action=enroll")
	curl -s -b "$JAR" -c "$JAR" -o "$OUT/$1.html" -w '%{http_code}' "${h[@]}" \
	    --data-urlencode "csrf=$t" --data-urlencode "accessCode=$2" \
	    --data-urlencode "email=bob@example.com" "$BASE/ssl?action=enroll"
}

# ten_wrong XFF: ten wrong access codes with that header.
ten_wrong() {
	local i
	for i in $(seq 1 10); do code_try wrong "guess-code-$i" "$1" > /dev/null; done
}

# restart_with LIST: serves again with Web.TrustedProxies = LIST and no counts.
restart_with() {
	instance_stop "$INSTANCE"
	sed -i '/^Web.TrustedProxies/d' "$INSTANCE/certdesk.hdf"
	echo "Web.TrustedProxies = $1" >> "$INSTANCE/certdesk.hdf"
	# The stopped workers may still hold the database for a moment.
	sqlite3 -cmd '.timeout 5000' "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
	rm -f "$JAR"
	instance_start "$INSTANCE" || instance_failed
	check_eq "served again with Web.TrustedProxies = $1, no counts" 0 \
	    "$(db_count 'SELECT COUNT(*) FROM throttle')"
}

# No trusted proxies (the default): the header is ignored, the peer counts.
ten_wrong 198.51.100.7
check_eq "no trusted proxies: the locked client is the peer" \
    "ssl-code|127.0.0.1|10" "$(db_count 'SELECT scope, key, failures FROM throttle')"
check_eq "... so another X-Forwarded-For does not get around the lock" \
    429 "$(code_try other demo-ssl-2026 198.51.100.8)"
check_eq "... nor does leaving the header out" 429 "$(code_try none demo-ssl-2026 '')"

# Proxies are listed, but the peer is not one of them: a spoofed header.
restart_with "192.0.2.1, 10.0.0.0/8, 2001:db8::/32"
ten_wrong 198.51.100.7
check_eq "peer not a trusted proxy: the header is ignored" \
    "ssl-code|127.0.0.1|10" "$(db_count 'SELECT scope, key, failures FROM throttle')"
check_eq "... and a fresh X-Forwarded-For is locked out too" \
    429 "$(code_try spoof demo-ssl-2026 198.51.100.8)"

# The peer is the trusted proxy: the client is the right-most untrusted address.
restart_with 127.0.0.1
ten_wrong 198.51.100.7
check_eq "behind a trusted proxy the client is counted, not the proxy" \
    "ssl-code|198.51.100.7|10" "$(db_count 'SELECT scope, key, failures FROM throttle')"
check_eq "ten wrong codes lock that client: 429" 429 "$(code_try locked demo-ssl-2026 198.51.100.7)"
check_grep "... with the throttle message" 'Too many|too many' "$OUT/locked.html"
check_eq "another client behind the same proxy is not locked" \
    200 "$(code_try other demo-ssl-2026 198.51.100.8)"
check_grep "... and gets the form" 'name="csr"' "$OUT/other.html"
check_eq "what the client writes left of its address is ignored" \
    429 "$(code_try left-spoof demo-ssl-2026 '203.0.113.66, 198.51.100.7')"
check_eq "a trusted hop right of the client is skipped" \
    429 "$(code_try hop demo-ssl-2026 '198.51.100.7, 127.0.0.1')"
check_eq "an IPv4-mapped form of the locked client is the same client" \
    429 "$(code_try mapped demo-ssl-2026 '::ffff:198.51.100.7')"
check_eq "a malformed entry falls back to the proxy, which is not locked" \
    200 "$(code_try garbled demo-ssl-2026 '198.51.100.7, unknown')"
check_eq "the proxy's own requests are not locked either" 200 "$(code_try proxy demo-ssl-2026 '')"
# lighttpd passes X-Forwarded-For and X_Forwarded_For under one variable
# name.  Were one of the two to count, the client would pick it by the
# order of the headers: with the locked address first or last, one of
# these two would be refused.  The name counts as absent: the proxy.
for order in "198.51.100.7 198.51.100.9" "198.51.100.9 198.51.100.7"; do
	set -- $order
	t=$(csrf_token "$JAR" "$BASE/ssl?action=enroll")
	check_eq "both spellings of X-Forwarded-For ($1 then $2): neither counts" 200 \
	    "$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' \
	    -H "X-Forwarded-For: $1" -H "X_Forwarded_For: $2" \
	    --data-urlencode "csrf=$t" --data-urlencode "accessCode=demo-ssl-2026" \
	    --data-urlencode "email=bob@example.com" "$BASE/ssl?action=enroll")"
done

# Setup A of apache-conf/lighttpd-certdesk.conf: lighttpd's mod_extforward
# rewrites REMOTE_ADDR (loaded after mod_fastcgi, as an included file
# would), and Web.TrustedProxies stays empty.
cat >> "$INSTANCE/lighttpd.conf" <<'EOT'
server.modules += ( "mod_extforward" )
extforward.headers = ( "X-Forwarded-For" )
extforward.forwarder = ( "127.0.0.0/8" => "trust" )
EOT
restart_with ""
ten_wrong 198.51.100.7
check_eq "mod_extforward: the client is counted" \
    "ssl-code|198.51.100.7|10" "$(db_count 'SELECT scope, key, failures FROM throttle')"
check_eq "... locked: 429" 429 "$(code_try ef-locked demo-ssl-2026 198.51.100.7)"
check_eq "... another client is not" 200 "$(code_try ef-other demo-ssl-2026 198.51.100.8)"

# A typo in the list stops a program at its start (lighttpd then refuses
# to come up at all) rather than trusting hosts nobody meant.
sed '/^Web.TrustedProxies/d' "$INSTANCE/certdesk.hdf" > "$OUT/bad.hdf"
echo 'Web.TrustedProxies = 127.0.0.1, 10.0.0.0/33' >> "$OUT/bad.hdf"
if CERTDESK_CONF="$OUT/bad.hdf" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
    SCRIPT_NAME=/customer/demo/ssl REMOTE_ADDR=127.0.0.1 \
    "$ROOT/build/cgi/ssl" < /dev/null > "$OUT/bad.out" 2> "$OUT/bad.err"; then rc=0; else rc=$?; fi
check "a bad Web.TrustedProxies stops the program (exit $rc)" test "$rc" -ne 0
check_grep "... and says why" '10.0.0.0/33" is not an address or network' "$OUT/bad.err"
check_nogrep "... without serving a page" 'name="accessCode"' "$OUT/bad.out"
finish
