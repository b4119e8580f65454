#!/usr/bin/env bash
# Guessing limits that hold under pressure: a valid access code does not
# reset the count of guesses at other codes; parallel wrong passphrases
# cannot get more than ten tries at one certificate; a second renewal
# waits for the first; addresses with control characters or lists are
# not email addresses.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/ssl_throttle"
rm -rf "$OUT" && mkdir -p "$OUT"
start_instance
JAR="$OUT/cookies"

code_try() {	# name code email -> HTTP status
	local t
	t=$(csrf_token "$JAR" "$BASE/ssl?action=enroll")
	curl -s -b "$JAR" -c "$JAR" -o "$OUT/$1.html" -w '%{http_code}' --data-urlencode "csrf=$t" \
	    --data-urlencode "accessCode=$2" --data-urlencode "email=$3" "$BASE/ssl?action=enroll"
}

# Nine wrong codes, the right one, one wrong: the window is now full, so
# even the right code is refused.  (A reset on success would allow more.)
for i in $(seq 1 9); do code_try w$i "guess-code-$i" bob@example.com > /dev/null; done
check_eq "a right code after nine wrong ones still works" 200 "$(code_try right1 demo-ssl-2026 bob@example.com)"
check_grep "... and shows the form" 'name="csr"' "$OUT/right1.html"
code_try w10 guess-code-10 bob@example.com > /dev/null
check_eq "the tenth wrong code fills the window: 429" 429 "$(code_try right2 demo-ssl-2026 bob@example.com)"

# Email addresses that would smuggle a second recipient are refused.
rm -f "$JAR"
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
for e in 'attacker@evil.example,x@example.com' 'a b@example.com' '<a@evil.example>@example.com' \
    'a;b@example.com' '.a@example.com' 'a..b@example.com'; do
	code_try bad-email demo-ssl-auto-2026 "$e" > /dev/null
	check_grep "email '$e' refused" 'not valid for this form' "$OUT/bad-email.html"
done
code_try good-email demo-ssl-auto-2026 "first.last+tag@example.com" > /dev/null
check_grep "a plain address with + and . is fine" 'name="csr"' "$OUT/good-email.html"

# An issued certificate with a passphrase, through the auto-approve account.
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$OUT/k.key" \
    -out "$OUT/k.csr" -subj /CN=lock.example.com 2>/dev/null
code_try step1 demo-ssl-auto-2026 carol@example.com > /dev/null
FT=$(sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' "$OUT/step1.html")
TOK=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$OUT/step1.html" | head -n 1)
curl -s -b "$JAR" -o "$OUT/enrolled.html" -F "csrf=$TOK" -F "token=$FT" -F step=2 \
    -F email=carol@example.com -F "profile=SSL Standard" -F term=365 -F "csr=<$OUT/k.csr" \
    -F commonName=lock.example.com -F passphrase=right-pass-123 -F passphrase2=right-pass-123 \
    -F eula=1 "$BASE/ssl?action=enroll"
ID=$(sed -n 's/.*<code id="certId">\([0-9a-f]*\)<.*/\1/p' "$OUT/enrolled.html")
check_eq "auto-approved certificate issued" Issued "$(db_count "SELECT status FROM request WHERE cert_id='$ID'")"

# Thirty wrong passphrases at once, from thirty different addresses is not
# possible here, so the per-address limit and the per-certificate lock both
# apply: together they must not let more than ten tries through.
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
t=$(csrf_token "$JAR" "$BASE/ssl?action=revoke")
pids=()
for i in $(seq 1 30); do
	curl -s -b "$JAR" -o /dev/null -w '%{http_code}\n' --data-urlencode "csrf=$t" \
	    --data-urlencode "certId=$ID" --data-urlencode "passphrase=wrong-$i" \
	    --data-urlencode reason=unspecified --data-urlencode comments=x \
	    "$BASE/ssl?action=revoke" > "$OUT/par.$i" &
	pids+=($!)
done
# Only the curls: the shell's other child is the web server.
wait "${pids[@]}"
tried=$(cat "$OUT"/par.* | grep -c '^200$')
check "parallel wrong passphrases: at most ten were tried ($tried)" test "$tried" -le 10
fails=$(db_count "SELECT pass_failures FROM request WHERE cert_id='$ID'")
check "per-certificate count never passes ten ($fails)" test "$fails" -le 10
check_eq "still Issued" Issued "$(db_count "SELECT status FROM request WHERE cert_id='$ID'")"
# lock_mails: how many lock mails about the certificate carol has had.
lock_mails() {
	grep -l "^Subject: Your certificate's passphrase is locked" "$INSTANCE"/mail/*.eml 2>/dev/null |
	    xargs -r grep -l "certdesk cert unlock $ID" | xargs -r grep -l '^To: carol@example.com' | wc -l
}
if [ "$fails" -eq 10 ]; then n=1; else n=0; fi
check_eq "the parallel burst mailed the lock once if it locked" "$n" "$(lock_mails)"

# The tenth wrong passphrase in a row locks, and mails the requester once.
wrong() {	# name passphrase -> HTTP status
	local t
	t=$(csrf_token "$JAR" "$BASE/ssl?action=revoke")
	curl -s -b "$JAR" -o "$OUT/$1.html" -w '%{http_code}' --data-urlencode "csrf=$t" \
	    --data-urlencode "certId=$ID" --data-urlencode "passphrase=$2" \
	    --data-urlencode reason=unspecified --data-urlencode comments=x \
	    "$BASE/ssl?action=revoke"
}
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle; UPDATE request SET pass_failures = 0"
before=$(lock_mails)
for i in $(seq 1 9); do wrong seq$i "wrong-again-$i" > /dev/null; done
check_eq "nine wrong passphrases: no lock mail" "$before" "$(lock_mails)"
check_eq "the tenth is still answered as a wrong passphrase" 200 "$(wrong seq10 wrong-again-10)"
check_eq "the tenth wrong passphrase mails the lock" "$((before + 1))" "$(lock_mails)"
mail=$(grep -l "^Subject: Your certificate's passphrase is locked" "$INSTANCE"/mail/*.eml |
    xargs -r grep -l "certdesk cert unlock $ID" | xargs -r ls -t | head -n 1)
check_grep "the lock mail says how to get it unlocked" "certdesk cert unlock $ID" "$mail"
check_grep "... and names the certificate" "lock.example.com" "$mail"
check_nogrep "... and carries no passphrase" 'right-pass-123|wrong-again' "$mail"
# The address is blocked now; a fresh window shows the certificate's own lock.
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
check_eq "the eleventh: locked (429)" 429 "$(wrong seq11 wrong-again-11)"
check_grep "... with the lock message" 'passphrase is locked' "$OUT/seq11.html"
check_eq "the right one now: still locked" 429 "$(wrong seq12 right-pass-123)"
check_eq "no second lock mail" "$((before + 1))" "$(lock_mails)"
cdadm cert unlock "$ID" > /dev/null
check_eq "after unlock the count is zero" 0 "$(db_count "SELECT pass_failures FROM request WHERE cert_id='$ID'")"

# A second renewal while the first awaits approval is refused.
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle; UPDATE request SET pass_failures = 0"
code_try s1 demo-ssl-2026 dave@example.com > /dev/null
FT=$(sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' "$OUT/s1.html")
TOK=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$OUT/s1.html" | head -n 1)
curl -s -b "$JAR" -o "$OUT/manual.html" -F "csrf=$TOK" -F "token=$FT" -F step=2 \
    -F email=dave@example.com -F "profile=SSL Standard" -F term=365 -F "csr=<$OUT/k.csr" \
    -F commonName=lock.example.com -F passphrase=dave-pass-123 -F passphrase2=dave-pass-123 \
    -F $'comments=ok\n\nApprove:  certdesk request approve FORGED' \
    -F eula=1 "$BASE/ssl?action=enroll"
MID=$(sed -n 's/.*<code id="certId">\([0-9a-f]*\)<.*/\1/p' "$OUT/manual.html")
# The approval mail to the administrators cannot be given forged lines.
mail=$(grep -l "$MID" "$INSTANCE"/mail/*.eml | head -n 1)
check "approval mail sent" test -n "$mail"
check_nogrep "comments cannot start a line of their own in the mail" '^Approve:  certdesk request approve FORGED' "$mail"
check_grep "the real approval line names the request" "^Approve:  certdesk request approve $MID" "$mail"
cdadm request approve "$MID" > /dev/null
renew() {
	local t
	t=$(csrf_token "$JAR" "$BASE/ssl?action=renew")
	curl -s -b "$JAR" -o "$OUT/$1.html" --data-urlencode "csrf=$t" \
	    --data-urlencode "certId=$MID" --data-urlencode "passphrase=dave-pass-123" \
	    "$BASE/ssl?action=renew"
}
renew renew1
check_grep "first renewal accepted" 'renewal request has been submitted' "$OUT/renew1.html"
before=$(db_count 'SELECT COUNT(*) FROM request')
renew renew2
check_grep "second renewal while the first waits: refused" 'already waiting for approval' "$OUT/renew2.html"
check_eq "no second renewal recorded" "$before" "$(db_count 'SELECT COUNT(*) FROM request')"
finish
