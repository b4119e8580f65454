#!/usr/bin/env bash
# Client (S/MIME) certificates over HTTP with curl: enrollment by access
# code through the validation mail to the collection page and the PKCS#12
# files, SCM's own validation link, enrollment by secret ID, invitation
# and User Registration, renewal (the old serial on the CRL as
# superseded), revocation from the list, a user-CSR account, and every
# error path, each followed by a check that nothing was written.  The
# last part runs several enrollments in a row through the same workers.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/smime_forms"
rm -rf "$OUT" && mkdir -p "$OUT"

start_instance
instance_populate_persons "$INSTANCE"
JAR="$OUT/cookies"
DB="$INSTANCE/state/certdesk.db"
PASS=correct-horse-1
PW=pkcs12-secret-9

nreq() { db_count 'SELECT COUNT(*) FROM request'; }
nissued() { db_count "SELECT COUNT(*) FROM request WHERE status = 'Issued'"; }
ncodes() { db_count 'SELECT COUNT(*) FROM validation_code'; }
nused() { db_count 'SELECT COUNT(*) FROM validation_code WHERE used_at IS NOT NULL'; }
npersons() { db_count 'SELECT COUNT(*) FROM person'; }
# Everything a submission could write, in one line.
state() { echo "$(nreq)/$(nissued)/$(ncodes)/$(nused)/$(npersons)/$(db_count 'SELECT COUNT(*) FROM p12_pickup')"; }
field() {	# NAME FILE: the value of the first input named NAME
	sed -n "s/.*name=\"$1\" value=\"\\([^\"]*\\)\".*/\\1/p" "$2" | head -n 1
}
# post URL OUTNAME [curl args]: a form POST with the CSRF token; prints the status.
post() {
	local url=$1 name=$2
	shift 2
	curl -s -b "$JAR" -c "$JAR" -o "$OUT/$name.html" -D "$OUT/$name.hdr" \
	    -w '%{http_code}' --data-urlencode "csrf=$TOK" "$@" "$url"
}
newest_mail() { ls -t "$INSTANCE"/mail/*.eml 2>/dev/null | head -n 1; }
mail_link() { [ -n "$1" ] || return 0; grep -o 'http://[^ ]*validate?[^ ]*' "$1" | head -n 1; }
quiet() { "$@" >/dev/null; }
mail_code() { [ -n "$1" ] || return 0; sed -n 's/.*request code: \([0-9A-Z]*\).*/\1/p' "$1" | head -n 1; }

# ---- the menu ----
curl -s "$BASE/smime" > "$OUT/menu.html"
for e in "Certificate enrollment by AccessCode" "Certificate renewal by AccessCode" \
    "Certificate enrollment by SecretID" "Certificate renewal by SecretID" \
    "Certificate revocation"; do
	check_grep "menu: $e" "$e" "$OUT/menu.html"
done
check_grep "menu: secret-ID link" 'action=enroll&amp;swt=sid' "$OUT/menu.html"
check_eq "an unknown form extension is 404" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/smime/nosuch")"

# ---- enrollment by access code, step 1 ----
TOK=$(csrf_token "$JAR" "$BASE/smime?action=enroll")
step1() {	# code email outname
	post "$BASE/smime?action=enroll" "$3" --data-urlencode "accessCode=$1" \
	    --data-urlencode "email=$2" >/dev/null
	FT=$(field token "$OUT/$3.html")
}
before=$(state)
step1 wrong-code alice@example.com s1-wrong
check_grep "wrong access code: generic message" 'access code or the email address is not valid' "$OUT/s1-wrong.html"
check_nogrep "wrong access code: no code echoed" 'wrong-code' "$OUT/s1-wrong.html"
step1 demo-smime-2026 alice@evil.org s1-foreign
check_grep "foreign domain: the same generic message" 'access code or the email address is not valid' "$OUT/s1-foreign.html"
step1 demo-ssl-2026 alice@example.com s1-sslcode
check_grep "an SSL form's code: the same generic message" 'access code or the email address is not valid' "$OUT/s1-sslcode.html"
check_eq "step 1 failures wrote nothing" "$before" "$(state)"
db_count "DELETE FROM throttle" >/dev/null

step1 demo-smime-2026 alice@example.com s1
check "step 1 gives a form token" test -n "$FT"
check_grep "step 2: Client Certificate Enrollment" 'Client Certificate Enrollment' "$OUT/s1.html"
for f in firstName middleName lastName profile term keyType passphrase passphrase2 eula; do
	check_grep "step 2 has $f with a label" "<label[^>]*for=\"$f\"" "$OUT/s1.html"
done
check_grep "two profiles: the choice and their descriptions" 'Signing and encryption only' "$OUT/s1.html"
check_nogrep "no password on the access-code form" 'name="password"' "$OUT/s1.html"

# ---- step 2: each error keeps the input and writes nothing ----
GOOD=(-d step=2 --data-urlencode email=alice@example.com -d firstName=Alice
    -d middleName=Q -d lastName=Smith
    --data-urlencode "profile=Client Authentication and Email" -d term=365
    -d keyType=ec256 -d passphrase=$PASS -d passphrase2=$PASS -d eula=1)
expect_error() {	# name pattern [curl args overriding GOOD]
	local name=$1 pat=$2 before code
	shift 2
	before=$(state)
	code=$(post "$BASE/smime?action=enroll" "$name" --data-urlencode "token=$FT" "${GOOD[@]}" "$@")
	check_eq "$name: 200 with the form again" 200 "$code"
	check_grep "$name: says why" "$pat" "$OUT/$name.html"
	check_grep "$name: form shown again" 'name="lastName"' "$OUT/$name.html"
	check_nogrep "$name: passphrase never echoed" "$PASS|other-horse" "$OUT/$name.html"
	check_eq "$name: nothing recorded" "$before" "$(state)"
	check "$name: valid HTML (tidy)" tidy -q -errors "$OUT/$name.html"
}
expect_error no-last-name 'Enter your first name and last name' -d lastName=
check_grep "no-last-name: the first name is kept" 'value="Alice"' "$OUT/no-last-name.html"
expect_error long-names 'at most 64 characters' \
    -d firstName=$(printf 'A%.0s' $(seq 40)) -d lastName=$(printf 'B%.0s' $(seq 30))
expect_error profile-not-allowed 'Choose one of the certificate profiles' \
    --data-urlencode "profile=SSL Standard"
expect_error term-not-allowed 'Choose one of the terms' -d term=90
expect_error key-not-of-profile 'Choose one of the key types of the profile Email Signing' \
    --data-urlencode "profile=Email Signing" -d keyType=rsa2048
expect_error key-unknown 'Choose one of the key types' -d keyType=rsa1024
expect_error pass-short 'passphrase must have' -d passphrase=short -d passphrase2=short
expect_error pass-mismatch 'passphrase and its confirmation differ' -d passphrase2=other-horse-2
expect_error no-eula 'Accept the EULA' -d eula=
before=$(state)
post "$BASE/smime?action=enroll" forged-token --data-urlencode "token=1.9999999999.00" "${GOOD[@]}" >/dev/null
check_grep "forged token: back to step 1" 'This form has expired' "$OUT/forged-token.html"
check_eq "forged token: nothing recorded" "$before" "$(state)"
post "$BASE/smime?action=enroll" other-email --data-urlencode "token=$FT" "${GOOD[@]}" \
    --data-urlencode email=mallory@example.com >/dev/null
check_grep "a token for another email: back to step 1" 'This form has expired' "$OUT/other-email.html"
check_eq "no CSRF token: 403" 403 "$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" \
    --data-urlencode "token=$FT" "${GOOD[@]}" "$BASE/smime?action=enroll")"

# ---- the good submission: confirmation, request, code and mail ----
rm -f "$INSTANCE"/mail/*.eml
before_req=$(nreq)
code=$(post "$BASE/smime?action=enroll" enrolled --data-urlencode "token=$FT" "${GOOD[@]}")
check_eq "enroll: 200" 200 "$code"
check_grep "confirmation: guide wording" 'You have requested a Client Certificate' "$OUT/enrolled.html"
check_grep "confirmation: the email" 'alice@example.com' "$OUT/enrolled.html"
check_grep "confirmation: the name" 'Alice Q Smith' "$OUT/enrolled.html"
check_grep "confirmation: mail sent" 'We have sent you an email' "$OUT/enrolled.html"
check "confirmation: valid HTML (tidy)" tidy -q -errors "$OUT/enrolled.html"
check_eq "one new request" $((before_req + 1)) "$(nreq)"
check_eq "request awaits validation with what the form said" \
    "Awaiting validation|ec256|Alice|Q|Smith|alice@example.com|365|Client Authentication and Email" \
    "$(db_count "SELECT r.status, r.key_type, r.first_name, r.middle_name, r.last_name, r.requester_email, r.term_days, p.name FROM request r JOIN profile p ON p.id = r.profile_id ORDER BY r.id DESC LIMIT 1")"
check_grep "passphrase stored as Argon2id" '^\$argon2id\$' <(db_count "SELECT passphrase_hash FROM request ORDER BY id DESC LIMIT 1")
check_eq "the request's account, organisation and department" "smime|Demo Org|IT" \
    "$(db_count "SELECT a.name, o.name, d.name FROM request r JOIN account a ON a.id = r.account_id JOIN organization o ON o.id = r.org_id JOIN department d ON d.id = r.dept_id ORDER BY r.id DESC LIMIT 1")"
check_eq "one validation code, bound to the request, 7 days" "validation|alice@example.com|1" \
    "$(db_count "SELECT kind, email, expires - strftime('%s','now') BETWEEN 7*86400-120 AND 7*86400+5 FROM validation_code ORDER BY id DESC LIMIT 1")"
MAIL=$(newest_mail)
check "the validation mail was written" test -n "$MAIL"
check_grep "mail: subject of the guide" '^Subject: Validation Email - You have requested email certificate validation\.' "$MAIL"
check_grep "mail: to the enrolling address" '^To: alice@example.com' "$MAIL"
LINK=$(mail_link "$MAIL")
CODE=$(mail_code "$MAIL")
check_grep "mail: link with the code and the URL-encoded email" \
    "^http://127\\.0\\.0\\.1:$PORT/customer/demo/validate\\?requestCode=$CODE&email=alice%40example\\.com\$" <(echo "$LINK")
check "mail: a code of at least 128 bits (26+ base32 digits)" test "${#CODE}" -ge 26
check_nogrep "the code is not stored in clear" "$CODE" <(sqlite3 "$DB" .dump)

# ---- SCM's link form lands on the validation page ----
curl -s -o /dev/null -D "$OUT/scm.hdr" "$BASE/smime?action=validate&requestCode=$CODE&email=alice%40example.com"
check_grep "SCM link: 303" '^HTTP/1.1 303' "$OUT/scm.hdr"
check_grep "SCM link: to /validate with the same code and email" \
    "^Location: /customer/demo/validate\\?requestCode=$CODE&email=alice%40example\\.com" "$OUT/scm.hdr"

# ---- Account Validation: errors first ----
curl -s -b "$JAR" -c "$JAR" "$LINK" > "$OUT/v-get.html"
check_grep "validation page: Account Validation" 'Account Validation' "$OUT/v-get.html"
check_grep "validation page: email pre-filled" 'value="alice@example.com"' "$OUT/v-get.html"
check_grep "validation page: Password" '<label for="password">Password' "$OUT/v-get.html"
check_grep "validation page: Re-type Password" '<label for="password2">Re-type Password' "$OUT/v-get.html"
check_nogrep "validation page: the code is not echoed" "$CODE" "$OUT/v-get.html"
check "validation page: valid HTML (tidy)" tidy -q -errors "$OUT/v-get.html"
TOK=$(field csrf "$OUT/v-get.html")
VT=$(field token "$OUT/v-get.html")
REF=$(field ref "$OUT/v-get.html")
validate() {	# outname [curl args]
	local name=$1
	shift
	post "$BASE/validate" "$name" --data-urlencode "token=$VT" --data-urlencode "ref=$REF" \
	    --data-urlencode email=alice@example.com "$@"
}
v_error() {	# name pattern [curl args]
	local name=$1 pat=$2 before
	shift 2
	before=$(state)
	validate "$name" "$@" >/dev/null
	check_grep "$name: says why" "$pat" "$OUT/$name.html"
	check_nogrep "$name: no password echoed" "$PW|short1|$PASS" "$OUT/$name.html"
	check_eq "$name: nothing issued, the code unused" "$before" "$(state)"
}
v_error pw-short 'at least 8 characters' -d password=short1 -d password2=short1
v_error pw-mismatch 'password and its confirmation differ' -d password=$PW -d password2=${PW}x
v_error pw-empty 'Enter a password of at least 8' -d password= -d password2=
v_error pw-is-email 'must not be your email' -d password=alice@example.com -d password2=alice@example.com
v_error pw-is-passphrase 'must differ from your passphrase' -d password=$PASS -d password2=$PASS
check_grep "an error keeps the checked code's token" 'name="token"' "$OUT/pw-short.html"
before=$(state)
curl -s -b "$JAR" "$BASE/validate?requestCode=$CODE&email=bob%40example.com" > "$OUT/v-mismatch.html"
check_grep "code with another email: generic message" 'code or the email address is not correct' "$OUT/v-mismatch.html"
curl -s -b "$JAR" "$BASE/validate?requestCode=AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHH&email=alice%40example.com" > "$OUT/v-unknown.html"
check_grep "unknown code: generic message" 'code or the email address is not correct' "$OUT/v-unknown.html"
post "$BASE/validate" v-forged -d requestCode=$CODE --data-urlencode email=alice@example.com \
    --data-urlencode "token=$VT" --data-urlencode "ref=v.1.999.3" -d password=$PW -d password2=$PW >/dev/null
check_grep "a token for another request: refused" 'This form has expired' "$OUT/v-forged.html"
check_eq "mismatch, unknown and forged: nothing written" "$before" "$(state)"

# ---- Account Validation: the certificate ----
before_issued=$(nissued)
code=$(validate v-ok -d password=$PW -d password2=$PW)
check_eq "validate: 303" 303 "$code"
CERT=$(sed -n 's/^Location: .*collect?id=\([0-9a-f]*\).*/\1/p' "$OUT/v-ok.hdr" | tr -d '\r')
check "validate: to the collection page of a certificate ID" test -n "$CERT"
check_eq "the request is issued" "Issued" "$(db_count "SELECT status FROM request WHERE cert_id = '$CERT'")"
check_eq "one more issued certificate" $((before_issued + 1)) "$(nissued)"
check_eq "the code is used" 1 "$(db_count "SELECT used_at IS NOT NULL FROM validation_code ORDER BY id DESC LIMIT 1")"
check_eq "the person was created with the form's names" "Alice|Q|Smith" \
    "$(db_count "SELECT first_name, middle_name, last_name FROM person WHERE email = 'alice@example.com'")"
check_eq "two PKCS#12 files to pick up" 2 \
    "$(db_count "SELECT COUNT(*) FROM p12_pickup p JOIN request r ON r.id = p.request_id WHERE r.cert_id = '$CERT'")"
curl -s -b "$JAR" "$BASE/collect?id=$CERT" > "$OUT/collect.html"
check_grep "collection page: the certificate" "$CERT" "$OUT/collect.html"
for enc in modern compatible; do
	check_grep "collection page: the $enc PKCS#12 link" "collect\\?id=$CERT&amp;p12=$enc" "$OUT/collect.html"
	curl -s -b "$JAR" -D "$OUT/$enc.hdr" -o "$OUT/$enc.p12" "$BASE/collect?id=$CERT&p12=$enc"
	check_grep "$enc PKCS#12 download: application/x-pkcs12" '^Content-Type: application/x-pkcs12' "$OUT/$enc.hdr"
	check "$enc PKCS#12 opens with openssl (no -legacy)" \
	    openssl pkcs12 -in "$OUT/$enc.p12" -passin "pass:$PW" -noenc -out "$OUT/$enc.pem"
	check_grep "$enc PKCS#12 holds the key" 'BEGIN PRIVATE KEY' "$OUT/$enc.pem"
	check_grep "$enc PKCS#12: friendly name" 'friendlyName: Alice Smith <alice@example.com>' "$OUT/$enc.pem"
done
openssl x509 -in "$OUT/modern.pem" -noout -text > "$OUT/cert.txt" 2>/dev/null
check_grep "certificate: SAN is the email" 'email:alice@example.com' "$OUT/cert.txt"
check_grep "certificate: EC P-256 as chosen" 'prime256v1|P-256' "$OUT/cert.txt"
check_grep "certificate: emailProtection" 'E-mail Protection' "$OUT/cert.txt"
SERIAL1=$(db_count "SELECT serial FROM request WHERE cert_id = '$CERT'")
FIRST=$CERT

# ---- the code again: used, nothing more issued ----
before=$(state)
curl -s -b "$JAR" "$LINK" > "$OUT/v-reused.html"
check_grep "reused code: says it was used" 'already been used' "$OUT/v-reused.html"
validate v-reused-post -d password=$PW -d password2=$PW >/dev/null
check_grep "reused token: says it was used" 'already been used|expired' "$OUT/v-reused-post.html"
check_eq "reused code: nothing written" "$before" "$(state)"

# ---- an expired code ----
enroll() {	# email first last passphrase [keyType] -> sets MAIL, LINK, CODE
	TOK=$(csrf_token "$JAR" "$BASE/smime?action=enroll")
	step1 demo-smime-2026 "$1" e1
	rm -f "$INSTANCE"/mail/*.eml
	post "$BASE/smime?action=enroll" e2 --data-urlencode "token=$FT" -d step=2 \
	    --data-urlencode "email=$1" -d "firstName=$2" -d "lastName=$3" \
	    --data-urlencode "profile=Client Authentication and Email" -d term=365 \
	    -d "keyType=${5:-ec256}" -d "passphrase=$4" -d "passphrase2=$4" -d eula=1 >/dev/null
	MAIL=$(newest_mail)
	LINK=$(mail_link "$MAIL")
	CODE=$(mail_code "$MAIL")
}
validate_link() {	# email password outname -> sets CERT
	curl -s -b "$JAR" -c "$JAR" "$LINK" > "$OUT/$3-get.html"
	TOK=$(field csrf "$OUT/$3-get.html")
	post "$BASE/validate" "$3" --data-urlencode "token=$(field token "$OUT/$3-get.html")" \
	    --data-urlencode "ref=$(field ref "$OUT/$3-get.html")" \
	    --data-urlencode "email=$1" -d "password=$2" -d "password2=$2" >/dev/null
	CERT=$(sed -n 's/^Location: .*collect?id=\([0-9a-f]*\).*/\1/p' "$OUT/$3.hdr" | tr -d '\r')
}
enroll bob@example.com Bob Jones bob-passphrase-1
check "second enrollment mailed a code" test -n "$CODE"
db_count "UPDATE validation_code SET expires = strftime('%s','now') - 1 WHERE id = (SELECT MAX(id) FROM validation_code)" >/dev/null
before=$(state)
curl -s -b "$JAR" "$LINK" > "$OUT/v-expired.html"
check_grep "expired code: says so" 'expired and can no longer be used' "$OUT/v-expired.html"
check_eq "expired code: nothing written" "$before" "$(state)"

# ---- renewal by access code ----
renew1() {	# outname [curl args]
	TOK=$(csrf_token "$JAR" "$BASE/smime?action=renew")
	post "$BASE/smime?action=renew" "$1" --data-urlencode email=alice@example.com "${@:2}" >/dev/null
}
before=$(state)
renew1 r-wrong -d accessCode=demo-smime-2026 -d passphrase=wrong-passphrase
check_grep "renewal, wrong passphrase: generic message" 'email address or the passphrase is not correct' "$OUT/r-wrong.html"
check_eq "renewal, wrong passphrase: nothing written" "$before" "$(db_count 'SELECT COUNT(*) FROM request')/$(nissued)/$(ncodes)/$(nused)/$(npersons)/$(db_count 'SELECT COUNT(*) FROM p12_pickup')"
db_count "UPDATE request SET pass_failures = 0" >/dev/null
renew1 r-1 -d accessCode=demo-smime-2026 -d passphrase=$PASS
check_grep "renewal step 2 lists the certificate" "value=\"$CERT\"" "$OUT/r-1.html"
R_TOK=$(field token "$OUT/r-1.html")
R_ALLOWED=$(field allowed "$OUT/r-1.html")
renew2() {	# outname [curl args]
	post "$BASE/smime?action=renew" "$1" -d step=2 --data-urlencode "token=$R_TOK" \
	    --data-urlencode "allowed=$R_ALLOWED" --data-urlencode email=alice@example.com \
	    -d certId=$CERT "${@:2}"
}
check_nogrep "access-code renewal step 2 asks for no password" 'name="password"' "$OUT/r-1.html"
check_grep "access-code renewal step 2 says a mail follows" 'send a validation email' "$OUT/r-1.html"
rm -f "$INSTANCE"/mail/*.eml
before_issued=$(nissued)
code=$(renew2 r-ok -d password=$PW -d password2=$PW)
check_eq "renewal by access code: a confirmation, no certificate" "200|$before_issued" "$code|$(nissued)"
check_grep "renewal: the confirmation names the renewal" "renewal of the Client Certificate $CERT" "$OUT/r-ok.html"
check_eq "renewal: a request awaiting validation, renewal of the old" "Awaiting validation|1" \
    "$(db_count "SELECT n.status, n.renewal_of = o.id FROM request n, request o WHERE o.cert_id = '$CERT' AND n.renewal_of = o.id")"
check_eq "renewal: the old stays Issued until validated" "Issued" "$(db_count "SELECT status FROM request WHERE cert_id = '$CERT'")"
MAIL=$(newest_mail)
LINK=$(mail_link "$MAIL")
check_grep "renewal: the validation mail says it is a renewal" "renewal of your email certificate" "$MAIL"
validate_link alice@example.com $PW r-val
NEWCERT=$CERT
CERT=$FIRST
check "renewal: validation issues a new certificate ID" test -n "$NEWCERT" -a "$NEWCERT" != "$CERT"
check_eq "renewal: same details, renewal of the old" "Issued|ec256|Alice|Smith|1" \
    "$(db_count "SELECT n.status, n.key_type, n.first_name, n.last_name, n.renewal_of = o.id FROM request n, request o WHERE n.cert_id = '$NEWCERT' AND o.cert_id = '$CERT'")"
check_eq "renewal: the old is revoked as superseded" "Revoked|4" \
    "$(db_count "SELECT status, revoke_reason FROM request WHERE cert_id = '$CERT'")"
check "renewal: the owner is told it was renewed" grep -l "has been renewed" "$INSTANCE"/mail/*.eml
curl -s -o "$OUT/ca.crl" "$BASE/crl/ca.crl"
openssl crl -inform DER -in "$OUT/ca.crl" -noout -text > "$OUT/crl.txt"
check_grep "renewal: the old serial is on the CRL" "Serial Number: $SERIAL1" "$OUT/crl.txt"
check_grep "renewal: as superseded" 'Superseded' "$OUT/crl.txt"

# ---- revoked, then renew: a clear refusal ----
before=$(state)
code=$(renew2 r-again -d password=$PW -d password2=$PW)
check_grep "renewing the revoked one again: refused clearly" 'has been revoked and cannot be renewed' "$OUT/r-again.html"
check_eq "renewing the revoked one: nothing written" "$before" "$(state)"

# ---- revocation from the list ----
enroll alice@example.com Alice Smith $PASS
validate_link alice@example.com $PW v-third
THIRD=$CERT
check "a third certificate for alice" test -n "$THIRD"
TOK=$(csrf_token "$JAR" "$BASE/smime?action=revoke")
before=$(state)
post "$BASE/smime?action=revoke" rv-wrong --data-urlencode email=alice@example.com -d passphrase=nope-nope-nope >/dev/null
check_grep "revocation, wrong passphrase: generic message" 'email address or the passphrase is not correct' "$OUT/rv-wrong.html"
db_count "UPDATE request SET pass_failures = 0" >/dev/null
post "$BASE/smime?action=revoke" rv-1 --data-urlencode email=alice@example.com -d passphrase=$PASS >/dev/null
check_grep "revocation: both valid certificates listed" "value=\"$NEWCERT\"" "$OUT/rv-1.html"
check_grep "revocation: the third too" "value=\"$THIRD\"" "$OUT/rv-1.html"
check_nogrep "revocation: the superseded one is not" "value=\"$FIRST\"" "$OUT/rv-1.html"
check "revocation list: valid HTML (tidy)" tidy -q -errors "$OUT/rv-1.html"
RV_TOK=$(field token "$OUT/rv-1.html")
RV_ALLOWED=$(field allowed "$OUT/rv-1.html")
SEL=$(grep -o "name=\"sel[0-9]*\" value=\"$THIRD\"" "$OUT/rv-1.html" | sed 's/name="\(sel[0-9]*\)".*/\1/')
post "$BASE/smime?action=revoke" rv-none -d step=2 --data-urlencode "token=$RV_TOK" \
    --data-urlencode "allowed=$RV_ALLOWED" --data-urlencode email=alice@example.com >/dev/null
check_grep "revocation without a choice: says so" 'Select one or more certificates' "$OUT/rv-none.html"
post "$BASE/smime?action=revoke" rv-other -d step=2 --data-urlencode "token=$RV_TOK" \
    --data-urlencode "allowed=$RV_ALLOWED" --data-urlencode email=alice@example.com -d "sel0=$FIRST" >/dev/null
check_eq "revocation of an ID not listed: nothing written" "$before" "$(state)"
rm -f "$INSTANCE"/mail/*.eml
post "$BASE/smime?action=revoke" rv-ok -d step=2 --data-urlencode "token=$RV_TOK" \
    --data-urlencode "allowed=$RV_ALLOWED" --data-urlencode email=alice@example.com \
    -d "$SEL=$THIRD" -d reason=keyCompromise >/dev/null
check_grep "revocation: confirmed" 'have been revoked' "$OUT/rv-ok.html"
check_eq "revocation: only the chosen one" "Revoked|Issued" \
    "$(db_count "SELECT (SELECT status FROM request WHERE cert_id = '$THIRD') || '|' || (SELECT status FROM request WHERE cert_id = '$NEWCERT')")"
THIRD_SERIAL=$(db_count "SELECT serial FROM request WHERE cert_id = '$THIRD'")
# lighttpd trusts its stat cache for a second: the CRL of one second ago
# may still be served for a file replaced within it.
sleep 1.1
curl -s -o "$OUT/ca2.crl" "$BASE/crl/ca.crl"
check_grep "revocation: the CRL was regenerated with it" "Serial Number: $THIRD_SERIAL" \
    <(openssl crl -inform DER -in "$OUT/ca2.crl" -noout -text)
check_grep "revocation: mail to the person" '^To: alice@example.com' "$(newest_mail)"

# ---- user-CSR account: the person's own key ----
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$OUT/carol.key" \
    -out "$OUT/carol.csr" -subj "/CN=Carol White/emailAddress=carol@example.com" \
    -addext "subjectAltName=email:carol@example.com" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$OUT/eve.key" \
    -out "$OUT/eve.csr" -subj "/CN=Eve/emailAddress=eve@evil.org" 2>/dev/null
TOK=$(csrf_token "$JAR" "$BASE/smime/csr?action=enroll")
post "$BASE/smime/csr?action=enroll" c1 -d accessCode=demo-smime-csr-2026 --data-urlencode email=carol@example.com >/dev/null
FT=$(field token "$OUT/c1.html")
check_grep "user CSR: the form asks for a CSR" 'name="csr"' "$OUT/c1.html"
check_nogrep "user CSR: no key type" 'name="keyType"' "$OUT/c1.html"
csr_post() {	# outname csrfile
	curl -s -b "$JAR" -c "$JAR" -o "$OUT/$1.html" -D "$OUT/$1.hdr" -w '%{http_code}' \
	    -F "csrf=$TOK" -F "token=$FT" -F step=2 -F email=carol@example.com \
	    -F firstName=Carol -F lastName=White -F term=365 -F "csr=<$2" \
	    -F passphrase=$PASS -F passphrase2=$PASS -F eula=1 "$BASE/smime/csr?action=enroll"
}
before=$(state)
csr_post c-foreign "$OUT/eve.csr" >/dev/null
check_grep "user CSR for a foreign domain: refused" 'evil.org' "$OUT/c-foreign.html"
check_eq "user CSR refused: nothing written" "$before" "$(state)"
rm -f "$INSTANCE"/mail/*.eml
csr_post c-ok "$OUT/carol.csr" >/dev/null
check_grep "user CSR: confirmation" 'You have requested a Client Certificate' "$OUT/c-ok.html"
MAIL=$(newest_mail)
LINK=$(mail_link "$MAIL")
curl -s -b "$JAR" -c "$JAR" "$LINK" > "$OUT/c-v.html"
check_nogrep "user CSR: validation asks for no password" 'name="password"' "$OUT/c-v.html"
TOK=$(field csrf "$OUT/c-v.html")
post "$BASE/validate" c-v-ok --data-urlencode "token=$(field token "$OUT/c-v.html")" \
    --data-urlencode "ref=$(field ref "$OUT/c-v.html")" --data-urlencode email=carol@example.com >/dev/null
CCERT=$(sed -n 's/^Location: .*collect?id=\([0-9a-f]*\).*/\1/p' "$OUT/c-v-ok.hdr" | tr -d '\r')
check "user CSR: issued to the collection page" test -n "$CCERT"
check_eq "user CSR: no PKCS#12 kept" 0 \
    "$(db_count "SELECT COUNT(*) FROM p12_pickup p JOIN request r ON r.id = p.request_id WHERE r.cert_id = '$CCERT'")"
curl -s "$BASE/collect?id=$CCERT" > "$OUT/c-collect.html"
check_nogrep "user CSR: the collection page offers no PKCS#12" 'p12=' "$OUT/c-collect.html"
check_grep "user CSR: the collection page offers the certificate formats" 'format=' "$OUT/c-collect.html"
sqlite3 "$DB" "SELECT writefile('$OUT/carol.der', cert_der) FROM request WHERE cert_id = '$CCERT'" >/dev/null
check_eq "user CSR: the certificate holds the person's key" \
    "$(openssl pkey -in "$OUT/carol.key" -pubout | openssl sha256)" \
    "$(openssl x509 -inform DER -in "$OUT/carol.der" -pubkey -noout | openssl sha256)"

# A user-CSR certificate renews with a new CSR of the person's.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$OUT/carol2.key" \
    -out "$OUT/carol2.csr" -subj "/CN=Carol White/emailAddress=carol@example.com" 2>/dev/null
TOK=$(csrf_token "$JAR" "$BASE/smime/csr?action=renew")
post "$BASE/smime/csr?action=renew" cr-1 -d accessCode=demo-smime-csr-2026 \
    --data-urlencode email=carol@example.com -d passphrase=$PASS >/dev/null
check_grep "user-CSR renewal asks for a CSR" 'name="csr"' "$OUT/cr-1.html"
check_nogrep "user-CSR renewal asks for no password" 'name="password"' "$OUT/cr-1.html"
rm -f "$INSTANCE"/mail/*.eml
curl -s -b "$JAR" -c "$JAR" -o "$OUT/cr-2.html" -D "$OUT/cr-2.hdr" -F "csrf=$TOK" -F step=2 \
    -F "token=$(field token "$OUT/cr-1.html")" -F "allowed=$(field allowed "$OUT/cr-1.html")" \
    -F email=carol@example.com -F certId=$CCERT -F "csr=<$OUT/carol2.csr" "$BASE/smime/csr?action=renew"
check_grep "user-CSR renewal: waits for the mailbox" "renewal of the Client Certificate $CCERT" "$OUT/cr-2.html"
LINK=$(mail_link "$(newest_mail)")
curl -s -b "$JAR" -c "$JAR" "$LINK" > "$OUT/cr-v.html"
TOK=$(field csrf "$OUT/cr-v.html")
post "$BASE/validate" cr-v-ok --data-urlencode "token=$(field token "$OUT/cr-v.html")" \
    --data-urlencode "ref=$(field ref "$OUT/cr-v.html")" --data-urlencode email=carol@example.com >/dev/null
CCERT2=$(sed -n 's/^Location: .*collect?id=\([0-9a-f]*\).*/\1/p' "$OUT/cr-v-ok.hdr" | tr -d '\r')
check "user-CSR renewal: issued on validation" test -n "$CCERT2"
sqlite3 "$DB" "SELECT writefile('$OUT/carol2.der', cert_der) FROM request WHERE cert_id = '$CCERT2'" >/dev/null
check_eq "user-CSR renewal: the new CSR's key" \
    "$(openssl pkey -in "$OUT/carol2.key" -pubout | openssl sha256)" \
    "$(openssl x509 -inform DER -in "$OUT/carol2.der" -pubkey -noout | openssl sha256)"
check_eq "user-CSR renewal: the old one superseded" "Revoked|4" \
    "$(db_count "SELECT status, revoke_reason FROM request WHERE cert_id = '$CCERT'")"

# ---- secret ID and invitation: persons from the CLI ----
# Secret ID (guide 3.3.4.2): dana@example.com, demo-secret-2026, from instance.sh.
SID=demo-secret-2026
sid1() {	# outname email secret [extra curl args]
	TOK=$(csrf_token "$JAR" "$BASE/smime?action=enroll&swt=sid")
	post "$BASE/smime?action=enroll&swt=sid" "$1" -d swt=sid \
	    --data-urlencode "email=$2" --data-urlencode "secretId=$3" "${@:4}" >/dev/null
	FT=$(field token "$OUT/$1.html")
}
curl -s "$BASE/smime?action=enroll&swt=sid" > "$OUT/sid-get.html"
check_grep "secret ID: Digital Certificate Download" 'Digital Certificate Download' "$OUT/sid-get.html"
check_grep "secret ID: Secret identifier field" '<label for="secretId">Secret identifier' "$OUT/sid-get.html"
before=$(state)
sid1 sid-wrong dana@example.com not-the-secret
check_grep "wrong secret ID: generic message" 'email address or the secret identifier is not correct' "$OUT/sid-wrong.html"
check_nogrep "wrong secret ID: not echoed" 'not-the-secret' "$OUT/sid-wrong.html"
sid1 sid-unknown nobody@example.com $SID
check_grep "unknown person: the same generic message" 'email address or the secret identifier is not correct' "$OUT/sid-unknown.html"
check_eq "secret-ID failures: nothing issued" "$before" "$(state)"
db_count "UPDATE person SET secret_failures = 0" >/dev/null
sid1 sid-1 DANA@example.com $SID
check "secret ID: step 2 token" test -n "$FT"
for f in profile term keyType password password2 passphrase passphrase2 eula; do
	check_grep "secret-ID form has $f with a label" "<label[^>]*for=\"$f\"" "$OUT/sid-1.html"
done
check_grep "secret-ID form: Annual Renewal Passphrase" 'Annual Renewal Passphrase' "$OUT/sid-1.html"
check_nogrep "secret-ID form: no name fields" 'name="firstName"' "$OUT/sid-1.html"
SGOOD=(-d step=2 -d swt=sid --data-urlencode email=dana@example.com
    --data-urlencode "profile=Client Authentication and Email" -d term=730
    -d keyType=rsa2048 -d password=$PW -d password2=$PW
    -d passphrase=dana-passphrase-1 -d passphrase2=dana-passphrase-1 -d eula=1)
sid2() { post "$BASE/smime?action=enroll&swt=sid" "$1" --data-urlencode "token=$FT" "${SGOOD[@]}" "${@:2}"; }
before=$(state)
sid2 sid-pw-short -d password=short1 -d password2=short1 >/dev/null
check_grep "secret ID, short password: says why" 'at least 8 characters' "$OUT/sid-pw-short.html"
sid2 sid-pw-pass -d password=dana-passphrase-1 -d password2=dana-passphrase-1 >/dev/null
check_grep "secret ID, password is the passphrase: says why" 'must differ from your passphrase' "$OUT/sid-pw-pass.html"
sid2 sid-key -d keyType=ec384 >/dev/null
check_grep "secret ID, key type not of the profile: says why" 'Choose one of the key types' "$OUT/sid-key.html"
check_grep "secret ID errors keep the chosen term" 'value="730" selected' "$OUT/sid-key.html"
check_eq "secret-ID form errors: nothing written" "$before" "$(state)"
code=$(sid2 sid-ok)
check_eq "secret ID: issued at once, 303" 303 "$code"
SCERT=$(sed -n 's/^Location: .*collect?id=\([0-9a-f]*\).*/\1/p' "$OUT/sid-ok.hdr" | tr -d '\r')
check_eq "secret ID: the person's names, RSA 2048, two years" "Issued|Dana|Brown|rsa2048|730" \
    "$(db_count "SELECT status, first_name, last_name, key_type, term_days FROM request WHERE cert_id = '$SCERT'")"
check_eq "secret ID: no second person" 1 "$(db_count "SELECT COUNT(*) FROM person WHERE email = 'dana@example.com'")"
curl -s -b "$JAR" -o "$OUT/dana.p12" "$BASE/collect?id=$SCERT&p12=modern"
check "secret ID: the PKCS#12 opens with the password" \
    openssl pkcs12 -in "$OUT/dana.p12" -passin "pass:$PW" -noenc -out "$OUT/dana.pem"

# Renewal by secret ID.
TOK=$(csrf_token "$JAR" "$BASE/smime?action=renew&swt=sid")
post "$BASE/smime?action=renew&swt=sid" sr-1 -d swt=sid --data-urlencode email=dana@example.com \
    -d secretId=$SID -d passphrase=dana-passphrase-1 >/dev/null
check_grep "renewal by secret ID: the certificate listed" "value=\"$SCERT\"" "$OUT/sr-1.html"
code=$(post "$BASE/smime?action=renew&swt=sid" sr-2 -d step=2 -d swt=sid \
    --data-urlencode "token=$(field token "$OUT/sr-1.html")" \
    --data-urlencode "allowed=$(field allowed "$OUT/sr-1.html")" \
    --data-urlencode email=dana@example.com -d certId=$SCERT -d password=$PW -d password2=$PW)
check_eq "renewal by secret ID: 303" 303 "$code"
check_eq "renewal by secret ID: the old is superseded" "Revoked|4" \
    "$(db_count "SELECT status, revoke_reason FROM request WHERE cert_id = '$SCERT'")"

# The eleventh wrong secret ID finds it locked (the address throttle is
# cleared in between, so what stops it is the person's own lock).
for i in $(seq 1 10); do
	db_count "DELETE FROM throttle" >/dev/null
	sid1 sid-lock-$i dana@example.com "wrong-$i"
done
db_count "DELETE FROM throttle" >/dev/null
before=$(state)
sid1 sid-locked dana@example.com $SID
check_grep "eleventh attempt, even the right one: locked" 'secret identifier is locked' "$OUT/sid-locked.html"
check_eq "locked: nothing written" "$before" "$(state)"
check "person unlock" quiet cdadm person unlock dana@example.com --org "Demo Org"
sid1 sid-unlocked dana@example.com $SID
check "after unlock: the form again" test -n "$FT"

# Invitation (guide 3.3.4.3): User Registration.
cdadm person add erin@example.com --org "Demo Org" --dept IT --first Erin --last Green >/dev/null
rm -f "$INSTANCE"/mail/*.eml
check "person invite" quiet cdadm person invite erin@example.com --account smime
MAIL=$(newest_mail)
check "the invitation mail was written" test -n "$MAIL"
LINK=$(mail_link "$MAIL")
check_grep "invitation link to /validate" "/customer/demo/validate\\?requestCode=" <(echo "$LINK")
curl -s -b "$JAR" -c "$JAR" "$LINK" > "$OUT/inv-get.html"
check_grep "invitation: User Registration" 'User Registration' "$OUT/inv-get.html"
for f in password password2 passphrase passphrase2 eula; do
	check_grep "User Registration has $f with a label" "<label[^>]*for=\"$f\"" "$OUT/inv-get.html"
done
TOK=$(field csrf "$OUT/inv-get.html")
register() {	# outname [curl args]
	post "$BASE/validate" "$1" --data-urlencode "token=$(field token "$OUT/inv-get.html")" \
	    --data-urlencode "ref=$(field ref "$OUT/inv-get.html")" \
	    --data-urlencode email=erin@example.com "${@:2}"
}
before=$(state)
register inv-nopass -d password=$PW -d password2=$PW -d eula=1 >/dev/null
check_grep "registration without a passphrase: says why" 'passphrase must have' "$OUT/inv-nopass.html"
register inv-noeula -d password=$PW -d password2=$PW -d passphrase=erin-pass-1 -d passphrase2=erin-pass-1 >/dev/null
check_grep "registration without the EULA: says why" 'Accept the EULA' "$OUT/inv-noeula.html"
register inv-mismatch -d password=$PW -d password2=other-pw-1 -d passphrase=erin-pass-1 -d passphrase2=erin-pass-1 -d eula=1 >/dev/null
check_grep "registration, mismatched passwords: says why" 'password and its confirmation differ' "$OUT/inv-mismatch.html"
check_grep "registration errors keep User Registration" 'User Registration' "$OUT/inv-mismatch.html"
check_eq "registration errors: nothing written" "$before" "$(state)"
code=$(register inv-ok -d password=$PW -d password2=$PW -d passphrase=erin-pass-1 -d passphrase2=erin-pass-1 -d eula=1)
check_eq "registration: 303 to the collection page" 303 "$code"
ICERT=$(sed -n 's/^Location: .*collect?id=\([0-9a-f]*\).*/\1/p' "$OUT/inv-ok.hdr" | tr -d '\r')
check_eq "registration: Erin's certificate" "Issued|Erin|Green|erin@example.com" \
    "$(db_count "SELECT status, first_name, last_name, requester_email FROM request WHERE cert_id = '$ICERT'")"
check_eq "registration: the invitation code is used" 1 \
    "$(db_count "SELECT used_at IS NOT NULL FROM validation_code WHERE kind = 'invitation' ORDER BY id DESC LIMIT 1")"
curl -s -b "$JAR" "$LINK" > "$OUT/inv-again.html"
check_grep "the invitation again: used" 'already been used' "$OUT/inv-again.html"

# ---- an account that allows an empty PKCS#12 password: warned, then issued ----
cdadm account add smime-empty --endpoint smime --org "Demo Org" --code demo-empty-2026 \
    --profile "Email Signing" --allow-empty-p12 >/dev/null
TOK=$(csrf_token "$JAR" "$BASE/smime?action=enroll")
step1 demo-empty-2026 gus@example.com em1
check_nogrep "one profile: no profile choice" 'id="profile"' "$OUT/em1.html"
check_grep "one profile: named with its description" 'Certificate Profile: Email Signing' "$OUT/em1.html"
rm -f "$INSTANCE"/mail/*.eml
post "$BASE/smime?action=enroll" em2 --data-urlencode "token=$FT" -d step=2 \
    --data-urlencode email=gus@example.com -d firstName=Gus -d lastName=Grey -d term=365 \
    -d keyType=ec256 -d passphrase=gus-passphrase -d passphrase2=gus-passphrase -d eula=1 >/dev/null
LINK=$(mail_link "$(newest_mail)")
curl -s -b "$JAR" -c "$JAR" "$LINK" > "$OUT/em-get.html"
check_grep "empty password allowed: the page warns" 'leave the password empty, but then anyone' "$OUT/em-get.html"
TOK=$(field csrf "$OUT/em-get.html")
post "$BASE/validate" em-ok --data-urlencode "token=$(field token "$OUT/em-get.html")" \
    --data-urlencode "ref=$(field ref "$OUT/em-get.html")" --data-urlencode email=gus@example.com \
    -d password= -d password2= >/dev/null
ECERT=$(sed -n 's/^Location: .*collect?id=\([0-9a-f]*\).*/\1/p' "$OUT/em-ok.hdr" | tr -d '\r')
check "empty password allowed: issued" test -n "$ECERT"
curl -s -b "$JAR" -o "$OUT/gus.p12" "$BASE/collect?id=$ECERT&p12=modern"
check "empty password: the PKCS#12 opens with the empty password" \
    openssl pkcs12 -in "$OUT/gus.p12" -passin pass: -noenc -out "$OUT/gus.pem"

# ---- a validation mail that cannot be sent is shown, and the request stays ----
mv "$INSTANCE/mail" "$INSTANCE/mail.saved"
touch "$INSTANCE/mail"
before_req=$(nreq)
enroll frank@example.com Frank Hill frank-passphrase-1
rm -f "$INSTANCE/mail"
mv "$INSTANCE/mail.saved" "$INSTANCE/mail"
check_grep "mail failure: shown on the confirmation page" 'validation email could not be sent' "$OUT/e2.html"
check_eq "mail failure: the request is recorded" $((before_req + 1)) "$(nreq)"
check_grep "mail failure: logged" 'validation email for request [0-9]+ not sent' "$INSTANCE/lighttpd-error.log"

# ---- guessing is throttled per address (SPEC 5) ----
db_count "DELETE FROM throttle" >/dev/null
before=$(state)
for i in $(seq 1 10); do
	curl -s -o /dev/null "$BASE/validate?requestCode=WRONGCODE0000000000000000000000$i&email=alice%40example.com"
done
check_eq "the eleventh code guess from one address: 429" 429 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/validate?requestCode=WRONGCODE&email=alice%40example.com")"
TOK=$(csrf_token "$JAR" "$BASE/validate")
check_eq "a posted code while blocked: 429" 429 \
    "$(post "$BASE/validate" v-blocked -d requestCode=WRONGCODE --data-urlencode email=alice@example.com)"
check_grep "the 429 page says to wait" 'wait 15 minutes' "$OUT/v-blocked.html"
db_count "DELETE FROM throttle" >/dev/null
for i in $(seq 1 10); do
	sid1 sid-guess-$i "nobody$i@example.com" "guess-$i"
done
code=$(curl -s -o "$OUT/sid-blocked.html" -w '%{http_code}' -b "$JAR" -c "$JAR" \
    --data-urlencode "csrf=$TOK" -d swt=sid -d email=dana@example.com -d secretId=wrong-again \
    "$BASE/smime?action=enroll&swt=sid")
check_eq "the eleventh secret-ID guess from one address: 429" 429 "$code"
check_eq "throttled guesses wrote nothing" "$before" "$(state)"
check_eq "the blocked guess never reached the person's secret check" 0 \
    "$(db_count "SELECT secret_failures FROM person WHERE email = 'dana@example.com'")"
db_count "DELETE FROM throttle" >/dev/null

# ---- several enrollments in a row through the same workers ----
for i in 1 2 3 4 5; do
	enroll "user$i@example.com" User "Number$i" "passphrase-$i-ok"
	validate_link "user$i@example.com" "pkcs12-pw-$i" seq-$i
	check "in a row, #$i: issued" test -n "$CERT"
	check_nogrep "in a row, #$i: no other person's data on the page" 'user[0-9]@example.com' \
	    <(grep -v "user$i@example.com" "$OUT/seq-$i-get.html")
done
check_eq "in a row: every code used once" "$(ncodes)" \
    "$(( $(nused) + $(db_count "SELECT COUNT(*) FROM validation_code WHERE used_at IS NULL") ))"
check_nogrep "the server log holds no passphrase or password" "$PASS|$PW|pkcs12-pw-" "$INSTANCE/lighttpd-error.log"

finish
