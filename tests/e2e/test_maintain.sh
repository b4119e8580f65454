#!/usr/bin/env bash
# certdesk maintain through the CLI, with the test clock (build/tests/certdesk):
# its lines, summary and JSON, a dry run that changes nothing, renewal and
# notices once, two runs at once acting once, Expired, purges, the CRL,
# exit status 1 on a failure with the rest still done, and a production
# binary that ignores CERTDESK_NOW.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/maintain"
rm -rf "$OUT" && mkdir -p "$OUT"
make -s -C "$ROOT" build/tests/certdesk >/dev/null || exit 1

INSTANCE=$(mktemp -d /tmp/certdesk-maintain.XXXXXX)
trap 'rm -rf "$INSTANCE"' EXIT
instance_config "$INSTANCE" 1
instance_populate "$INSTANCE"
DB="$INSTANCE/state/certdesk.db"

# maintain with the test clock at $NOW.
tcd() { CERTDESK_CONF="$INSTANCE/certdesk.hdf" CERTDESK_NOW=$NOW "$ROOT/build/tests/certdesk" "$@"; }
json_ok() { node -e 'JSON.parse(require("fs").readFileSync(0, "utf8"))'; }
nmail() { find "$INSTANCE/mail" -type f | wc -l; }

# issue CN AUTO_RENEW_DAYS: an SSL certificate issued through ssl-auto; prints its ID.
issue() {
	local cn=$1 days=$2 id="TEST-$1"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout /dev/null -subj "/CN=$cn" -outform DER -out "$OUT/$cn.csr" 2>/dev/null
	sqlite3 "$DB" "INSERT INTO request (customer_id, cert_id, type, via, status,
	    account_id, profile_id, org_id, term_days, common_name, sans, csr_der,
	    requester_email, auto_renew, auto_renew_days, requested_at)
	    SELECT c.id, '$id', 'ssl', 'web', 'Requested', a.id, p.id, o.id, 365,
	    '$cn', '$cn', X'$(od -An -v -tx1 "$OUT/$cn.csr" | tr -d ' \n')', 'alice@example.com',
	    $((days > 0)), $days, strftime('%s','now')
	    FROM customer c, account a, profile p, organization o
	    WHERE a.name = 'ssl-auto' AND p.name = 'SSL Standard'" &&
	cdadm request approve "$id" >/dev/null && echo "$id"
}

A=$(issue renew.example.com 10)
B=$(issue race.example.com 10)
check "two certificates issued" test -n "$A" -a -n "$B"
# Their records end 60 days earlier than the certificates do, as if they
# had been issued 60 days ago: the test clock moves maintain, not the CA,
# so a renewal signed now would otherwise be due again at once.
sqlite3 "$DB" "UPDATE request SET not_after = not_after - 60 * 86400
    WHERE cert_id IN ('$A', '$B')"
NA=$(sqlite3 "$DB" "SELECT not_after FROM request WHERE cert_id = '$A'")

# Too early: nothing for these two.
NOW=$((NA - 40 * 86400))
tcd maintain > "$OUT/early" 2>&1
check_nogrep "40 days ahead: no renewal" "^renewed " "$OUT/early"
check_grep "a summary line" '^0 renewed, 0 notices, 0 expired, 0 unvalidated, 0 purged, [0-9]+ CRLs published, 0 failed$' "$OUT/early"

# A dry run lists what is due and changes nothing.
NOW=$((NA - 5 * 86400))
rows=$(sqlite3 "$DB" "SELECT COUNT(*) FROM request; SELECT COUNT(*) FROM notice")
mails=$(nmail)
tcd maintain --dry-run > "$OUT/dry" 2>&1
check_grep "dry run: renewal due" "^renewed $A → \(due\)" "$OUT/dry"
check_grep "dry run: 7-day notice due" "^notice 7d $A\$" "$OUT/dry"
check_grep "dry run: summary says so" "^dry run: 2 renewed, 2 notices" "$OUT/dry"
check_eq "dry run: no row changed" "$rows" "$(sqlite3 "$DB" "SELECT COUNT(*) FROM request; SELECT COUNT(*) FROM notice")"
check_eq "dry run: no mail" "$mails" "$(nmail)"
tcd maintain --dry-run --json > "$OUT/dry.json" 2>&1
check "dry run --json parses" json_ok < "$OUT/dry.json"

# Two runs at once: one renewal of A and of B, one notice each.
tcd maintain > "$OUT/run1" 2>&1 &
p1=$!
tcd maintain > "$OUT/run2" 2>&1 &
p2=$!
wait $p1; rc1=$?
wait $p2; rc2=$?
check_eq "both runs succeed" "0 0" "$rc1 $rc2"
check_eq "A renewed once" 1 "$(cat "$OUT/run1" "$OUT/run2" | grep -c "^renewed $A → ")"
check_eq "B renewed once" 1 "$(cat "$OUT/run1" "$OUT/run2" | grep -c "^renewed $B → ")"
check_eq "A noticed once" 1 "$(cat "$OUT/run1" "$OUT/run2" | grep -c "^notice 7d $A\$")"
check_eq "one renewal row each" "1|1" "$(sqlite3 "$DB" "SELECT COUNT(*) FROM request WHERE renewal_of = (SELECT id FROM request WHERE cert_id = '$A'); SELECT COUNT(*) FROM request WHERE renewal_of = (SELECT id FROM request WHERE cert_id = '$B')" | paste -sd'|')"
check_eq "one auto-renewal mail for A" 1 "$(grep -l "Renewal of: *$A\$" "$INSTANCE"/mail/* | xargs grep -l 'Auto-renewal of your certificate started' | wc -l)"
check_eq "one notice mail for A" 1 "$(grep -l "$A" "$INSTANCE"/mail/* | xargs grep -l 'expires soon' | wc -l)"

# Again: nothing more for A.
tcd maintain --json > "$OUT/again.json" 2>&1
check "--json parses" json_ok < "$OUT/again.json"
check_nogrep "second run: A not renewed again" "\"$A\"" "$OUT/again.json"

# Past notAfter: Expired; expired codes purged; a missing CRL published.
sqlite3 "$DB" "INSERT INTO validation_code (kind, code_hmac, email, expires)
    VALUES ('validation', 'x1', 'a@example.com', 1), ('invitation', 'x2', 'a@example.com', 2)"
rm -f "$INSTANCE"/state/crl/demo/ca.crl
NOW=$((NA + 86400))
tcd maintain > "$OUT/late" 2>&1
check_grep "expired A" "^expired $A\$" "$OUT/late"
check_eq "A is Expired" Expired "$(sqlite3 "$DB" "SELECT status FROM request WHERE cert_id = '$A'")"
check_grep "purged 2 codes" "^purged 2 codes\$" "$OUT/late"
check_eq "codes gone" 0 "$(sqlite3 "$DB" "SELECT COUNT(*) FROM validation_code")"
check_grep "CRL published" "^crl demo/ca published [0-9]+\$" "$OUT/late"
check "CRL file back" test -s "$INSTANCE/state/crl/demo/ca.crl"

# A failure: exit status 1, and the other jobs still run.
echo "Notify.ExpiryDays = soon" >> "$INSTANCE/certdesk.hdf"
C=$(issue late.example.com 0)
NOW=$(( $(sqlite3 "$DB" "SELECT not_after FROM request WHERE cert_id = '$C'") + 86400 ))
tcd maintain > "$OUT/fail" 2> "$OUT/fail.err"
check_eq "a failure exits 1" 1 "$?"
check_grep "the failure on stderr" "Notify.ExpiryDays" "$OUT/fail.err"
check_grep "the rest still done" "^expired $C\$" "$OUT/fail"

# The production binary has no test clock.
D=$(issue prod.example.com 10)
NOW=$(( $(sqlite3 "$DB" "SELECT not_after FROM request WHERE cert_id = '$D'") - 86400 ))
sed -i '/^Notify.ExpiryDays/d' "$INSTANCE/certdesk.hdf"
CERTDESK_NOW=$NOW cdadm maintain --dry-run > "$OUT/prod" 2>&1
check_nogrep "production build ignores CERTDESK_NOW" "renewed $D" "$OUT/prod"

finish
