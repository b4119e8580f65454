#!/usr/bin/env bash
# The foundation end to end: lighttpd + FastCGI ssl program, the menu,
# the access-code step, CSRF, throttling, 404s and security headers.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/ssl_step1"
rm -rf "$OUT" && mkdir -p "$OUT"

start_instance
JAR="$OUT/cookies"

# The menu: 200, valid HTML, the four methods, security headers.
curl -s -D "$OUT/menu.h" -o "$OUT/menu.html" "$BASE/ssl"
check_grep "menu answers 200" '^HTTP/1.1 200' "$OUT/menu.h"
check "menu is valid HTML (tidy)" tidy -q -errors "$OUT/menu.html"
for m in "Certificate enrollment" "Certificate renewal" "Certificate download" "Certificate revocation"; do
	check_grep "menu offers $m" "$m" "$OUT/menu.html"
done
check_grep "CSP without inline script" "^Content-Security-Policy: default-src 'none'; style-src 'self'" "$OUT/menu.h"
check_grep "X-Frame-Options DENY" '^X-Frame-Options: DENY' "$OUT/menu.h"
check_grep "Referrer-Policy no-referrer" '^Referrer-Policy: no-referrer' "$OUT/menu.h"
check_grep "Cache-Control no-store" '^Cache-Control: no-store' "$OUT/menu.h"
check_grep "nosniff" '^X-Content-Type-Options: nosniff' "$OUT/menu.h"

# Step 1 with the right code: the full form (step 2) follows.
tok=$(csrf_token "$JAR" "$BASE/ssl?action=enroll")
check "step 1 carries a CSRF token" test -n "$tok"
curl -s -b "$JAR" -o "$OUT/step1.html" -w '%{http_code}' \
    --data-urlencode "csrf=$tok" --data-urlencode accessCode=demo-ssl-2026 \
    --data-urlencode email=alice@example.com "$BASE/ssl?action=enroll" > "$OUT/code"
check_eq "right code: 200" 200 "$(cat "$OUT/code")"
check_grep "right code: step 2 form shown" 'name="csr"' "$OUT/step1.html"
check_grep "right code: profiles listed" 'SSL Multi-Domain' "$OUT/step1.html"
check "step 2 is valid HTML (tidy)" tidy -q -errors "$OUT/step1.html"
check_nogrep "access code not echoed into the page" 'demo-ssl-2026' "$OUT/step1.html"

# Wrong code, and a right code with a foreign email: the same generic error.
post_step1() {
	curl -s -b "$JAR" -o "$OUT/$1.html" -w '%{http_code}' \
	    --data-urlencode "csrf=$tok" --data-urlencode "accessCode=$2" \
	    --data-urlencode "email=$3" "$BASE/ssl?action=enroll"
}
code=$(post_step1 wrong not-the-code-1 bob@example.com)
check_eq "wrong code: 200 with a message" 200 "$code"
check_grep "wrong code: generic error" 'not valid for this form' "$OUT/wrong.html"
check_grep "wrong code: email kept" 'value="bob@example.com"' "$OUT/wrong.html"
check_nogrep "wrong code: no step 2" 'name="csr"' "$OUT/wrong.html"
code=$(post_step1 foreign demo-ssl-2026 eve@evil.example.org)
check_grep "foreign email domain: same generic error" 'not valid for this form' "$OUT/foreign.html"
check_nogrep "foreign email domain: no step 2" 'name="csr"' "$OUT/foreign.html"
check "error pages are valid HTML (tidy)" tidy -q -errors "$OUT/wrong.html"

# Missing or wrong CSRF token: 403, nothing checked.
code=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' --data-urlencode accessCode=demo-ssl-2026 \
    --data-urlencode email=alice@example.com "$BASE/ssl?action=enroll")
check_eq "missing CSRF token: 403" 403 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$tok" \
    --data-urlencode accessCode=demo-ssl-2026 --data-urlencode email=alice@example.com \
    "$BASE/ssl?action=enroll")
check_eq "token without its cookie: 403" 403 "$code"

# Throttling: 2 failures so far; 8 more reach 10, the 11th attempt is refused.
for i in $(seq 3 10); do post_step1 t$i "wrong-code-$i" bob@example.com > /dev/null; done
code=$(post_step1 eleventh demo-ssl-2026 alice@example.com)
check_eq "11th attempt: 429" 429 "$code"
check_grep "429 page says to wait" 'wait 15 minutes' "$OUT/eleventh.html"
check_nogrep "429 even for the right code" 'name="csr"' "$OUT/eleventh.html"
check "429 page is valid HTML (tidy)" tidy -q -errors "$OUT/eleventh.html"

# Unknown customer, unknown endpoint, unknown page: 404 pages.
code=$(curl -s -o "$OUT/nocust.html" -w '%{http_code}' "http://127.0.0.1:$PORT/customer/nobody/ssl")
check_eq "unknown customer: 404" 404 "$code"
check_grep "404 page explains" 'no certificate service at this address' "$OUT/nocust.html"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/ssl/no-such-ext")
check_eq "unknown endpoint: 404" 404 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/customer/nobody/smime")
check_eq "unknown customer on another program: 404" 404 "$code"

# What a worker has read of customers and endpoints.  An endpoint added
# after its address answered 404 is served at once: a lookup that found
# nothing is never kept (each worker is asked, so a kept 404 would show).
for i in 1 2 3 4; do
	curl -s -o /dev/null "$BASE/ssl/later"
done
cdadm endpoint add --type ssl --ext later --name "Later Form" >/dev/null
for i in 1 2 3 4; do
	echo "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/ssl/later")"
done > "$OUT/later.codes"
check_eq "an endpoint added after a 404 answers at once, from every worker" \
    "200 200 200 200" "$(tr '\n' ' ' < "$OUT/later.codes" | sed 's/ $//')"
# A change made behind certdesk's back (customers are never changed by
# it): a form POST reads the database and shows it at once, a page shown
# by GET within 5 seconds.
for i in 1 2 3 4; do curl -s -o /dev/null "$BASE/ssl"; done
sqlite3 -cmd '.timeout 5000' "$INSTANCE/state/certdesk.db" \
    "UPDATE customer SET name = 'Renamed Org' WHERE uri = 'demo'"
t=$(csrf_token "$JAR" "$BASE/ssl?action=enroll")
curl -s -b "$JAR" -o "$OUT/renamed-post.html" --data-urlencode "csrf=$t" \
    --data-urlencode accessCode=wrong-code --data-urlencode email=a@example.com \
    "$BASE/ssl?action=enroll"
check_grep "a POST shows the customer as the database has it now" \
    'Renamed Org' "$OUT/renamed-post.html"
sleep 6
for i in 1 2 3 4; do curl -s "$BASE/ssl"; done > "$OUT/renamed-get.html"
check_eq "after 5 seconds every worker's GET shows it too" 4 \
    "$(grep -c '<p class="customer">Renamed Org</p>' "$OUT/renamed-get.html")"
sqlite3 -cmd '.timeout 5000' "$INSTANCE/state/certdesk.db" \
    "UPDATE customer SET name = 'Demo Org' WHERE uri = 'demo'"

# The other form programs answer under their own titles.
for p in smime:200:"Client Certificate Management" validate:200:"Account Validation" \
    bulkenroll:200:"Bulk Enrollment Form"; do
	prog=${p%%:*}; rest=${p#*:}; want=${rest%%:*}; title=${rest#*:}
	code=$(curl -s -o "$OUT/$prog.html" -w '%{http_code}' "$BASE/$prog")
	check_eq "$prog: $want" "$want" "$code"
	check_grep "$prog: titled $title" "<h1>$title</h1>" "$OUT/$prog.html"
done

# Nothing above may have created a request.
check_eq "no request was recorded" 0 "$(db_count 'SELECT COUNT(*) FROM request')"
finish
