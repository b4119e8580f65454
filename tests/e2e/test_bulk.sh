#!/usr/bin/env bash
# Bulk SSL enrollment over HTTP with curl and the CLI: the access code,
# a CSV with every one of the guide's ten errors (all reported, nothing
# stored), a submission, approval of some lines, decline of one, a line
# that fails at approval, the statuses of the guide's table after each
# step, the completion mail, downloads under the p12 passphrase (every
# PKCS#12 opens and verifies; the zip lists every file), a wrong
# passphrase refused and throttled, the passphrase locked after 10
# failures until `bulk unlock`, links that expire and are resent, a
# kill -9 during approval resumed by `bulk process` without issuing
# twice, and the passphrase found nowhere in database, logs or mails.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/bulk"
rm -rf "$OUT" && mkdir -p "$OUT"

start_instance
JAR="$OUT/cookies"
FORM="$BASE/bulkenroll"
PASS='Bulk-Pass-2026 secret!'
DB="$INSTANCE/state/certdesk.db"
sqlite3 "$DB" "SELECT cert_pem FROM ca" > "$OUT/ca.pem"

# example.net is delegated for SSL now; it is taken away before approval.
cdadm domain add example.net >/dev/null
cdadm domain delegate example.net --org "Demo Org" --types ssl >/dev/null

nbulk() { db_count 'SELECT (SELECT COUNT(*) FROM bulk_request) + (SELECT COUNT(*) FROM bulk_item)'; }
scr_status() { db_count "SELECT status FROM bulk_item WHERE bulk_id = $1 AND scr = $2"; }
ber_status() { db_count "SELECT status FROM bulk_request WHERE id = $1"; }

# ---- step 1: access code and email ----
code=$(curl -s -c "$JAR" -b "$JAR" -o "$OUT/step1.html" -w '%{http_code}' "$FORM")
check_eq "GET /bulkenroll: 200" 200 "$code"
check "step 1 is valid HTML (tidy)" tidy -q -errors "$OUT/step1.html"
check_grep "guide's heading" 'Bulk Enrollment Form' "$OUT/step1.html"
check_grep "guide's lead" 'Fill in the fields below to Bulk Enroll certificates' "$OUT/step1.html"
check_grep "guide's button" 'Check Access Code' "$OUT/step1.html"
TOK=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$OUT/step1.html" | head -n 1)

curl -s -b "$JAR" -o "$OUT/badcode.html" -F "csrf=$TOK" -F accessCode=wrong \
    -F email=ops@example.com "$FORM"
check_grep "wrong access code refused" 'not valid for this form' "$OUT/badcode.html"
curl -s -b "$JAR" -o "$OUT/baddomain.html" -F "csrf=$TOK" -F accessCode=demo-bulk-2026 \
    -F email=ops@evil.org "$FORM"
check_grep "email outside the delegated domains refused" 'not valid for this form' "$OUT/baddomain.html"
curl -s -b "$JAR" -o "$OUT/form.html" -F "csrf=$TOK" -F accessCode=demo-bulk-2026 \
    -F email=ops@example.com "$FORM"
check "full form is valid HTML (tidy)" tidy -q -errors "$OUT/form.html"
for f in p12Passphrase p12Passphrase2 keySize csvFile; do
	check_grep "field $f" "name=\"$f\"" "$OUT/form.html"
done
check_grep "RSA 2048 chosen by default" 'value="rsa2048" selected' "$OUT/form.html"
FTOK=$(sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' "$OUT/form.html" | head -n 1)
check "full form carries its token" test -n "$FTOK"

# submit NAME CSVFILE [curl -F args...]: posts the full form; prints the status.
submit() {
	local name=$1 csv=$2
	shift 2
	curl -s -b "$JAR" -o "$OUT/$name.html" -w '%{http_code}' -F "csrf=$TOK" \
	    -F step=2 -F "token=$FTOK" -F email=ops@example.com "$@" \
	    -F "csvFile=@$csv;type=text/csv" "$FORM"
}

# ---- the ten errors, all at once, nothing stored ----
printf '%s\r\n' \
    'ok.example.com, , SSL Standard, 1 year, OTHER' \
    ', , SSL Standard, 1 year, OTHER' \
    'b.example.com, , , 1 year, OTHER' \
    'c.example.com, , SSL Standard, , OTHER' \
    'd.example.com, , SSL Standard, 1 year, ' \
    'e.example.com, "a.example.com b.example.com", SSL Multi-Domain, 1 year, OTHER' \
    'f.example.com, , EliteSSL Certificate, 1 year, OTHER' \
    'g.example.com, , SSL Multi-Domain, 2 years, OTHER' \
    'h.example.com, , SSL Standard, 1 year, Gopher' \
    'i.example.com, SSL Standard, 1 year, OTHER' \
    'j.example.com, "k.example.com, l.example.com", SSL Standard, 1 year, OTHER' \
    'www.evil.org, , SSL Standard, 1 year, OTHER' > "$OUT/ten.csv"
code=$(submit ten "$OUT/ten.csv" -F "p12Passphrase=$PASS" -F "p12Passphrase2=$PASS")
check_eq "bad CSV: 200 with the form" 200 "$code"
check "error page is valid HTML (tidy)" tidy -q -errors "$OUT/ten.html"
check_grep "guide's heading of the errors" 'CSV file parsing error\(s\):' "$OUT/ten.html"
check_grep "1: commonName" "Line 2 - Required field &#39;commonName&#39; is not specified." "$OUT/ten.html"
check_grep "2: certType" "Line 3 - Required field &#39;certType&#39; is not specified." "$OUT/ten.html"
check_grep "3: certTerm" "Line 4 - Required field &#39;certTerm&#39; is not specified." "$OUT/ten.html"
check_grep "4: serverSoftware" "Line 5 - Required field &#39;serverSoftware&#39; is not specified" "$OUT/ten.html"
check_grep "5: commas only" "Line 6 - Please use commas only to delimit domain alternative names" "$OUT/ten.html"
check_grep "6: certType value" "Line 7 - field &#39;certType&#39; contains disallowed value: EliteSSL Certificate" "$OUT/ten.html"
check_grep "7: certTerm value" "Line 8 - field &#39;certTerm&#39; contains disallowed value: 2 years" "$OUT/ten.html"
check_grep "8: serverSoftware value" "Line 9 - field &#39;serverSoftware&#39; contains disallowed value: Gopher" "$OUT/ten.html"
check_grep "9: field count" "Line 10 - Incorrect values - Actual fields quantity: 4, expected fields quantity: 5" "$OUT/ten.html"
check_grep "10: SANs not allowed" "Line 11 - Field &#39;san&#39; contains non-empty value: &#39;k.example.com, l.example.com&#39;. Subject alternative names are not allowed for &#39;SSL Standard&#39; certificate type." "$OUT/ten.html"
check_grep "an /ssl rule too: delegation" 'Line 12 - The Common Name &quot;www.evil.org&quot; is not in a domain delegated' "$OUT/ten.html"
check_eq "eleven errors listed" 11 "$(grep -c '<li>Line ' "$OUT/ten.html")"
check_eq "nothing stored after CSV errors" 0 "$(nbulk)"

code=$(submit mismatch "$ROOT/tests/data/bulk-sample.csv" -F "p12Passphrase=$PASS" -F "p12Passphrase2=other-pass")
check_grep "passphrases that differ refused" 'are not the same' "$OUT/mismatch.html"
code=$(submit short "$ROOT/tests/data/bulk-sample.csv" -F p12Passphrase=short -F p12Passphrase2=short)
check_grep "short passphrase refused" 'at least 8 characters' "$OUT/short.html"
code=$(submit badkey "$ROOT/tests/data/bulk-sample.csv" -F keySize=rsa1024 -F "p12Passphrase=$PASS" -F "p12Passphrase2=$PASS")
check_grep "a key size not offered refused" 'Choose a key size' "$OUT/badkey.html"
head -c 1100000 /dev/zero | tr '\0' '\n' > "$OUT/big.csv"
code=$(submit big "$OUT/big.csv" -F "p12Passphrase=$PASS" -F "p12Passphrase2=$PASS")
check_eq "file over 1 MiB: 413" 413 "$code"
check_grep "file over 1 MiB: says why" 'larger than 1 MiB' "$OUT/big.html"
for i in $(seq 1 10001); do echo "h$i.example.com, , SSL Standard, 1 year, OTHER"; done > "$OUT/lines.csv"
code=$(submit lines "$OUT/lines.csv" -F "p12Passphrase=$PASS" -F "p12Passphrase2=$PASS")
check_grep "10 001 lines refused" 'more than 10000 lines' "$OUT/lines.html"
check_eq "nothing stored after any refusal" 0 "$(nbulk)"

# ---- a good submission ----
{ printf '\xef\xbb\xbf'; printf '%s\r\n' \
    'www.example.com, , SSL Standard, 1 year, OTHER' \
    'mail.example.com, "smtp.example.com, imap.example.com", SSL Multi-Domain, 1 year, Apache/ModSSL' \
    '' \
    'shop.example.net, , SSL Standard, 2 years, OTHER' \
    'old.example.com, , SSL Standard, 1 year, other'; } > "$OUT/good.csv"
code=$(submit good "$OUT/good.csv" -F "p12Passphrase=$PASS" -F "p12Passphrase2=$PASS")
check_eq "good CSV: 200" 200 "$code"
check "result page is valid HTML (tidy)" tidy -q -errors "$OUT/good.html"
check_grep "submitted" 'has been submitted' "$OUT/good.html"
STATUS_URL=$(sed -n 's/.*id="status-link" href="\([^"]*\)".*/\1/p' "$OUT/good.html" | sed 's/&amp;/\&/g')
check "status link given" test -n "$STATUS_URL"
check_eq "BER stored Awaiting Approval" "Awaiting Approval" "$(ber_status 1)"
check_eq "four SCRs, all Awaiting Approval" 4 "$(db_count "SELECT COUNT(*) FROM bulk_item WHERE bulk_id = 1 AND status = 'Awaiting Approval'")"
check_eq "the CSV's own line numbers kept (blank line 3)" 4 "$(db_count "SELECT line FROM bulk_item WHERE bulk_id = 1 AND scr = 3")"
check_eq "no ICR before approval" 0 "$(db_count "SELECT COUNT(*) FROM request WHERE via = 'bulk'")"
AWAIT=$(grep -l 'Subject: SSL Bulk Awaiting Approval' "$INSTANCE"/mail/*.eml 2>/dev/null | head -n 1)
check "awaiting-approval mail sent" test -n "$AWAIT"
[ -n "$AWAIT" ] && check_grep "to the organisation's administrator" '^To: admin@example.com' "$AWAIT"
[ -n "$AWAIT" ] && check_grep "mail lists the lines" 'SCR 2: mail.example.com,smtp.example.com,imap.example.com' "$AWAIT"

curl -s -o "$OUT/status1.html" "http://127.0.0.1:$PORT$STATUS_URL"
check "status page is valid HTML (tidy)" tidy -q -errors "$OUT/status1.html"
check_grep "status page: BER Awaiting Approval" '<dd id="ber-status">Awaiting Approval</dd>' "$OUT/status1.html"
check_eq "status page: four lines" 4 "$(grep -c 'class="scr-status">Awaiting Approval' "$OUT/status1.html")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$FORM?action=status&t=0123456789abcdef")
check_eq "a made-up status link: 404" 404 "$code"

# ---- approve some, decline one, one fails ----
cdadm bulk approve 1 --scr 1,2 > "$OUT/approve1.txt" 2>&1
check_eq "approve --scr 1,2: exit 0" 0 $?
check_grep "one line per SCR off a terminal" '^SCR 1: Issued$' "$OUT/approve1.txt"
check_eq "SCR 1 Issued" Issued "$(scr_status 1 1)"
check_eq "SCR 2 Issued" Issued "$(scr_status 1 2)"
check_eq "SCR 3 still Awaiting Approval" "Awaiting Approval" "$(scr_status 1 3)"
check_eq "BER Approving while lines wait" Approving "$(ber_status 1)"
check_eq "ICRs of SCR 1 and 2 Issued" 2 "$(db_count "SELECT COUNT(*) FROM request r JOIN bulk_item i ON i.request_id = r.id WHERE i.bulk_id = 1 AND r.status = 'Issued'")"

cdadm bulk decline 1 --scr 4 --reason "not ours any more" > "$OUT/decline.txt" 2>&1
check_eq "SCR 4 Declined" Declined "$(scr_status 1 4)"
check_eq "declined SCR has no ICR" "" "$(db_count "SELECT request_id FROM bulk_item WHERE bulk_id = 1 AND scr = 4")"
check_eq "BER still Approving (SCR 3 waits)" Approving "$(ber_status 1)"
check_eq "no completion mail yet" 0 "$(grep -l 'Subject: SSL Bulk Enroll Completed' "$INSTANCE"/mail/*.eml 2>/dev/null | wc -l)"

cdadm bulk show 1 --json > "$OUT/show.json"
check "bulk show --json is JSON" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["scrs"]) == 4' "$OUT/show.json"
cdadm bulk list --json > "$OUT/list.json"
check "bulk list --json is JSON" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[0]["status"] == "Approving"' "$OUT/list.json"

# The delegation of example.net goes before the rest is approved.
sqlite3 "$DB" "UPDATE delegation SET ssl = 0 WHERE domain_id = (SELECT id FROM domain WHERE name = 'example.net')"
cdadm bulk approve 1 > "$OUT/approve2.txt" 2>&1
check_grep "the failing line says why" '^SCR 3: Failed: .*shop.example.net.*not in a domain delegated' "$OUT/approve2.txt"
check_eq "SCR 3 Failed" Failed "$(scr_status 1 3)"
check_eq "its ICR Rejected" Rejected "$(db_count "SELECT r.status FROM request r JOIN bulk_item i ON i.request_id = r.id WHERE i.bulk_id = 1 AND i.scr = 3")"
check_eq "BER Successful when every line is final" Successful "$(ber_status 1)"
curl -s -o "$OUT/status2.html" "http://127.0.0.1:$PORT$STATUS_URL"
check_grep "status page: Successful" '<dd id="ber-status">Successful</dd>' "$OUT/status2.html"
check_eq "status page: two Issued" 2 "$(grep -c 'class="scr-status">Issued' "$OUT/status2.html")"

DONE=$(grep -l 'Subject: SSL Bulk Enroll Completed' "$INSTANCE"/mail/*.eml 2>/dev/null | head -n 1)
check "completion mail sent" test -n "$DONE"
check_grep "to the requester" '^To: ops@example.com' "$DONE"
L1=$(grep -o 'http://[^ ]*scr=1' "$DONE" | head -n 1)
L2=$(grep -o 'http://[^ ]*scr=2' "$DONE" | head -n 1)
LZ=$(grep -o 'http://[^ ]*scr=all' "$DONE" | head -n 1)
check "a link per certificate and one for the zip" test -n "$L1" -a -n "$L2" -a -n "$LZ"
check_eq "no link for the failed line" 0 "$(grep -c 'scr=3' "$DONE")"

# ---- downloads ----
# fetch NAME URL PASS: GETs the page (CSRF cookie), POSTs the passphrase.
fetch() {
	local name=$1 url=$2 pass=$3 t scr dtok
	t=$(echo "$url" | sed -n 's/.*[?&]t=\([0-9a-f]*\).*/\1/p')
	scr=$(echo "$url" | sed -n 's/.*[?&]scr=\([a-z0-9]*\).*/\1/p')
	curl -s -c "$OUT/dj" -b "$OUT/dj" -o "$OUT/$name-page.html" "$url"
	dtok=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$OUT/$name-page.html" | head -n 1)
	curl -s -b "$OUT/dj" -D "$OUT/$name.hdr" -o "$OUT/$name.bin" -w '%{http_code}' \
	    --data-urlencode "csrf=$dtok" --data-urlencode "t=$t" --data-urlencode "scr=$scr" \
	    --data-urlencode "passphrase=$pass" "${url%%\?*}?action=download"
}
code=$(curl -s -o "$OUT/dlpage.html" -w '%{http_code}' "$L1")
check_eq "download page: 200" 200 "$code"
check "download page is valid HTML (tidy)" tidy -q -errors "$OUT/dlpage.html"
check_grep "download page asks for the passphrase" 'name="passphrase"' "$OUT/dlpage.html"

code=$(fetch p1 "$L1" "$PASS")
check_eq "PKCS#12 of SCR 1: 200" 200 "$code"
check_grep "served as an attachment" '^Content-Disposition: attachment; filename="1-www.example.com.p12"' "$OUT/p1.hdr"
check_grep "not cached" '^Cache-Control: no-store' "$OUT/p1.hdr"
check "SCR 1 opens with openssl pkcs12 (no -legacy)" openssl pkcs12 -in "$OUT/p1.bin" -passin "pass:$PASS" -nokeys -clcerts -out "$OUT/p1.pem"
check "SCR 1's certificate verifies against the CA" openssl verify -CAfile "$OUT/ca.pem" "$OUT/p1.pem"
check_grep "SCR 1's certificate names www.example.com" 'CN ?= ?www.example.com' <(openssl x509 -in "$OUT/p1.pem" -noout -subject)
openssl pkcs12 -in "$OUT/p1.bin" -passin "pass:$PASS" -nocerts -nodes -out "$OUT/p1.key" 2>/dev/null
check_eq "SCR 1's key is RSA 2048 and matches" \
    "$(openssl x509 -in "$OUT/p1.pem" -noout -pubkey | openssl sha256)" \
    "$(openssl pkey -in "$OUT/p1.key" -pubout | openssl sha256)"
check_grep "RSA 2048" 'Private-Key: \(2048 bit' <(openssl pkey -in "$OUT/p1.key" -noout -text)
# The file is under the request key's passphrase: no cheaper to guess.
openssl pkcs12 -info -noout -in "$OUT/p1.bin" -passin "pass:$PASS" > "$OUT/p1.info" 2>&1
check_grep "PKCS#12 MAC at the request key's 300 000 iterations" 'MAC: .*Iteration 300000' "$OUT/p1.info"
check_eq "every PBES2 bag at 300 000 iterations" 0 "$(grep 'Iteration' "$OUT/p1.info" | grep -vc 'Iteration 300000')"
check "the info lists encrypted bags" grep -q 'PBES2.*Iteration 300000' "$OUT/p1.info"
code=$(fetch p2 "$L2" "$PASS")
check "SCR 2 opens" openssl pkcs12 -in "$OUT/p2.bin" -passin "pass:$PASS" -nokeys -clcerts -out "$OUT/p2.pem"
check "SCR 2's certificate verifies" openssl verify -CAfile "$OUT/ca.pem" "$OUT/p2.pem"
check_grep "SCR 2 carries its SANs" 'DNS:imap.example.com' <(openssl x509 -in "$OUT/p2.pem" -noout -ext subjectAltName)

# The zip costs about 7 derivations at 300 000 iterations (the request
# key, then a MAC and two bags per file).  Its bound is in derivations
# timed now, on this machine under its present load, not in seconds.
t0=$(date +%s%N)
openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt pass:x -kdfopt salt:0123456789abcdef \
    -kdfopt iter:300000 PBKDF2 > /dev/null
kdfms=$((($(date +%s%N) - t0) / 1000000))
t0=$(date +%s%N)
code=$(fetch zip "$LZ" "$PASS")
zipms=$((($(date +%s%N) - t0) / 1000000))
echo "  (zip of 2 files at 300 000 iterations: $zipms ms; one derivation: $kdfms ms)"
check_eq "zip: 200" 200 "$code"
check "zip of 2 files within 30 derivations and 2 s ($zipms ms, one took $kdfms ms)" \
    test "$zipms" -lt $((30 * kdfms + 2000))
check_grep "zip: application/zip" '^Content-Type: application/zip' "$OUT/zip.hdr"
unzip -l "$OUT/zip.bin" > "$OUT/zip.list" 2>&1
check_grep "zip lists SCR 1" '1-www.example.com.p12' "$OUT/zip.list"
check_grep "zip lists SCR 2" '2-mail.example.com.p12' "$OUT/zip.list"
check_eq "zip holds exactly the issued files" 2 "$(grep -c '\.p12$' "$OUT/zip.list")"
mkdir -p "$OUT/unzipped" && unzip -q -o "$OUT/zip.bin" -d "$OUT/unzipped"
check "zipped PKCS#12 opens with the passphrase" openssl pkcs12 -in "$OUT/unzipped/2-mail.example.com.p12" -passin "pass:$PASS" -nokeys -out /dev/null

code=$(fetch wrong "$L1" "not the passphrase")
check_eq "wrong passphrase: 200 with the form" 200 "$code"
check_grep "wrong passphrase refused" 'The p12 passphrase is not correct' "$OUT/wrong.bin"

# ---- links expire, resend makes new ones ----
sqlite3 "$DB" "UPDATE bulk_request SET download_expires = CAST(strftime('%s','now') AS INTEGER) - 1 WHERE id = 1"
code=$(curl -s -o "$OUT/expired.html" -w '%{http_code}' "$L1")
check_eq "expired link: 404" 404 "$code"
check_grep "expired link says so" 'not valid or has expired' "$OUT/expired.html"
sed -i 's/^Mail.From = .*/&\nBulk.LinkDays = 3/' "$INSTANCE/certdesk.hdf"
nmail=$(ls "$INSTANCE"/mail | wc -l)
cdadm bulk resend 1 > "$OUT/resend.txt" 2>&1
check_eq "bulk resend: exit 0" 0 $?
check_eq "resend mails the requester" $((nmail + 1)) "$(ls "$INSTANCE"/mail | wc -l)"
NEW=$(ls -t "$INSTANCE"/mail/*.eml | head -n 1)
N1=$(grep -o 'http://[^ ]*scr=1' "$NEW" | head -n 1)
check "new link differs from the old" test "$N1" != "$L1"
left=$(db_count "SELECT download_expires - CAST(strftime('%s','now') AS INTEGER) FROM bulk_request WHERE id = 1")
check "links valid Bulk.LinkDays (3 days)" test "$left" -gt $((3 * 86400 - 120)) -a "$left" -le $((3 * 86400))
code=$(curl -s -o /dev/null -w '%{http_code}' "$N1")
check_eq "new link works" 200 "$code"
sqlite3 "$DB" "UPDATE bulk_request SET download_expires = download_expires + 86400 WHERE id = 1"
code=$(curl -s -o /dev/null -w '%{http_code}' "$L1")
check_eq "old link dead after resend" 404 "$code"
# A resend whose mail fails keeps the links that work.
sed -i "s|^Mail.Dir = .*|Mail.Dir = $INSTANCE/no-such-dir/mail|" "$INSTANCE/certdesk.hdf"
hmac_before=$(db_count "SELECT download_token_hmac FROM bulk_request WHERE id = 1")
cdadm bulk resend 1 > "$OUT/resend-fail.txt" 2>&1
check "resend with a failing mail: exit 1" test $? -ne 0
check_grep "and says the old links still work" 'could not be sent.*the old links still work' "$OUT/resend-fail.txt"
check_eq "the stored link is unchanged" "$hmac_before" "$(db_count "SELECT download_token_hmac FROM bulk_request WHERE id = 1")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$N1")
check_eq "the last mailed link still works" 200 "$code"
check_eq "the failure is audited" 1 "$(db_count "SELECT COUNT(*) FROM audit WHERE action = 'bulk links' AND outcome = 'mail failed'")"
sed -i "s|^Mail.Dir = .*|Mail.Dir = $INSTANCE/mail|" "$INSTANCE/certdesk.hdf"

# ---- kill -9 during approval, then bulk process ----
for i in $(seq 1 16); do echo "k$i.example.com, , SSL Standard, 1 year, OTHER"; done > "$OUT/kill.csv"
code=$(submit kill "$OUT/kill.csv" -F keySize=rsa4096 -F "p12Passphrase=$PASS" -F "p12Passphrase2=$PASS")
check_eq "second request submitted" "Awaiting Approval" "$(ber_status 2)"
CERTDESK_CONF="$INSTANCE/certdesk.hdf" "$ROOT/build/certdesk" bulk approve 2 > "$OUT/kill-approve.txt" 2>&1 &
APID=$!
for _ in $(seq 1 600); do
	[ "$(db_count "SELECT COUNT(*) FROM bulk_item WHERE bulk_id = 2 AND status = 'Issued'")" -ge 2 ] && break
	sleep 0.05
done
kill -9 "$APID" 2>/dev/null
wait "$APID" 2>/dev/null
sleep 0.5
got=$(db_count "SELECT COUNT(*) FROM bulk_item WHERE bulk_id = 2 AND status = 'Issued'")
check "killed midway: some lines issued ($got), not all" test "$got" -ge 1 -a "$got" -lt 16
check_eq "killed midway: every line approved with its ICR" 16 "$(db_count "SELECT COUNT(*) FROM bulk_item WHERE bulk_id = 2 AND request_id IS NOT NULL")"
check_eq "no certificate without its sealed key" 0 "$(db_count "SELECT COUNT(*) FROM bulk_item i JOIN request r ON r.id = i.request_id WHERE i.bulk_id = 2 AND ((r.status = 'Issued') != (i.sealed_key IS NOT NULL))")"
cdadm bulk process 2 > "$OUT/process.txt" 2>&1
check_eq "bulk process: exit 0" 0 $?
check_eq "after bulk process: all 16 Issued" 16 "$(db_count "SELECT COUNT(*) FROM bulk_item WHERE bulk_id = 2 AND status = 'Issued'")"
check_eq "each SCR issued exactly once" 16 "$(db_count "SELECT COUNT(DISTINCT r.id) FROM request r WHERE r.via = 'bulk' AND r.status = 'Issued' AND r.common_name LIKE 'k%.example.com'")"
check_eq "one ICR per line, no more" 16 "$(db_count "SELECT COUNT(*) FROM request WHERE via = 'bulk' AND common_name LIKE 'k%.example.com'")"
check_eq "BER 2 Successful" Successful "$(ber_status 2)"
cdadm bulk process 2 > "$OUT/process2.txt" 2>&1
check_eq "a second bulk process issues nothing" 16 "$(db_count "SELECT COUNT(*) FROM request WHERE via = 'bulk' AND common_name LIKE 'k%.example.com' AND status = 'Issued'")"

# ---- approve and process at once: every line made and signed once ----
for i in $(seq 1 6); do echo "c$i.example.com, , SSL Standard, 1 year, OTHER"; done > "$OUT/conc.csv"
code=$(submit conc "$OUT/conc.csv" -F keySize=rsa4096 -F "p12Passphrase=$PASS" -F "p12Passphrase2=$PASS")
CID=$(db_count "SELECT MAX(id) FROM bulk_request")
CERTDESK_CONF="$INSTANCE/certdesk.hdf" "$ROOT/build/certdesk" bulk approve "$CID" > "$OUT/conc-approve.txt" 2>&1 &
APID=$!
for _ in $(seq 1 600); do
	[ "$(db_count "SELECT COUNT(*) FROM bulk_item WHERE bulk_id = $CID AND request_id IS NOT NULL")" -eq 6 ] && break
	sleep 0.02
done
cdadm bulk process "$CID" > "$OUT/conc-process.txt" 2>&1
check_eq "concurrent bulk process: exit 0" 0 $?
wait "$APID"
check_eq "concurrent bulk approve: exit 0" 0 $?
# Which run takes the lock first is up to the scheduler: approve commits
# the lines before it locks, so process can come in between.
check_eq "exactly one of the two runs waited for the other" 1 \
    "$(cat "$OUT/conc-approve.txt" "$OUT/conc-process.txt" | grep -c 'another run is issuing its lines; waiting')"
check_eq "no line generated and signed by both runs" 0 "$(cat "$OUT/conc-approve.txt" "$OUT/conc-process.txt" | grep -c '^SCR [0-9]*: already done')"
check_eq "six lines issued, each reported once" 6 "$(cat "$OUT/conc-approve.txt" "$OUT/conc-process.txt" | grep -c '^SCR [0-9]*: Issued$')"
check_eq "six certificates" 6 "$(db_count "SELECT COUNT(*) FROM request WHERE via = 'bulk' AND common_name LIKE 'c%.example.com' AND status = 'Issued'")"
check_eq "one completion mail for it" 1 "$(grep -l "Subject: SSL Bulk Enroll Completed" "$INSTANCE"/mail/*.eml | xargs grep -l "c1.example.com" | wc -l)"

# ---- a profile taken from the account before approval fails its lines ----
printf '%s\n' 'p1.example.com, , SSL Standard, 1 year, OTHER' \
    'p2.example.com, "p3.example.com", SSL Multi-Domain, 1 year, OTHER' > "$OUT/prof.csv"
code=$(submit prof "$OUT/prof.csv" -F "p12Passphrase=$PASS" -F "p12Passphrase2=$PASS")
PID_BER=$(db_count "SELECT MAX(id) FROM bulk_request")
# The profile stays the customer's; only this account loses it.
sqlite3 "$DB" "DELETE FROM account_profile WHERE account_id = (SELECT id FROM account WHERE name = 'bulk') AND profile_id = (SELECT id FROM profile WHERE name = 'SSL Multi-Domain')"
cdadm bulk approve "$PID_BER" > "$OUT/prof-approve.txt" 2>&1
check_eq "the line of a kept profile Issued" Issued "$(scr_status "$PID_BER" 1)"
check_eq "the line of a profile the account lost Failed" Failed "$(scr_status "$PID_BER" 2)"
check_grep "and says why" "^SCR 2: Failed: The certificate type 'SSL Multi-Domain' is no longer offered to this account" "$OUT/prof-approve.txt"
sqlite3 "$DB" "INSERT INTO account_profile (account_id, profile_id) SELECT a.id, p.id FROM account a, profile p WHERE a.name = 'bulk' AND p.name = 'SSL Multi-Domain'"

# A line's certificate request follows its line, not `request approve/decline`.
ICR=$(db_count "SELECT cert_id FROM request WHERE via = 'bulk' AND common_name = 'k1.example.com'")
sqlite3 "$DB" "UPDATE request SET status = 'Requested' WHERE cert_id = '$ICR'"
cdadm request decline "$ICR" > "$OUT/req-decline.txt" 2>&1
check "request decline of a bulk line refused" test $? -ne 0
check_grep "and says what to use" 'use certdesk bulk decline' "$OUT/req-decline.txt"
cdadm request approve "$ICR" > "$OUT/req-approve.txt" 2>&1
check "request approve of a bulk line refused" test $? -ne 0
check_eq "the line's request untouched" Requested "$(db_count "SELECT status FROM request WHERE cert_id = '$ICR'")"
sqlite3 "$DB" "UPDATE request SET status = 'Issued' WHERE cert_id = '$ICR'"

# ---- throttled guessing ----
for i in $(seq 1 10); do fetch guess$i "$N1" "guess $i" >/dev/null; done
code=$(fetch guess11 "$N1" "$PASS")
check_eq "after 10 wrong passphrases: 429 even for the right one" 429 "$code"

# ---- the passphrase itself locks after 10 failures, from any address ----
# Emptying the throttle table stands for guesses from ever new addresses.
unthrottle() { sqlite3 -cmd '.timeout 5000' "$DB" "DELETE FROM throttle"; }
pfail() { db_count "SELECT pass_failures FROM bulk_request WHERE id = 1"; }
unthrottle
sqlite3 "$DB" "UPDATE bulk_request SET pass_failures = 0 WHERE id = 1"
for i in 1 2 3; do fetch reset$i "$N1" "guess $i" >/dev/null; done
check_eq "three wrong passphrases counted on the request" 3 "$(pfail)"
code=$(fetch right "$N1" "$PASS")
check_eq "then the right one: 200" 200 "$code"
check_eq "a right passphrase resets the count" 0 "$(pfail)"
nlock=$(db_count "SELECT COUNT(*) FROM audit WHERE action = 'bulk lock' AND object = 'BER 1'")
for i in $(seq 1 10); do unthrottle; fetch lock$i "$N1" "guess $i" >/dev/null; done
check_eq "10 wrong passphrases from 10 addresses: locked" 10 "$(pfail)"
check_eq "the lock is audited once" $((nlock + 1)) "$(db_count "SELECT COUNT(*) FROM audit WHERE action = 'bulk lock' AND object = 'BER 1'")"
unthrottle
code=$(fetch locked "$N1" "$PASS")
check_eq "locked: the right passphrase refused (429, as /ssl)" 429 "$code"
check_grep "locked: says so" 'locked after too many failed attempts' "$OUT/locked.bin"
check_eq "locked: a right passphrase does not reset the count" 10 "$(pfail)"
check_grep "bulk show says locked" 'locked; certdesk bulk unlock' <(cdadm bulk show 1)
check_grep "bulk show --json says locked" '"locked":true' <(cdadm bulk show 1 --json)
cdadm bulk unlock 1 > "$OUT/unlock.txt" 2>&1
check_eq "bulk unlock: exit 0" 0 $?
check_eq "bulk unlock is audited" 1 "$(db_count "SELECT COUNT(*) FROM audit WHERE action = 'bulk unlock' AND object = 'BER 1'")"
check_eq "bulk unlock clears the count" 0 "$(pfail)"
code=$(fetch unlocked "$N1" "$PASS")
check_eq "unlocked: the right passphrase works again" 200 "$code"
cdadm bulk unlock 99 > "$OUT/unlock99.txt" 2>&1
check "bulk unlock of an unknown request fails" test $? -ne 0

# ---- maintain purges expired links, then the keys Bulk.KeepDays later ----
sqlite3 "$DB" "UPDATE bulk_request SET download_expires = 1, purge_after = 2 WHERE id = 1"
cdadm maintain > "$OUT/maintain.txt" 2>&1
check_eq "maintain: expired link forgotten" "" "$(db_count "SELECT download_token_hmac FROM bulk_request WHERE id = 1")"
check_eq "maintain: sealed keys of BER 1 purged" 0 "$(db_count "SELECT COUNT(*) FROM bulk_item WHERE bulk_id = 1 AND sealed_key IS NOT NULL")"
check_eq "maintain: BER 2 keeps its keys" 16 "$(db_count "SELECT COUNT(*) FROM bulk_item WHERE bulk_id = 2 AND sealed_key IS NOT NULL")"
cdadm bulk resend 1 > "$OUT/resend-purged.txt" 2>&1
check "resend after the purge refused" test $? -ne 0
check_grep "and says why" 'were purged' "$OUT/resend-purged.txt"

# ---- an endpoint with an extension: every link names it ----
cdadm endpoint add --type bulk --ext lab --name "Bulk SSL Form (lab)" >/dev/null
cdadm account add bulk-lab --endpoint bulk/lab --org "Demo Org" --code demo-bulk-lab-2026 \
    --profile "SSL Standard" >/dev/null
LAB="$BASE/bulkenroll/lab"
curl -s -c "$OUT/lj" -b "$OUT/lj" -o "$OUT/lab1.html" "$LAB"
LTOK=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$OUT/lab1.html" | head -n 1)
curl -s -b "$OUT/lj" -o "$OUT/labform.html" -F "csrf=$LTOK" -F accessCode=demo-bulk-lab-2026 \
    -F email=ops@example.com "$LAB"
LFTOK=$(sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' "$OUT/labform.html" | head -n 1)
echo 'lab.example.com, , SSL Standard, 1 year, OTHER' > "$OUT/lab.csv"
curl -s -b "$OUT/lj" -o "$OUT/labdone.html" -F "csrf=$LTOK" -F step=2 -F "token=$LFTOK" \
    -F email=ops@example.com -F "p12Passphrase=$PASS" -F "p12Passphrase2=$PASS" \
    -F "csvFile=@$OUT/lab.csv;type=text/csv" "$LAB"
LSTATUS=$(sed -n 's/.*id="status-link" href="\([^"]*\)".*/\1/p' "$OUT/labdone.html" | sed 's/&amp;/\&/g')
check_grep "lab: status link names the extension" '/bulkenroll/lab[?]action=status&t=' <(echo "$LSTATUS")
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$LSTATUS")
check_eq "lab: status link works" 200 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT${LSTATUS/\/bulkenroll\/lab/\/bulkenroll}")
check_eq "lab: its status token under the default endpoint: 404" 404 "$code"
LID=$(db_count "SELECT b.id FROM bulk_request b JOIN account a ON a.id = b.account_id WHERE a.name = 'bulk-lab'")
nmail=$(ls "$INSTANCE"/mail | wc -l)
cdadm bulk approve "$LID" > "$OUT/lab-approve.txt" 2>&1
LMAIL=$(ls -t "$INSTANCE"/mail/*.eml | head -n 1)
check_grep "lab: completion mailed" 'Subject: SSL Bulk Enroll Completed' "$LMAIL"
LL=$(grep -o 'http://[^ ]*scr=1' "$LMAIL" | head -n 1)
check_grep "lab: mailed link names the extension" '/bulkenroll/lab[?]action=download&t=' <(echo "$LL")
check_grep "lab: mailed zip link names it too" '/bulkenroll/lab[?]action=download&t=.*scr=all' "$LMAIL"
code=$(fetch lab "$LL" "$PASS")
check_eq "lab: mailed link downloads" 200 "$code"
check "lab: the PKCS#12 opens" openssl pkcs12 -in "$OUT/lab.bin" -passin "pass:$PASS" -nokeys -out /dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' "${LL/\/bulkenroll\/lab/\/bulkenroll}")
check_eq "lab: its download token under the default endpoint: 404" 404 "$code"

# ---- a FastCGI worker holding passphrases never dumps core ----
WPID=$(pgrep -f "^$ROOT/build/cgi/bulkenroll" | head -n 1)
check "a bulkenroll worker runs" test -n "$WPID"
check_grep "worker: Max core file size 0" '^Max core file size +0 +0 ' "/proc/$WPID/limits"

# ---- the passphrase is nowhere ----
sqlite3 "$DB" .dump > "$OUT/dump.sql"
check_nogrep "passphrase not in the database dump" "$PASS" "$OUT/dump.sql"
check_nogrep "passphrase not in the audit" "$PASS" <(sqlite3 "$DB" "SELECT * FROM audit")
check_grep "audit records the approval" 'bulk approve' <(sqlite3 "$DB" "SELECT action FROM audit")
check "passphrase not in any mail" sh -c "! grep -rqF -- '$PASS' '$INSTANCE/mail'"
check "passphrase not in the logs" sh -c "! grep -qF -- '$PASS' '$INSTANCE'/lighttpd-*.log $OUT/*.txt"

finish
