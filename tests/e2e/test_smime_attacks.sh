#!/usr/bin/env bash
# Client (S/MIME) certificate forms against an attacker: codes and form
# tokens that outlive the address they were made for, renewal by access
# code without the mailbox, the PKCS#12 pick-up without the enrolling
# browser, floods of validation mails, double revocation and renewal of
# a certificate whose account is gone.  Each case first shows the attack
# would work and then that nothing was issued or written.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/smime_attacks"
rm -rf "$OUT" && mkdir -p "$OUT"

start_instance
JAR="$OUT/cookies"
PW=pkcs12-secret-9

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
location_id() { sed -n 's/^Location: .*collect?id=\([0-9a-f]*\).*/\1/p' "$1" | tr -d '\r'; }
nissued() { db_count "SELECT COUNT(*) FROM request WHERE status = 'Issued'"; }

# ---- 1. an invitation mailed to the old address, after person edit --email ----
cdadm person add bob@example.com --org "Demo Org" --dept IT --first Rob --last Roberts >/dev/null
rm -f "$INSTANCE"/mail/*.eml
cdadm person invite bob@example.com --account smime >/dev/null
LINK=$(mail_link "$(newest_mail)")
check "invitation mailed to bob@" test -n "$LINK"
# The register page is opened before the address is corrected.
curl -s -b "$JAR" -c "$JAR" "$LINK" > "$OUT/inv-get.html"
check_grep "bob's code opens User Registration" 'User Registration' "$OUT/inv-get.html"
TOK=$(field csrf "$OUT/inv-get.html")
register() {	# outname email
	post "$BASE/validate" "$1" --data-urlencode "token=$(field token "$OUT/inv-get.html")" \
	    --data-urlencode "ref=$(field ref "$OUT/inv-get.html")" --data-urlencode "email=$2" \
	    -d password=$PW -d password2=$PW -d passphrase=bob-pass-12 -d passphrase2=bob-pass-12 -d eula=1
}
# Even a code that survived the edit (written around the store) is refused.
db_count "UPDATE person SET email = 'rob@example.com' WHERE email = 'bob@example.com'" >/dev/null
before=$(nissued)
code=$(register inv-moved bob@example.com)
check_eq "a code for the old address issues nothing after the address changed" "200|$before" "$code|$(nissued)"
check_grep "and says the code is not right" 'code or the email address is not correct' "$OUT/inv-moved.html"
code=$(register inv-new rob@example.com)
check_eq "nor with the new address typed" "200|$before" "$code|$(nissued)"
db_count "UPDATE person SET email = 'bob@example.com' WHERE email = 'rob@example.com'" >/dev/null
check_eq "the code row is still unused before the edit" 1 \
    "$(db_count "SELECT COUNT(*) FROM validation_code v JOIN person p ON p.id = v.person_id WHERE p.email = 'bob@example.com' AND v.used_at IS NULL")"
cdadm person edit bob@example.com --org "Demo Org" --email rob@example.com >/dev/null
check_eq "person edit --email deletes the person's unused codes" 0 \
    "$(db_count "SELECT COUNT(*) FROM validation_code v JOIN person p ON p.id = v.person_id WHERE p.email = 'rob@example.com'")"
curl -s -b "$JAR" "$LINK" > "$OUT/inv-after-edit.html"
check_grep "the old link is now an unknown code" 'code or the email address is not correct' "$OUT/inv-after-edit.html"
check_eq "and nothing was issued for rob@" 0 \
    "$(db_count "SELECT COUNT(*) FROM request WHERE requester_email = 'rob@example.com'")"
# A change of the names alone keeps the invitation.
cdadm person add carl@example.com --org "Demo Org" --dept IT --first Carl --last Cole >/dev/null
cdadm person invite carl@example.com --account smime >/dev/null
cdadm person edit carl@example.com --org "Demo Org" --first Carlos >/dev/null
check_eq "a name change keeps the unused invitation" 1 \
    "$(db_count "SELECT COUNT(*) FROM validation_code v JOIN person p ON p.id = v.person_id WHERE p.email = 'carl@example.com' AND v.used_at IS NULL")"

# ---- 2. a secret-ID step-2 token after its person was deleted and the id reused ----
echo mallory-secret-1 | cdadm person add mallory@example.com --org "Demo Org" --dept IT \
    --first Mal --last Lory --secret-id - >/dev/null
TOK=$(csrf_token "$JAR" "$BASE/smime?action=enroll&swt=sid")
post "$BASE/smime?action=enroll&swt=sid" sid1 -d swt=sid --data-urlencode email=mallory@example.com \
    -d secretId=mallory-secret-1 >/dev/null
FT=$(field token "$OUT/sid1.html")
check "mallory's step-2 token" test -n "$FT"
MID=$(db_count "SELECT id FROM person WHERE email = 'mallory@example.com'")
cdadm person delete mallory@example.com --org "Demo Org" --yes >/dev/null
cdadm person add victor@example.com --org "Demo Org" --dept IT --first Victor --last Tim >/dev/null
check_eq "victor got mallory's person id" "$MID" "$(db_count "SELECT id FROM person WHERE email = 'victor@example.com'")"
before=$(nissued)
code=$(post "$BASE/smime?action=enroll&swt=sid" sid2 -d swt=sid -d step=2 --data-urlencode "token=$FT" \
    --data-urlencode email=mallory@example.com --data-urlencode "profile=Client Authentication and Email" \
    -d term=365 -d keyType=ec256 -d passphrase=mallory-pass-1 -d passphrase2=mallory-pass-1 \
    -d password=mallory-pw-1 -d password2=mallory-pw-1 -d eula=1)
check_eq "the old token issues nothing for the new person" "200|$before" "$code|$(nissued)"
check_grep "and asks to start again" 'This form has expired' "$OUT/sid2.html"

# ---- 3. renewal by access code goes through the mailbox ----
AJ="$OUT/attacker-jar"
apost() {	# like post, with the attacker's cookie jar
	local url=$1 name=$2
	shift 2
	curl -s -b "$AJ" -c "$AJ" -o "$OUT/$name.html" -D "$OUT/$name.hdr" \
	    -w '%{http_code}' --data-urlencode "csrf=$TOK" "$@" "$url"
}
# The attacker enrolls alice@ with his passphrase; alice validates.
TOK=$(csrf_token "$AJ" "$BASE/smime?action=enroll")
apost "$BASE/smime?action=enroll" a-s1 -d accessCode=demo-smime-2026 --data-urlencode email=alice@example.com >/dev/null
rm -f "$INSTANCE"/mail/*.eml
apost "$BASE/smime?action=enroll" a-s2 -d step=2 --data-urlencode "token=$(field token "$OUT/a-s1.html")" \
    --data-urlencode email=alice@example.com -d firstName=Alice -d lastName=Smith \
    --data-urlencode "profile=Client Authentication and Email" -d term=365 -d keyType=ec256 \
    -d passphrase=attacker-pass-1 -d passphrase2=attacker-pass-1 -d eula=1 >/dev/null
LINK=$(mail_link "$(newest_mail)")
curl -s -b "$JAR" -c "$JAR" "$LINK" > "$OUT/al-v.html"
TOK=$(field csrf "$OUT/al-v.html")
post "$BASE/validate" al-v-ok --data-urlencode "token=$(field token "$OUT/al-v.html")" \
    --data-urlencode "ref=$(field ref "$OUT/al-v.html")" --data-urlencode email=alice@example.com \
    -d password=alice-pw-123 -d password2=alice-pw-123 >/dev/null
ACERT=$(location_id "$OUT/al-v-ok.hdr")
check "alice validated her certificate" test -n "$ACERT"
# The attacker renews it with the access code and his passphrase.
TOK=$(csrf_token "$AJ" "$BASE/smime?action=renew")
apost "$BASE/smime?action=renew" a-r1 -d accessCode=demo-smime-2026 --data-urlencode email=alice@example.com \
    -d passphrase=attacker-pass-1 >/dev/null
RT=$(field token "$OUT/a-r1.html")
RA=$(field allowed "$OUT/a-r1.html")
check "the attacker reaches renewal step 2" test -n "$RT"
before=$(nissued)
rm -f "$INSTANCE"/mail/*.eml
code=$(apost "$BASE/smime?action=renew" a-r2 -d step=2 --data-urlencode "token=$RT" --data-urlencode "allowed=$RA" \
    --data-urlencode email=alice@example.com -d certId=$ACERT -d password=attacker-pw-1 -d password2=attacker-pw-1)
check_eq "renewal by access code issues nothing at once" "200|$before" "$code|$(nissued)"
check_eq "no PKCS#12 for the attacker" "" "$(location_id "$OUT/a-r2.hdr")"
check_grep "the validation mail goes to alice's mailbox" 'To: alice@example.com' "$(newest_mail)"
check_eq "alice's certificate stays Issued" Issued "$(db_count "SELECT status FROM request WHERE cert_id = '$ACERT'")"
# The access-code step-2 token does not open the secret-ID variant.
code=$(apost "$BASE/smime?action=renew&swt=sid" a-r2sid -d step=2 -d swt=sid --data-urlencode "token=$RT" \
    --data-urlencode "allowed=$RA" --data-urlencode email=alice@example.com -d certId=$ACERT \
    -d password=attacker-pw-1 -d password2=attacker-pw-1)
check_eq "nor through the secret-ID renewal" "200|$before" "$code|$(nissued)"
check_grep "which asks to start again" 'This form has expired' "$OUT/a-r2sid.html"

# ---- 4. the PKCS#12 pick-up needs the browser that completed the issuance ----
# alice validated above in JAR: the answer set the pick-up cookie, not a URL.
check_grep "validation sets the pick-up cookie" \
    "^Set-Cookie: cd_p12_$ACERT=[0-9a-f]{64}; Path=/customer/demo/collect; Max-Age=3600; HttpOnly; SameSite=Strict" "$OUT/al-v-ok.hdr"
PK=$(sed -n "s/^Set-Cookie: cd_p12_$ACERT=\([0-9a-f]*\);.*/\1/p" "$OUT/al-v-ok.hdr")
check_nogrep "the redirect carries no secret" "$PK" <(grep -i '^Location' "$OUT/al-v-ok.hdr")
check_eq "alice's browser downloads her PKCS#12" 200 \
    "$(curl -s -b "$JAR" -o "$OUT/alice.p12" -w '%{http_code}' "$BASE/collect?id=$ACERT&p12=modern")"
check "and it opens with her password" openssl pkcs12 -in "$OUT/alice.p12" -passin pass:alice-pw-123 -noenc -out /dev/null
# Anyone else with the ID (access log, audit, lists, CRL) gets nothing.
check_eq "the ID alone: 403" 403 \
    "$(curl -s -o "$OUT/other.html" -w '%{http_code}' "$BASE/collect?id=$ACERT&p12=modern")"
check_grep "and a page that says why and what to do" 'only be downloaded from the browser that completed the enrollment' "$OUT/other.html"
check_eq "another browser's pick-up cookie: 403" 403 \
    "$(curl -s -b "$AJ" -o /dev/null -w '%{http_code}' "$BASE/collect?id=$ACERT&p12=modern")"
check_nogrep "the secret is in no access log line" "$PK" "$INSTANCE/lighttpd-access.log"
check_nogrep "nor in the error log" "$PK" "$INSTANCE/lighttpd-error.log"
check_eq "nor in the audit or the database" 0 \
    "$(db_count "SELECT (SELECT COUNT(*) FROM audit WHERE instr(detail || object || actor, '$PK') > 0) + (SELECT COUNT(*) FROM p12_pickup WHERE instr(token_hmac, '$PK') > 0)")"
# ---- 6. one access-code check floods no mailbox; expired requests end ----
TOK=$(csrf_token "$AJ" "$BASE/smime?action=enroll")
apost "$BASE/smime?action=enroll" f-s1 -d accessCode=demo-smime-2026 --data-urlencode email=flo@example.com >/dev/null
FT=$(field token "$OUT/f-s1.html")
rm -f "$INSTANCE"/mail/*.eml
flood() {	# outname
	apost "$BASE/smime?action=enroll" "$1" -d step=2 --data-urlencode "token=$FT" \
	    --data-urlencode email=flo@example.com -d firstName=Flo -d lastName=Rida \
	    --data-urlencode "profile=Client Authentication and Email" -d term=365 -d keyType=ec256 \
	    -d passphrase=attacker-pass-1 -d passphrase2=attacker-pass-1 -d eula=1
}
for i in 1 2 3 4 5 6; do flood "f-$i" >/dev/null; done
check_eq "six submissions of one token: three validation mails" 3 "$(grep -l 'To: flo@example.com' "$INSTANCE"/mail/*.eml | wc -l)"
check_eq "and three requests awaiting validation" 3 \
    "$(db_count "SELECT COUNT(*) FROM request WHERE requester_email = 'flo@example.com' AND status = 'Awaiting validation'")"
check_grep "the fourth says a mail was already sent" 'A validation email was already sent to this address' "$OUT/f-4.html"
# The codes expire unused: maintain ends the requests, and the address may ask again.
db_count "UPDATE validation_code SET expires = strftime('%s','now') - 1 WHERE lower(email) = 'flo@example.com'" >/dev/null
cdadm maintain > "$OUT/maintain.out" 2>&1
check_eq "maintain reports each unvalidated request" 3 "$(grep -c '^unvalidated ' "$OUT/maintain.out")"
check_grep "and counts them in the summary" '^0 renewed, 0 notices, 0 expired, 3 unvalidated, ' "$OUT/maintain.out"
check_eq "they are Expired" 3 \
    "$(db_count "SELECT COUNT(*) FROM request WHERE requester_email = 'flo@example.com' AND status = 'Expired'")"
code=$(flood f-again)
check_grep "after they expired, a new request is taken" 'You have requested a Client Certificate' "$OUT/f-again.html"
# Names the CLI would refuse are refused on the web too.
TOK=$(csrf_token "$AJ" "$BASE/smime?action=enroll")
apost "$BASE/smime?action=enroll" n-s1 -d accessCode=demo-smime-2026 --data-urlencode email=nina@example.com >/dev/null
before=$(db_count "SELECT COUNT(*) FROM request")
for name in 'Nina<b>' 'Nina;DROP' 'Ni\na'; do
	apost "$BASE/smime?action=enroll" n-bad -d step=2 --data-urlencode "token=$(field token "$OUT/n-s1.html")" \
	    --data-urlencode email=nina@example.com --data-urlencode "firstName=$name" -d lastName=Simone \
	    --data-urlencode "profile=Client Authentication and Email" -d term=365 -d keyType=ec256 \
	    -d passphrase=nina-pass-123 -d passphrase2=nina-pass-123 -d eula=1 >/dev/null
	check_grep "web name '$name': refused as the CLI refuses it" 'Check your name: the first name may hold only letters' "$OUT/n-bad.html"
done
check_eq "refused names: nothing recorded" "$before" "$(db_count "SELECT COUNT(*) FROM request")"

# ---- 8. double revocation and renewal without an account: clear pages ----
TOK=$(csrf_token "$JAR" "$BASE/smime?action=revoke")
post "$BASE/smime?action=revoke" rv1 --data-urlencode email=alice@example.com -d passphrase=attacker-pass-1 >/dev/null
check_grep "revocation lists alice's certificate" "value=\"$ACERT\"" "$OUT/rv1.html"
revoke2() {	# outname
	post "$BASE/smime?action=revoke&step=2" "$1" -d step=2 --data-urlencode "token=$(field token "$OUT/rv1.html")" \
	    --data-urlencode "allowed=$(field allowed "$OUT/rv1.html")" --data-urlencode email=alice@example.com \
	    -d "sel0=$ACERT" -d reason=keyCompromise
}
check_eq "the first submission revokes" 200 "$(revoke2 rv2)"
check_eq "alice's certificate is Revoked" Revoked "$(db_count "SELECT status FROM request WHERE cert_id = '$ACERT'")"
check_eq "the same form again: no server error" 200 "$(revoke2 rv2-again)"
check_grep "but the first step, saying it was already revoked" 'has already been revoked' "$OUT/rv2-again.html"
check_grep "with the email field to start again" 'name="passphrase"' "$OUT/rv2-again.html"
# A certificate whose enrollment account was deleted.
cdadm account add smime-tmp --endpoint smime --org "Demo Org" --code demo-tmp-2026 \
    --profile "Client Authentication and Email" >/dev/null
TOK=$(csrf_token "$JAR" "$BASE/smime?action=enroll")
post "$BASE/smime?action=enroll" t-s1 -d accessCode=demo-tmp-2026 --data-urlencode email=tom@example.com >/dev/null
rm -f "$INSTANCE"/mail/*.eml
post "$BASE/smime?action=enroll" t-s2 -d step=2 --data-urlencode "token=$(field token "$OUT/t-s1.html")" \
    --data-urlencode email=tom@example.com -d firstName=Tom -d lastName=Hill \
    --data-urlencode "profile=Client Authentication and Email" -d term=365 -d keyType=ec256 \
    -d passphrase=tom-pass-1234 -d passphrase2=tom-pass-1234 -d eula=1 >/dev/null
LINK=$(mail_link "$(newest_mail)")
curl -s -b "$JAR" -c "$JAR" "$LINK" > "$OUT/t-v.html"
TOK=$(field csrf "$OUT/t-v.html")
post "$BASE/validate" t-v-ok --data-urlencode "token=$(field token "$OUT/t-v.html")" \
    --data-urlencode "ref=$(field ref "$OUT/t-v.html")" --data-urlencode email=tom@example.com \
    -d password=tom-pw-1234 -d password2=tom-pw-1234 >/dev/null
TCERT=$(location_id "$OUT/t-v-ok.hdr")
check "tom's certificate from the extra account" test -n "$TCERT"
db_count "DELETE FROM account_profile WHERE account_id = (SELECT id FROM account WHERE name = 'smime-tmp');
    DELETE FROM account WHERE name = 'smime-tmp'" >/dev/null
TOK=$(csrf_token "$JAR" "$BASE/smime?action=renew")
post "$BASE/smime?action=renew" t-r1 -d accessCode=demo-smime-2026 --data-urlencode email=tom@example.com \
    -d passphrase=tom-pass-1234 >/dev/null
check_grep "renewal step 2 lists tom's certificate" "value=\"$TCERT\"" "$OUT/t-r1.html"
before=$(db_count "SELECT COUNT(*) FROM request")
code=$(post "$BASE/smime?action=renew" t-r2 -d step=2 --data-urlencode "token=$(field token "$OUT/t-r1.html")" \
    --data-urlencode "allowed=$(field allowed "$OUT/t-r1.html")" --data-urlencode email=tom@example.com -d certId=$TCERT)
check_eq "renewing it: no server error" 200 "$code"
check_grep "but a clear message" 'enrollment account of this certificate no longer exists' "$OUT/t-r2.html"
check_eq "and nothing recorded" "$before" "$(db_count "SELECT COUNT(*) FROM request")"

finish
