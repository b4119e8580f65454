#!/usr/bin/env bash
# Key escrow end to end, following README's "Key escrow" section line by
# line (each line is first checked to be in README.md exactly as run):
# issuance blocked while a tier has no key, the three tiers set up (RSA,
# EC under a passphrase, split into shares), the key sealed at issue,
# recovery with stock openssl cms and gfcombine and with certdesk (which
# revokes with keyCompromise), keys that are not recipients, the
# re-encryption of 1000 blobs and kill -9 at random moments during it,
# and a scan showing that no tier private key reached the database, the
# logs or the audit.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/escrow"
rm -rf "$OUT" && mkdir -p "$OUT/work"
make -s -C "$ROOT" build/tests/escrowfill >/dev/null || exit 1

start_instance
JAR="$OUT/cookies"
PW=pkcs12-secret-9
W="$OUT/work"
certdesk() { cdadm "$@"; }
fill() { CERTDESK_CONF="$INSTANCE/certdesk.hdf" "$ROOT/build/tests/escrowfill" "$@"; }

# readme LINE: the line must stand in README.md as it is run here.
readme() {
	if grep -qF -- "$1" "$ROOT/README.md"; then
		pass "README: ${1:0:70}"
	else
		fail "README no longer has: $1"
	fi
}
field() { sed -n "s/.*name=\"$1\" value=\"\\([^\"]*\\)\".*/\\1/p" "$2" | head -n 1; }
post() {
	local url=$1 name=$2
	shift 2
	curl -s -b "$JAR" -c "$JAR" -o "$OUT/$name.html" -D "$OUT/$name.hdr" \
	    -w '%{http_code}' --data-urlencode "csrf=$TOK" "$@" "$url"
}
# enroll_eve NAME: secret-ID enrollment of eve@example.com; prints the HTTP status.
enroll_eve() {
	TOK=$(csrf_token "$JAR" "$BASE/smime?action=enroll&swt=sid")
	post "$BASE/smime?action=enroll&swt=sid" "$1-1" -d swt=sid \
	    --data-urlencode email=eve@example.com -d secretId=eve-secret-2026 >/dev/null
	post "$BASE/smime?action=enroll&swt=sid" "$1" -d step=2 -d swt=sid \
	    --data-urlencode "token=$(field token "$OUT/$1-1.html")" \
	    --data-urlencode email=eve@example.com \
	    --data-urlencode "profile=Client Authentication and Email" -d term=365 \
	    -d keyType=ec256 -d password=$PW -d password2=$PW \
	    -d passphrase=eve-passphrase-1 -d passphrase2=eve-passphrase-1 -d eula=1
}
state() {
	echo "$(db_count 'SELECT COUNT(*) FROM request')/$(db_count 'SELECT COUNT(*) FROM person')/$(db_count 'SELECT COUNT(*) FROM p12_pickup')/$(db_count 'SELECT COUNT(*) FROM escrow_blob')"
}
pubkey_of_cert() { cdadm cert show "$1" --pem | openssl x509 -pubkey -noout; }
pubkey_of_key() { openssl pkey -in "$1" -pubout 2>/dev/null; }

cd "$W" || exit 1

# ---- an organisation that requires every tier ----
L1='certdesk org add "Escrow Org" --o "Escrow Org" --c US --admin-email admin@example.com --escrow-master --escrow-org'
L2='certdesk dept add Research --org "Escrow Org" --escrow-dept'
L3='certdesk domain delegate example.com --org "Escrow Org" --types smime'
L4='certdesk account add escrow --endpoint smime --org "Escrow Org" --dept Research --code demo-escrow-2026 --profile "Client Authentication and Email"'
L5='echo eve-secret-2026 | certdesk person add eve@example.com --org "Escrow Org" --dept Research --first Eve --last Scrow --secret-id -'
L6='certdesk escrow status'
for l in "$L1" "$L2" "$L3" "$L4" "$L5"; do
	readme "$l"
	eval "$l" > "$OUT/setup.txt" 2>&1 || fail "ran: $l ($(cat "$OUT/setup.txt"))"
done
readme "$L6"
eval "$L6" > "$OUT/status0.txt"
check_eq "status: three tiers not initialised" 3 "$(grep -c 'not initialised' "$OUT/status0.txt")"

# The options are fixed at creation.
cdadm org add "Escrow Org" --escrow-master > "$OUT/again.txt" 2>&1
check_eq "org add again with escrow options: exit 1" 1 $?
check_grep "org add again: says they cannot be changed" 'cannot be changed' "$OUT/again.txt"
check_eq "org keeps its options" "1|1" "$(db_count "SELECT escrow_master, escrow_org FROM organization WHERE name = 'Escrow Org'")"

# ---- blocked while a tier has no key ----
before=$(state)
nmail=$(ls "$INSTANCE"/mail | wc -l)
enroll_eve blocked >/dev/null
check_grep "blocked: the end-user message" 'certificates cannot be issued until your administrator sets up key escrow' "$OUT/blocked.html"
check_eq "blocked: nothing written" "$before" "$(state)"
check_eq "blocked: one audit event" 1 "$(db_count "SELECT COUNT(*) FROM audit WHERE action = 'certificate.issue' AND outcome = 'refused' AND detail LIKE 'key escrow not set up:%'")"
check_eq "blocked: a mail to the admins" $((nmail + 1)) "$(ls "$INSTANCE"/mail | wc -l)"
check "blocked: the mail names the missing tiers" \
    grep -rlq 'Tiers without a key: master, organization, department' "$INSTANCE/mail"

# The access-code form refuses at once, not after the validation mail.
before=$(state)
ncodes=$(db_count 'SELECT COUNT(*) FROM validation_code')
TOK=$(csrf_token "$JAR" "$BASE/smime?action=enroll")
post "$BASE/smime?action=enroll" ac-1 --data-urlencode accessCode=demo-escrow-2026 \
    --data-urlencode email=frank@example.com >/dev/null
code=$(post "$BASE/smime?action=enroll" ac-blocked -d step=2 \
    --data-urlencode "token=$(field token "$OUT/ac-1.html")" \
    --data-urlencode email=frank@example.com -d firstName=Frank -d lastName=Ross \
    --data-urlencode "profile=Client Authentication and Email" -d term=365 \
    -d keyType=ec256 -d passphrase=frank-passphrase-1 -d passphrase2=frank-passphrase-1 -d eula=1)
check_eq "access code, blocked: 200" 200 "$code"
check_grep "access code, blocked: the end-user message" 'certificates cannot be issued until your administrator sets up key escrow' "$OUT/ac-blocked.html"
check_eq "access code, blocked: no request, no code" "$before/$ncodes" "$(state)/$(db_count 'SELECT COUNT(*) FROM validation_code')"

# ---- the three tiers ----
I1='certdesk escrow init --tier master --out tier.key'
I2='openssl rand -base64 24 > org.pass'
I3='certdesk escrow init --tier org --org "Escrow Org" --key-type p384 --passphrase-file org.pass --out org.key'
I4='certdesk escrow init --tier dept --org "Escrow Org" --dept Research --shares 3 --threshold 2 --out research.key'
for l in "$I1" "$I2" "$I3" "$I4"; do
	readme "$l"
	eval "$l" >> "$OUT/init.txt" 2>&1 || fail "ran: $l"
done
check_eq "init: tier.key is 0600" 600 "$(stat -c %a tier.key)"
check_eq "init: three share files" 3 "$(ls research.key.[0-9][0-9][0-9] | wc -l)"
check "init: no whole research.key" test ! -e research.key
check "init: certificates beside the keys" test -s tier.crt -a -s org.crt -a -s research.crt
check_grep "init: the org key is encrypted" 'BEGIN ENCRYPTED PRIVATE KEY' org.key
check_eq "init: the certificate's SKI is the key id" \
    "$(openssl x509 -in tier.crt -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' :' | tr A-F a-f)" \
    "$(db_count "SELECT key_id FROM escrow_key WHERE tier = 'master'")"
readme "$L6"
eval "$L6" > "$OUT/status1.txt"
check_nogrep "status: every tier initialised" 'not initialised' "$OUT/status1.txt"
cdadm escrow init --tier master --out other.key > "$OUT/init2.txt" 2>&1
check_eq "init twice: exit 1" 1 $?
check_grep "init twice: says to re-encrypt" 'escrow reencrypt' "$OUT/init2.txt"
cdadm escrow init --tier org --org "Demo Org" --out tier.key > "$OUT/init3.txt" 2>&1
check_eq "init over an existing file: exit 1" 1 $?
check_grep "init over an existing file: says so" 'never overwrites' "$OUT/init3.txt"
check_eq "init over an existing file: no key recorded" 0 "$(db_count "SELECT COUNT(*) FROM escrow_key WHERE org_id = (SELECT id FROM organization WHERE name = 'Demo Org')")"
# Passphrase files stock openssl would read otherwise are refused.
printf 'crlf-passphrase\r\n' > crlf.pass
cdadm escrow init --tier org --org "Demo Org" --passphrase-file crlf.pass --out crlf.key > "$OUT/init-crlf.txt" 2>&1
check_eq "passphrase file with \\r: exit 1" 1 $?
check_grep "passphrase file with \\r: says why" 'carriage return' "$OUT/init-crlf.txt"
check "passphrase file with \\r: no key file" test ! -e crlf.key
head -c 1024 /dev/zero | tr '\0' a > long.pass
cdadm escrow init --tier org --org "Demo Org" --passphrase-file long.pass --out long.key > "$OUT/init-long.txt" 2>&1
check_eq "passphrase of 1024 bytes: exit 1" 1 $?
check_grep "passphrase of 1024 bytes: says why" 'longer than 1023 bytes' "$OUT/init-long.txt"
check_eq "refused passphrase files: no key recorded" 0 "$(db_count "SELECT COUNT(*) FROM escrow_key WHERE org_id = (SELECT id FROM organization WHERE name = 'Demo Org')")"
head -c 1023 /dev/zero | tr '\0' a > long.pass
cdadm escrow init --tier org --org "Demo Org" --passphrase-file long.pass --out long.key > "$OUT/init-long2.txt" 2>&1
check_eq "passphrase of 1023 bytes: exit 0" 0 $?
check "passphrase of 1023 bytes: stock openssl opens the key with -passin file:" \
    sh -c 'openssl pkey -in long.key -passin file:long.pass -noout 2>/dev/null'

# ---- issued and sealed to the three tiers ----
code=$(enroll_eve issued)
check_eq "issued once the tiers have keys: 303" 303 "$code"
CERT=$(sed -n 's/^Location: .*collect?id=\([0-9a-f]*\).*/\1/p' "$OUT/issued.hdr" | tr -d '\r')
check "issued: a certificate ID" test -n "$CERT"
check_eq "issued: one blob, three recipients" "1|3" \
    "$(db_count "SELECT COUNT(DISTINCT b.id), COUNT(*) FROM escrow_blob b JOIN escrow_recipient r ON r.blob_id = b.id JOIN request q ON q.id = b.request_id WHERE q.cert_id = '$CERT'")"
eval "$L6" > "$OUT/status2.txt"
check_eq "status: one blob per tier" 3 "$(grep -c ' 1 blobs' "$OUT/status2.txt")"
check_grep "status: no blob sealed to a key not active" \
    '^0 current blobs sealed to a key that is not active$' "$OUT/status2.txt"
pubkey_of_cert "$CERT" > "$OUT/cert.pub"

# ---- recovery without certdesk ----
E1='certdesk escrow export "$CERT" --out blob.der'
E2='openssl cms -decrypt -inform DER -in blob.der -recip tier.crt -inkey tier.key | openssl pkcs8 -inform DER -nocrypt -out key.pem'
E3='openssl cms -decrypt -inform DER -in blob.der -recip org.crt -inkey org.key -passin file:org.pass | openssl pkcs8 -inform DER -nocrypt -out key-org.pem'
for l in "$E1" "$E2" "$E3"; do
	readme "$l"
	eval "$l" >> "$OUT/stock.txt" 2>&1
done
check_grep "export: the blob is AuthEnvelopedData" 'id-smime-ct-authEnvelopedData' \
    <(openssl cms -cmsout -print -inform DER -in blob.der)
check_eq "stock, master tier (RSA): the certificate's key" "$(cat "$OUT/cert.pub")" "$(pubkey_of_key key.pem)"
check_eq "stock, org tier (EC, passphrase): the certificate's key" "$(cat "$OUT/cert.pub")" "$(pubkey_of_key key-org.pem)"
S1='set -- research.key.[0-9][0-9][0-9]'
S2='gfcombine -o research.key "$1" "$3"'
S3='openssl cms -decrypt -inform DER -in blob.der -recip research.crt -inkey research.key | openssl pkcs8 -inform DER -nocrypt -out key-research.pem'
for l in "$S1" "$S2" "$S3"; do
	readme "$l"
	eval "$l" >> "$OUT/stock.txt" 2>&1
done
check_eq "stock, 2 of 3 shares through gfcombine: the certificate's key" "$(cat "$OUT/cert.pub")" "$(pubkey_of_key key-research.pem)"
rm -f research.key
# A foreign key opens nothing, even under a recipient's certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout foreign.key \
    -out foreign.crt -subj /CN=foreign -days 1 2>/dev/null
check "stock, foreign key and certificate: refused" \
    sh -c '! openssl cms -decrypt -inform DER -in blob.der -recip foreign.crt -inkey foreign.key -out /dev/null 2>/dev/null'
check "stock, foreign key under the org certificate: refused" \
    sh -c '! openssl cms -decrypt -inform DER -in blob.der -recip org.crt -inkey foreign.key -out /dev/null 2>/dev/null'

# ---- recovery with certdesk: refusals change nothing ----
openssl rand -base64 24 > p12.pass
cdadm escrow recover "$CERT" --key foreign.key --out x.p12 --p12-password-file p12.pass > "$OUT/rec-foreign.txt" 2>&1
check_eq "recover, foreign key: exit 1" 1 $?
check_grep "recover, foreign key: not a recipient" 'not a recipient' "$OUT/rec-foreign.txt"
echo wrong-passphrase > wrong.pass
cdadm escrow recover "$CERT" --key org.key --passphrase-file wrong.pass --out x.p12 --p12-password-file p12.pass > "$OUT/rec-pass.txt" 2>&1
check_eq "recover, wrong passphrase: exit 1" 1 $?
check_grep "recover, wrong passphrase: says so" 'wrong passphrase' "$OUT/rec-pass.txt"
cdadm escrow recover "$CERT" --share "$2" --out x.p12 --p12-password-file p12.pass > "$OUT/rec-one.txt" 2>&1
check_eq "recover, one share of three: exit 1" 1 $?
check_grep "recover, one share: cannot rejoin" 'do not rejoin a key' "$OUT/rec-one.txt"
check "recover refusals: no PKCS#12 written" test ! -e x.p12
check_eq "recover refusals: still Issued" Issued "$(db_count "SELECT status FROM request WHERE cert_id = '$CERT'")"
check_eq "recover refusals: audited nothing" 0 "$(db_count "SELECT COUNT(*) FROM audit WHERE action = 'escrow.recover'")"

# ---- recovery with certdesk revokes ----
R1='openssl rand -base64 24 > p12.pass'
R2='certdesk escrow recover "$CERT" --key org.key --passphrase-file org.pass --out eve.p12 --p12-password-file p12.pass'
R3='openssl pkcs12 -in eve.p12 -passin file:p12.pass -noenc -out eve.pem'
for l in "$R1" "$R2" "$R3"; do
	readme "$l"
	eval "$l" >> "$OUT/recover.txt" 2>&1 || fail "ran: $l ($(tail -n 2 "$OUT/recover.txt"))"
done
check_eq "recover: the PKCS#12 is 0600" 600 "$(stat -c %a eve.p12)"
check_eq "recover: the PKCS#12 key is the certificate's" "$(cat "$OUT/cert.pub")" "$(pubkey_of_key eve.pem)"
check_eq "recover: the PKCS#12 certificate is the issued one" "$(cat "$OUT/cert.pub")" \
    "$(openssl x509 -in eve.pem -pubkey -noout)"
check_eq "recover: revoked keyCompromise" "Revoked|1" \
    "$(db_count "SELECT status, revoke_reason FROM request WHERE cert_id = '$CERT'")"
SERIAL=$(db_count "SELECT serial FROM request WHERE cert_id = '$CERT'")
CRL=$(ls "$INSTANCE"/state/crl/*/*.crl | head -n 1)
openssl crl -inform DER -in "$CRL" -noout -text > "$OUT/crl.txt"
check_grep "recover: the CRL lists the serial" "Serial Number: $SERIAL" "$OUT/crl.txt"
grep -A4 -i "Serial Number: $SERIAL" "$OUT/crl.txt" > "$OUT/crl-entry.txt"
check_grep "recover: the CRL reason is Key Compromise" 'Key Compromise' "$OUT/crl-entry.txt"
check_eq "recover: audited with the tier" 1 "$(db_count "SELECT COUNT(*) FROM audit WHERE action = 'escrow.recover' AND object = '$CERT' AND detail LIKE 'organization key id % version 1; revoked keyCompromise'")"
# The split key recovers too (README's --share form), from two shares.
C1='certdesk escrow recover "$CERT" --share "$1" --share "$2" --out eve.p12 --p12-password-file p12.pass'
readme "$C1"
mkdir -p shares && cp research.key.[0-9][0-9][0-9] p12.pass shares/
(cd shares && set -- research.key.[0-9][0-9][0-9] && eval "$C1") > "$OUT/rec-shares.txt" 2>&1
check_eq "recover from 2 shares: exit 0" 0 $?
openssl pkcs12 -in shares/eve.p12 -passin file:p12.pass -noenc -out shares/eve.pem 2>/dev/null
check_eq "recover from 2 shares: the certificate's key" "$(cat "$OUT/cert.pub")" "$(pubkey_of_key shares/eve.pem)"

# ---- re-encryption of 1000 blobs ----
fill fill 1000
check_eq "1000 blobs more, sealed to the master tier" 1001 "$(db_count "SELECT blobs FROM (SELECT COUNT(*) AS blobs FROM escrow_recipient WHERE tier = 'master')")"
N1='certdesk escrow reencrypt --tier master --key tier.key --out tier-v2.key'
readme "$N1"
t0=$(date +%s.%N)
eval "$N1" > "$OUT/reenc.txt" 2>&1 || fail "ran: $N1 ($(tail -n 2 "$OUT/reenc.txt"))"
T=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
check_grep "reencrypt: 1001 blobs" 're-encrypted 1001 blobs' "$OUT/reenc.txt"
check_eq "reencrypt: all open with the new key, none with the old" \
    "requests=1001 old=0 new=1001 neither=0" "$(fill check tier.crt tier.key tier-v2.crt tier-v2.key)"
check_eq "reencrypt: one audit event per batch of 100" 11 \
    "$(db_count "SELECT COUNT(*) FROM audit WHERE action = 'escrow.reencrypt.batch'")"
check_eq "reencrypt: master v1 retired, v2 active" "1|retired 2|active" \
    "$(db_count "SELECT version || '|' || state FROM escrow_key WHERE tier = 'master' ORDER BY version" | tr '\n' ' ' | sed 's/ $//')"
check_eq "reencrypt: no pending blob left" 0 "$(db_count "SELECT COUNT(*) FROM escrow_blob WHERE state = 'pending'")"
# Eve's blob keeps its other recipients: the org key still opens it.
cdadm escrow export "$CERT" --out blob2.der >/dev/null
openssl cms -decrypt -inform DER -in blob2.der -recip org.crt -inkey org.key -passin file:org.pass 2>/dev/null |
    openssl pkcs8 -inform DER -nocrypt -out key2.pem 2>/dev/null
check_eq "reencrypt: the org tier still opens Eve's blob" "$(cat "$OUT/cert.pub")" "$(pubkey_of_key key2.pem)"
openssl cms -decrypt -inform DER -in blob2.der -recip tier-v2.crt -inkey tier-v2.key 2>/dev/null |
    openssl pkcs8 -inform DER -nocrypt -out key3.pem 2>/dev/null
check_eq "reencrypt: the new master key opens it with stock openssl" "$(cat "$OUT/cert.pub")" "$(pubkey_of_key key3.pem)"
check "reencrypt: the old master key does not" \
    sh -c '! openssl cms -decrypt -inform DER -in blob2.der -recip tier.crt -inkey tier.key -out /dev/null 2>/dev/null'
cdadm escrow reencrypt --tier master --key tier.key --out never.key > "$OUT/reenc-old.txt" 2>&1
check_eq "reencrypt with a retired key: exit 1" 1 $?
check "reencrypt with a retired key: no new file" test ! -e never.key

# ---- kill -9 at random moments ----
cur=tier-v2
# One run at a time: a second is refused while the first holds the lock.
CERTDESK_CONF="$INSTANCE/certdesk.hdf" "$ROOT/build/certdesk" escrow reencrypt --tier master \
    --key $cur.key --out conc1.key > "$OUT/conc1.txt" 2>&1 &
pid=$!
# The second starts once the first holds the lock (its only flock), as
# /proc/locks shows: probing with flock(1) would take it for a moment.
for _ in $(seq 1 200); do
	grep -Eq "^[0-9]+: FLOCK +ADVISORY +WRITE +$pid " /proc/locks && break
	sleep 0.05
done
cdadm escrow reencrypt --tier master --key $cur.key --out conc2.key > "$OUT/conc2.txt" 2>&1
check_eq "a second re-encryption at once: exit 1" 1 $?
check_grep "a second re-encryption at once: says why" 'another escrow re-encryption is running' "$OUT/conc2.txt"
check "a second re-encryption at once: no key file" test ! -e conc2.key
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
killed=0
for run in $(seq 1 16); do
	[ "$run" -le 8 ] || [ "$killed" -lt 5 ] || break
	new=run$run
	if [ "$run" -le 8 ]; then
		# Run i is killed at a random moment of the i-th eighth of 1.1
		# times the timed run: the batches, the check of the new blobs,
		# the swap, and now and then just after the end.
		delay=$(awk -v r=$RANDOM -v i=$run -v t="$T" \
		    'BEGIN { printf "%.2f", 0.05 + 1.1 * t * (i - 1 + (r % 1000) / 1000) / 8 }')
	else
		# A run takes about 0.8 T, less when its key comes quickly or
		# the timed run was slowed: too few of the eight were still
		# running at their moment.  More, each killed in its first half.
		delay=$(awk -v r=$RANDOM -v t="$T" \
		    'BEGIN { printf "%.2f", 0.05 + 0.4 * t * (r % 1000) / 1000 }')
	fi
	CERTDESK_CONF="$INSTANCE/certdesk.hdf" "$ROOT/build/certdesk" escrow reencrypt --tier master \
	    --key $cur.key --out $new.key > "$OUT/kill$run.txt" 2>&1 &
	pid=$!
	sleep "$delay"
	if kill -9 $pid 2>/dev/null; then killed=$((killed + 1)); how=killed; else how=finished; fi
	wait $pid 2>/dev/null
	if [ -e $new.crt ]; then r=$(fill check $cur.crt $cur.key $new.crt $new.key); else r=$(fill check $cur.crt $cur.key - -); fi
	echo "run $run $how after ${delay}s of ${T}s: $r" >> "$OUT/kill.txt"
	check_grep "kill -9 run $run after ${delay}s: every blob opens with the old or the new key" \
	    'requests=1001 .* neither=0$' <(echo "$r")
	# The key now active is the one the next run starts from.
	active=$(db_count "SELECT key_id FROM escrow_key WHERE tier = 'master' AND state = 'active'")
	if [ -e $new.crt ] && [ "$active" = "$(openssl x509 -in $new.crt -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' :' | tr A-F a-f)" ]; then
		cur=$new
	fi
done
check "kill -9: at least 5 runs were killed midway ($killed)" test "$killed" -ge 5
# A run to the end after the interruptions finishes the job.
cdadm escrow reencrypt --tier master --key $cur.key --out final.key > "$OUT/final.txt" 2>&1
check_eq "after the kills: a full run succeeds" 0 $?
check_eq "after the kills: all open with the final key, none with the one before" \
    "requests=1001 old=0 new=1001 neither=0" "$(fill check $cur.crt $cur.key final.crt final.key)"
check_eq "after the kills: one current blob per request, none pending" "1001|0" \
    "$(db_count "SELECT SUM(state = 'current'), SUM(state = 'pending') FROM escrow_blob")"
cdadm escrow status > "$OUT/status3.txt"
check_grep "after the kills: status counts no blob sealed to a key not active" \
    '^0 current blobs sealed to a key that is not active$' "$OUT/status3.txt"

# ---- an interrupted run of one tier, then a run of another ----
# What kill -9 during the org tier's run leaves: a pending key and Eve's
# blob re-sealed to it, not yet swapped in.
db_count "INSERT INTO escrow_key (customer_id, tier, org_id, dept_id, version, key_id, key_type, cert_der, state, created)
    SELECT customer_id, tier, org_id, dept_id, version + 1, key_id, key_type, cert_der, 'pending', created FROM escrow_key
    WHERE tier = 'organization' AND state = 'active' AND org_id = (SELECT id FROM organization WHERE name = 'Escrow Org');
  INSERT INTO escrow_blob (request_id, cms_der, state, created)
    SELECT request_id, cms_der, 'pending', created FROM escrow_blob WHERE state = 'current'
    AND request_id = (SELECT id FROM request WHERE cert_id = '$CERT');
  INSERT INTO escrow_recipient (blob_id, escrow_key_id, tier, key_id, version)
    SELECT last_insert_rowid(), id, tier, key_id, version FROM escrow_key WHERE state = 'pending';"
cdadm escrow reencrypt --tier master --key final.key --out m3.key > "$OUT/reenc-other.txt" 2>&1
check_eq "another tier interrupted: the master run is refused" 1 $?
check_grep "another tier interrupted: names it and says to re-run it" \
    're-encryption of the organization tier of Escrow Org was interrupted; run certdesk escrow reencrypt for that tier again first' \
    "$OUT/reenc-other.txt"
check "another tier interrupted: no new key file" test ! -e m3.key
cdadm escrow reencrypt --tier org --org "Escrow Org" --key org.key --passphrase-file org.pass \
    --out org-v2.key > "$OUT/reenc-org.txt" 2>&1
check_eq "the org tier re-run: exit 0" 0 $?
check_eq "the org tier re-run: the discarded version 2 kept, the new key is version 3" \
    "1|retired|0 2|retired|1 3|active|0" \
    "$(db_count "SELECT version || '|' || state || '|' || discarded FROM escrow_key WHERE tier = 'organization' AND org_id = (SELECT id FROM organization WHERE name = 'Escrow Org') ORDER BY version" | tr '\n' ' ' | sed 's/ $//')"
check_grep "the org tier re-run: says version 3" 'version 3 ' "$OUT/reenc-org.txt"
cdadm escrow reencrypt --tier master --key final.key --out m3.key > "$OUT/reenc-m3.txt" 2>&1
check_eq "then the master run: exit 0 (does not loop)" 0 $?
check_eq "then the master run: all open with its new key" \
    "requests=1001 old=0 new=1001 neither=0" "$(fill check final.crt final.key m3.crt m3.key)"
check_eq "then: no pending key or blob left" "0|0" \
    "$(db_count "SELECT (SELECT COUNT(*) FROM escrow_key WHERE state = 'pending'), (SELECT COUNT(*) FROM escrow_blob WHERE state = 'pending')")"

# ---- recovery of a certificate a renewal superseded ----
code=$(enroll_eve e2)
check_eq "a second certificate for Eve: 303" 303 "$code"
E2=$(sed -n 's/^Location: .*collect?id=\([0-9a-f]*\).*/\1/p' "$OUT/e2.hdr" | tr -d '\r')
TOK=$(csrf_token "$JAR" "$BASE/smime?action=renew&swt=sid")
post "$BASE/smime?action=renew&swt=sid" rn-1 -d swt=sid --data-urlencode email=eve@example.com \
    -d secretId=eve-secret-2026 -d passphrase=eve-passphrase-1 >/dev/null
code=$(post "$BASE/smime?action=renew&swt=sid" rn-2 -d step=2 -d swt=sid \
    --data-urlencode "token=$(field token "$OUT/rn-1.html")" \
    --data-urlencode "allowed=$(field allowed "$OUT/rn-1.html")" \
    --data-urlencode email=eve@example.com -d certId="$E2" -d password=$PW -d password2=$PW)
check_eq "renewed: superseded" "303|Revoked|4" \
    "$code|$(db_count "SELECT status, revoke_reason FROM request WHERE cert_id = '$E2'")"
cdadm escrow recover "$E2" --key m3.key --out e2.p12 --p12-password-file p12.pass > "$OUT/rec-e2.txt" 2>&1
check_eq "recover the superseded one: exit 0" 0 $?
check_grep "recover the superseded one: says the reason changed" 'reason changed to keyCompromise' "$OUT/rec-e2.txt"
check_eq "recover the superseded one: now keyCompromise" "Revoked|1" \
    "$(db_count "SELECT status, revoke_reason FROM request WHERE cert_id = '$E2'")"
SERIAL2=$(db_count "SELECT serial FROM request WHERE cert_id = '$E2'")
openssl crl -inform DER -in "$CRL" -noout -text > "$OUT/crl2.txt"
grep -A4 -i "Serial Number: $SERIAL2" "$OUT/crl2.txt" > "$OUT/crl2-entry.txt"
check_grep "recover the superseded one: the CRL says Key Compromise" 'Key Compromise' "$OUT/crl2-entry.txt"
check_eq "recover the superseded one: the reason change audited" 1 \
    "$(db_count "SELECT COUNT(*) FROM audit WHERE action = 'certificate.revoke' AND object = '$E2' AND detail = 'keyCompromise (was superseded)'")"

# Recovery fails closed: when the revocation cannot be recorded, no key file.
E3=$(db_count "SELECT cert_id FROM request WHERE requester_email = 'eve@example.com' AND status = 'Issued' ORDER BY id DESC LIMIT 1")
db_count "CREATE TRIGGER no_revoke BEFORE UPDATE OF status ON request WHEN NEW.status = 'Revoked'
    BEGIN SELECT RAISE(ABORT, 'no revocation today'); END;"
mkdir -p closed
cdadm escrow recover "$E3" --key m3.key --out closed/e3.p12 --p12-password-file p12.pass > "$OUT/rec-closed.txt" 2>&1
check_eq "revocation fails: exit 1" 1 $?
check "revocation fails: no key file, no temporary file" test -z "$(ls -A closed)"
check_eq "revocation fails: still Issued, nothing audited" "Issued|0" \
    "$(db_count "SELECT status, (SELECT COUNT(*) FROM audit WHERE action = 'escrow.recover' AND object = '$E3') FROM request WHERE cert_id = '$E3'")"
db_count "DROP TRIGGER no_revoke"
cdadm escrow recover "$E3" --key m3.key --out closed/e3.p12 --p12-password-file p12.pass > "$OUT/rec-open.txt" 2>&1
check_eq "then it can: exit 0, revoked, file written" "0|Revoked|1|yes" \
    "$?|$(db_count "SELECT status, revoke_reason FROM request WHERE cert_id = '$E3'")|$(test -s closed/e3.p12 && echo yes)"

# ---- the tier private keys are nowhere but in their files ----
sqlite3 "$INSTANCE/state/certdesk.db" .dump > "$OUT/dump.sql"
cat "$INSTANCE"/*.log "$OUT"/*.txt > "$OUT/logs.txt" 2>/dev/null
cdadm audit list --json > "$OUT/audit.json"
openssl pkey -in org.key -passin file:org.pass -out org-plain.pem 2>/dev/null
gfcombine -o research-joined.key research.key.[0-9][0-9][0-9] 2>/dev/null
# priv_hex KEY: 32 bytes of the private part (EC priv, RSA privateExponent) in hex.
priv_hex() {
	openssl pkey -in "$1" -text -noout 2>/dev/null |
	    awk '/^(priv|privateExponent):/ { f = 1; next } /^[a-zA-Z]/ { f = 0 } f' |
	    tr -d ' :\n' | cut -c3-66
}
leaks=0
for k in tier.key org-plain.pem research-joined.key tier-v2.key final.key; do
	[ -s "$k" ] || { fail "scan: $k missing"; continue; }
	hex=$(priv_hex "$k")
	[ ${#hex} -eq 64 ] || { fail "scan: no private part read from $k"; continue; }
	body=$(grep -v -- '-----' "$k" | head -n 1)
	for f in "$OUT/dump.sql" "$OUT/logs.txt" "$OUT/audit.json"; do
		if grep -qiF -- "$hex" "$f" || grep -qF -- "$body" "$f"; then
			leaks=$((leaks + 1))
			echo "leak: $k in $f" >> "$OUT/leaks.txt"
		fi
	done
done
check_eq "no tier private key in the database, the logs or the audit" 0 "$leaks"
# The scan can see DER in the dump: the stored tier certificates are there.
check "the scan sees DER in the dump (the master certificate is found)" \
    grep -qiF -- "$(openssl x509 -in final.crt -outform DER | od -An -v -tx1 | tr -d ' \n' | cut -c41-104)" "$OUT/dump.sql"

finish
