#!/usr/bin/env bash
# certdesk person: every command (text and --json), errors with exit
# status 1 that change nothing, secret IDs never shown, logged, audited or
# stored in the clear after `add`, invitations mailed with a code that
# verifies and rolled back when the mail fails, the guide's CSV import
# with each failure rule on its line, and certificates revoked by edit
# and delete.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/person_cli"
rm -rf "$OUT" && mkdir -p "$OUT"

# No web server is needed: the CLI alone, on a populated instance.
INSTANCE=$(mktemp -d /tmp/certdesk-person.XXXXXX)
trap 'rm -rf "$INSTANCE"' EXIT
instance_config "$INSTANCE" 1
instance_populate "$INSTANCE"
DB="$INSTANCE/state/certdesk.db"
ALL="$OUT/all-output"	# every byte the commands printed, for the secret checks
: > "$ALL"

# run ARGS...: cdadm with stdout in $OUT/out and stderr in $OUT/err (both kept in $ALL).
run() {
	cdadm "$@" > "$OUT/out" 2> "$OUT/err"
	local rc=$?
	cat "$OUT/out" "$OUT/err" >> "$ALL"
	return $rc
}
json_ok() { node -e 'JSON.parse(require("fs").readFileSync(0, "utf8"))'; }
persons() { db_count "SELECT count(*) FROM person"; }

# expect_error WHAT PATTERN ARGS...: exit 1, nothing on stdout, PATTERN on stderr, no row changed.
expect_error() {
	local what=$1 pattern=$2 before after
	shift 2
	before=$(sqlite3 "$DB" "SELECT count(*), total(secret_failures), group_concat(email || phone || last_name || coalesce(dept_id, '-')) FROM person; SELECT count(*) FROM validation_code; SELECT count(*) FROM request WHERE status = 'Revoked'")
	run "$@"
	local rc=$?
	after=$(sqlite3 "$DB" "SELECT count(*), total(secret_failures), group_concat(email || phone || last_name || coalesce(dept_id, '-')) FROM person; SELECT count(*) FROM validation_code; SELECT count(*) FROM request WHERE status = 'Revoked'")
	if [ "$rc" -eq 1 ] && [ ! -s "$OUT/out" ] && grep -Eq -- "$pattern" "$OUT/err" &&
	    [ "$before" = "$after" ]; then
		pass "$what"
	else
		fail "$what (rc=$rc, stderr: $(head -c 300 "$OUT/err"), db changed: $([ "$before" = "$after" ] && echo no || echo yes))"
	fi
}

# ---- add, with the three ways to give a secret ID ----
check "add with a generated secret ID" run person add alice@example.com --org "Demo Org" \
    --first Alice --middle B --last Smith --phone "+1 555 0101" --country US \
    --alt-emails "a.smith@example.com" --generate-secret-id
GEN=$(sed -n 's/^secret ID: //p' "$OUT/out")
check_eq "the generated secret ID is printed once (24 hex digits)" 24 "${#GEN}"
echo "Bob-stdin-S3cret" | run person add bob@example.com --org "Demo Org" --dept IT \
    --first Bob --last Ray --secret-id -
check_eq "add with the secret ID on stdin" 0 $?
printf 'Carol-file-S3cret\n' > "$OUT/sid"
check "add with the secret ID from a file" run person add Carol@Example.com --org "Demo Org" \
    --first Carol --last Diaz --secret-id-file "$OUT/sid" --validation high
check "add without a secret ID" run person add dave@example.com --org "Demo Org" \
    --first Dave --last Kim --cn "Dave K."
check_eq "four persons" 4 "$(persons)"
check_eq "emails are stored in lower case" 1 "$(db_count "SELECT count(*) FROM person WHERE email = 'carol@example.com'")"
check_eq "the common name defaults to first and last name" "Alice Smith" \
    "$(db_count "SELECT common_name FROM person WHERE email = 'alice@example.com'")"
check_eq "secret IDs are stored as Argon2id" 3 \
    "$(db_count "SELECT count(*) FROM person WHERE secret_id_hash LIKE '\$argon2id\$%'")"

# ---- list and show, text and JSON ----
check "list" run person list
check_grep "list shows the secret ID as set" 'alice@example.com +Demo Org .*secret ID set' "$OUT/out"
check_grep "list shows a missing secret ID" 'dave@example.com .*secret ID not set' "$OUT/out"
run person list --json
if json_ok < "$OUT/out" && grep -q '"email":"bob@example.com"' "$OUT/out"; then
	pass "list --json parses"
else
	fail "list --json parses ($(head -c 200 "$OUT/out"))"
fi
check "list --org" run person list --org "Demo Org"
check_eq "list --org lists the organisation's persons" 4 "$(wc -l < "$OUT/out")"
check "show" run person show carol@example.com
check_grep "show prints the fields" 'validation +high' "$OUT/out"
check_grep "show prints the secret ID state" 'secret ID +set' "$OUT/out"
run person show bob@example.com --json
if json_ok < "$OUT/out" && grep -q '"dept":"IT"' "$OUT/out" && grep -q '"locked":false' "$OUT/out" &&
    grep -q '"certificates":0' "$OUT/out"; then
	pass "show --json parses and carries department, lock and certificates"
else
	fail "show --json ($(head -c 300 "$OUT/out"))"
fi

# ---- errors: exit 1, a message, nothing written ----
expect_error "add needs --org" "--org NAME is required" person add x@example.com --first X --last Y
expect_error "add: unknown organisation" "no organisation 'Nope'" person add x@example.com --org Nope --first X --last Y
expect_error "add: duplicate" "already exists" person add ALICE@example.com --org "Demo Org" --first A --last S
expect_error "add: first name required" "first name is required" person add x@example.com --org "Demo Org" --last Y
expect_error "add: names use the guide's characters" "only letters" person add x@example.com --org "Demo Org" --first "X<b>" --last Y
expect_error "add: invalid email" "is not valid" person add x.example.com --org "Demo Org" --first X --last Y
expect_error "add: domain not delegated" "not delegated" person add x@elsewhere.test --org "Demo Org" --first X --last Y
expect_error "add: unknown department" "no department 'Nope'" person add x@example.com --org "Demo Org" --dept Nope --first X --last Y
expect_error "add: bad validation type" "standard or high" person add x@example.com --org "Demo Org" --first X --last Y --validation medium
expect_error "add: a secret ID on the command line is refused" "standard input" person add x@example.com --org "Demo Org" --first X --last Y --secret-id OnTheCommandLine
expect_error "add: two secret ID sources" "give one of" person add x@example.com --org "Demo Org" --first X --last Y --secret-id - --generate-secret-id
expect_error "add: unreadable secret ID file" "cannot open" person add x@example.com --org "Demo Org" --first X --last Y --secret-id-file /nonexistent
expect_error "show: unknown person" "no person 'nobody@example.com'" person show nobody@example.com
expect_error "edit: nothing to change" "nothing to change" person edit alice@example.com
expect_error "edit: invalid phone" "phone number" person edit alice@example.com --phone "call me"
expect_error "edit: email to a domain not delegated" "not delegated" person edit alice@example.com --email alice@elsewhere.test
expect_error "delete: unknown person" "no person" person delete nobody@example.com
expect_error "unlock: unknown person" "no person" person unlock nobody@example.com
expect_error "reset-secret-id needs a source" "give the new secret ID" person reset-secret-id alice@example.com
expect_error "invite needs an account" "--account NAME" person invite alice@example.com
expect_error "invite: not a client certificate account" "no client certificate account 'ssl'" person invite alice@example.com --account ssl
expect_error "invite: unknown person" "no person" person invite nobody@example.com --account smime
expect_error "import: missing file" "cannot open" person import /nonexistent.csv
expect_error "import: --invite without --account" "go together" person import "$OUT/sid" --invite

# ---- edit, reset-secret-id, unlock ----
check "edit" run person edit dave@example.com --last Kimura --dept IT --phone "+1 555 0199"
check_eq "edit changed the fields" "Kimura|+1 555 0199|IT" \
    "$(db_count "SELECT p.last_name || '|' || p.phone || '|' || d.name FROM person p JOIN department d ON d.id = p.dept_id WHERE email = 'dave@example.com'")"
check_grep "edit is audited" 'person.edit +dave@example.com' <(cdadm audit list)
old_hash=$(db_count "SELECT secret_id_hash FROM person WHERE email = 'bob@example.com'")
echo "Bob-new-S3cret" | run person reset-secret-id bob@example.com --secret-id -
check_eq "reset-secret-id from stdin" 0 $?
check "the secret ID hash changed" test "$old_hash" != "$(db_count "SELECT secret_id_hash FROM person WHERE email = 'bob@example.com'")"
check "reset-secret-id with a generated one" run person reset-secret-id dave@example.com --generate-secret-id
GEN2=$(sed -n 's/^secret ID: //p' "$OUT/out")
check_eq "the generated secret ID is printed" 24 "${#GEN2}"
# Ten wrong secret IDs lock a person: person_secret_check is driven ten
# times, and the lock checked, in tests/unit/test_person.c
# (test_secret_lock).  Here the stored state of such a person is set
# directly and the commands act on it.
sqlite3 "$DB" "UPDATE person SET secret_failures = 10 WHERE email = 'carol@example.com'"
check_grep "show says locked" 'locked after 10 failures' <(cdadm person show carol@example.com)
check_grep "list says locked" 'carol@example.com .*\(locked\)' <(cdadm person list)
check_grep "show --json says locked" '"locked":true' <(cdadm person show carol@example.com --json)
check "unlock" run person unlock carol@example.com
check_eq "unlock clears the failures" 0 "$(db_count "SELECT secret_failures FROM person WHERE email = 'carol@example.com'")"
sqlite3 "$DB" "UPDATE person SET secret_failures = 10 WHERE email = 'carol@example.com'"
printf 'Carol-other-S3cret' > "$OUT/sid2"
check "reset-secret-id from a file" run person reset-secret-id carol@example.com --secret-id-file "$OUT/sid2"
check_eq "reset-secret-id clears the failures" 0 "$(db_count "SELECT secret_failures FROM person WHERE email = 'carol@example.com'")"

# ---- invitations ----
rm -f "$INSTANCE"/mail/*
check "invite" run person invite alice@example.com --account smime
check_grep "invite says until when" 'invitation mailed to alice@example.com \(valid until' "$OUT/out"
MAIL=$(ls "$INSTANCE"/mail/*.eml 2>/dev/null | head -n 1)
check "the invitation is mailed" test -n "$MAIL"
check_grep "mailed to the person" '^To: alice@example.com' "$MAIL"
LINK=$(grep -o 'http://[^ ]*/validate?requestCode=[^ ]*' "$MAIL" | head -n 1)
check_grep "the link goes to the validate page with the email URL-encoded" \
    '^http://127.0.0.1:1/customer/demo/validate\?requestCode=[0-9A-Z]{32}&email=alice%40example\.com$' <(echo "$LINK")
CODE=$(echo "$LINK" | sed 's/.*requestCode=\([0-9A-Z]*\).*/\1/')
check_grep "the mail gives the code too" "Your request code: $CODE" "$MAIL"
KEYHEX=$(od -An -tx1 -v "$INSTANCE/state/server.key" | tr -d ' \n')
MAC=$(printf 'vcode:%s' "$CODE" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEYHEX" | sed 's/.*= //')
check_eq "the mailed code's HMAC is the stored, unused invitation of alice" \
    "1|invitation|alice@example.com|" \
    "$(db_count "SELECT count(*) || '|' || kind || '|' || email || '|' || coalesce(used_at, '') FROM validation_code WHERE code_hmac = '$MAC' AND person_id = (SELECT id FROM person WHERE email = 'alice@example.com') AND account_id = (SELECT id FROM account WHERE name = 'smime')")"
check "the code expires in 30 days" test "$(db_count "SELECT expires - strftime('%s','now') BETWEEN 30*86400 - 60 AND 30*86400 + 60 FROM validation_code WHERE code_hmac = '$MAC'")" = 1
check_nogrep "the code is not in the command's output" "$CODE" "$ALL"
check_nogrep "nor in the audit log" "$CODE" <(cdadm audit list --limit 1000)
check_grep "the invitation is audited" 'person.invite +alice@example.com' <(cdadm audit list)
# A mail that cannot be sent leaves no code.
sed 's|^Mail.Dir = .*|Mail.Dir = /nonexistent/mail|' "$INSTANCE/certdesk.hdf" > "$INSTANCE/badmail.hdf"
codes=$(db_count "SELECT count(*) FROM validation_code")
"$ROOT/build/certdesk" --config "$INSTANCE/badmail.hdf" person invite bob@example.com --account smime \
    > "$OUT/out" 2> "$OUT/err"
rc=$?
cat "$OUT/out" "$OUT/err" >> "$ALL"
check_eq "a mail failure exits 1" 1 "$rc"
check_grep "and says so" 'could not be sent.*no invitation code was kept' "$OUT/err"
check_eq "and keeps no code" "$codes" "$(db_count "SELECT count(*) FROM validation_code")"
# Codes.InvitationDays sets the lifetime.
echo "Codes.InvitationDays = 3" >> "$INSTANCE/certdesk.hdf"
check "invite with Codes.InvitationDays = 3" run person invite bob@example.com --account smime
check "that code expires in 3 days" test "$(db_count "SELECT expires - strftime('%s','now') BETWEEN 3*86400 - 60 AND 3*86400 + 60 FROM validation_code ORDER BY id DESC LIMIT 1")" = 1

# ---- CSV import ----
cat > "$OUT/good.csv" <<'EOF'
First Name,Middle Name,Last Name,Email,Alternative Emails,Validation Type,Organization,Department,Secret ID,Phone,Country,EPPN,Common Name
Erin,,Stone,erin@example.com,erin.s@example.com,standard,Demo Org,IT,Erin-csv-S3cret,380487000001,UA,erin@univ.example,"Erin Stone"
Frank,Q,Moss,frank@example.com,,high,Demo Org,,,,,,
Gina,,Lake,gina@example.com,,,Demo Org,,,,,gina@example.com,,
EOF
check "import a good file" run person import "$OUT/good.csv"
check_grep "import says how many" 'imported 3 persons' "$OUT/out"
check_eq "three more persons" 7 "$(persons)"
check_eq "the row's fields are stored" "Erin Stone|erin.s@example.com|380487000001|UA|erin@univ.example|IT" \
    "$(db_count "SELECT p.common_name || '|' || alt_emails || '|' || phone || '|' || country || '|' || eppn || '|' || d.name FROM person p JOIN department d ON d.id = p.dept_id WHERE email = 'erin@example.com'")"
check_eq "the 14-field layout carries the principal name" "gina@example.com|Gina Lake" \
    "$(db_count "SELECT principal_name || '|' || common_name FROM person WHERE email = 'gina@example.com'")"
check_grep "import is audited per person" 'person.add +frank@example.com' <(cdadm audit list)

# One file per rule: a good line, then the bad one on line 2 or 3.
G='Hana,,Ito,hana@example.com,,,Demo Org,,,,,,'
expect_line() {
	local what=$1 line=$2 pattern=$3 body=$4
	printf '%s\n' "$body" > "$OUT/bad.csv"
	expect_error "import: $what (line $line)" "^line $line: .*$pattern" person import "$OUT/bad.csv"
	if ! grep -q 'nothing imported' "$OUT/err"; then fail "import: $what says nothing was imported"; fi
}
expect_line "wrong number of fields" 2 "12 fields, expected 13" "$G
Ivan,,Li,ivan@example.com,,,Demo Org,,,,,"
expect_line "mandatory field missing" 2 "last name is required" "$G
Ivan,,,ivan@example.com,,,Demo Org,,,,,,"
expect_line "organisation does not exist" 2 "organisation 'Nope Org' does not exist" "$G
Ivan,,Li,ivan@example.com,,,Nope Org,,,,,,"
expect_line "department does not exist" 2 "department 'Sales' does not exist" "$G
Ivan,,Li,ivan@example.com,,,Demo Org,Sales,,,,,"
expect_line "primary email not valid" 2 "email address 'ivan.example.com' is not valid" "$G
Ivan,,Li,ivan.example.com,,,Demo Org,,,,,,"
expect_line "primary email domain not delegated" 2 "'ivan@elsewhere.test' is not delegated" "$G
Ivan,,Li,ivan@elsewhere.test,,,Demo Org,,,,,,"
expect_line "secondary email not valid" 2 "alternative email address 'ivan@' is not valid" "$G
Ivan,,Li,ivan@example.com,ivan@,,Demo Org,,,,,,"
expect_line "secondary email domain not delegated" 2 "alternative email address 'ivan@elsewhere.test' is not delegated" "$G
Ivan,,Li,ivan@example.com,ivan@elsewhere.test,,Demo Org,,,,,,"
expect_line "person already there" 2 "already exists" "$G
Alice,,Smith,alice@example.com,,,Demo Org,,,,,,"
expect_line "same email twice" 3 "already on line 2" "First Name,x,x,x,x,x,x,x,x,x,x,x,x
$G
Hana,,Ito,HANA@example.com,,,Demo Org,,,,,,"
# A second organisation with a department, for the rules that need one.
cdadm org add "Other Org" > /dev/null
cdadm dept add Field --org "Other Org" > /dev/null
cdadm domain add other.example > /dev/null
cdadm domain delegate other.example --org "Other Org" --types smime > /dev/null
expect_line "department not in that organisation" 2 "department 'Field' does not exist in the organisation 'Demo Org'" "$G
Ivan,,Li,ivan@example.com,,,Demo Org,Field,,,,,"
expect_line "primary email not delegated to the department" 2 "not delegated to the department" "$G
Ivan,,Li,ivan@example.com,,,Other Org,Field,,,,,"
expect_line "secondary email not delegated to the department" 2 "alternative email address 'ivan@example.com' is not delegated to the department" "$G
Ivan,,Li,ivan@other.example,ivan@example.com,,Other Org,Field,,,,,"
# Several bad lines: all reported, in order, nothing imported.
printf '%s\n' "$G" 'Ivan,,Li' 'Jo,,Ng,jo@example.com,,,Demo Org,,,,,,' 'Kai,,Wu,kai@elsewhere.test,,,Demo Org,,,,,,' > "$OUT/mixed.csv"
expect_error "import: a file with bad lines imports nothing" "nothing imported: 2 lines failed" person import "$OUT/mixed.csv"
check_eq "both bad lines reported in order" "line 2:|line 4:" "$(grep -o '^line [0-9]*:' "$OUT/err" | paste -sd'|')"
check "import --partial" run person import "$OUT/mixed.csv" --partial
check_grep "--partial imports the good lines" 'imported 2 persons' "$OUT/out"
check_eq "hana and jo are there, ivan and kai are not" "hana@example.com,jo@example.com" \
    "$(db_count "SELECT group_concat(email) FROM (SELECT email FROM person WHERE email IN ('hana@example.com','ivan@example.com','jo@example.com','kai@example.com') ORDER BY email)")"
check_grep "--partial still reports the bad lines" '^line 4: ' "$OUT/err"
# --org and --invite.
rm -f "$INSTANCE"/mail/*
printf 'Lea,,Ho,lea@example.com,,,,,,,,,\nMo,,Ra,mo@example.com,,,Demo Org,,,,,,\n' > "$OUT/invite.csv"
check "import --org --invite --account" run person import "$OUT/invite.csv" --org "Demo Org" --invite --account smime
check_eq "each imported person is invited" 2 "$(ls "$INSTANCE"/mail/*.eml | wc -l)"
check_grep "with a link" 'validate\?requestCode=[0-9A-Z]{32}&email=lea%40example\.com' <(cat "$INSTANCE"/mail/*.eml)
printf 'Ned,,Oz,ned@other.example,,,Other Org,,,,,,\n' > "$OUT/other.csv"
expect_error "import --invite: the account must be the person's organisation's" "^line 1: the account 'smime' belongs to another organisation" \
    person import "$OUT/other.csv" --invite --account smime
expect_error "import --org refuses another organisation" "^line 1: .*not the one given with --org" \
    person import "$OUT/other.csv" --org "Demo Org"

# ---- edit and delete revoke the person's certificates ----
# No command or form issues a client certificate to a person yet, so a
# Requested request is written with sqlite (as the client form will) and
# issued through `certdesk request approve`, the CA's own path.
issue_for() {	# issue_for EMAIL CERTID
	local email=$1 id=$2
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$OUT/$id.key" -subj "/CN=$id/emailAddress=$email" -outform DER \
	    -out "$OUT/$id.csr" 2>/dev/null
	sqlite3 "$DB" "INSERT INTO request (customer_id, cert_id, type, via, status, account_id,
	    profile_id, org_id, person_id, term_days, common_name, requester_email, csr_der, requested_at)
	    SELECT p.id, '$id', 'smime', 'web', 'Requested', (SELECT id FROM account WHERE name = 'smime'),
	    (SELECT id FROM profile WHERE name = 'Client Authentication and Email'), o.id,
	    (SELECT id FROM person WHERE email = '$email'), 365, '$id', '$email',
	    readfile('$OUT/$id.csr'), strftime('%s','now')
	    FROM customer p JOIN organization o ON o.customer_id = p.id AND o.name = 'Demo Org'"
	cdadm request approve "$id" > /dev/null
}
issue_for bob@example.com bobcert1
issue_for bob@example.com bobcert2
check_eq "bob has two issued certificates" 2 "$(db_count "SELECT count(*) FROM request WHERE requester_email = 'bob@example.com' AND status = 'Issued'")"
check_grep "show counts them" 'certificates +2 issued' <(cdadm person show bob@example.com)
crl_before=$(db_count "SELECT crl_number FROM ca")
expect_error "edit without --yes says how many would be revoked" "revokes 2 certificates; repeat with --yes" \
    person edit bob@example.com --phone "+1 555 0123"
check "edit --yes" run person edit bob@example.com --phone "+1 555 0123" --yes
check_eq "edit revoked both as affiliationChanged" "Revoked|3,Revoked|3" \
    "$(db_count "SELECT group_concat(status || '|' || revoke_reason) FROM request WHERE cert_id IN ('bobcert1', 'bobcert2')")"
check "the CRL was published again" test "$(db_count "SELECT crl_number FROM ca")" -gt "$crl_before"
check_grep "the holder is told" 'bob@example.com' <(grep -l 'revoked' "$INSTANCE"/mail/*.eml | xargs cat)
check "an edit without certificates needs no --yes" run person edit bob@example.com --middle J
issue_for erin@example.com erincert1
expect_error "delete without --yes says how many would be revoked" "revokes 1 certificate; repeat with --yes" \
    person delete erin@example.com
check "delete --yes" run person delete erin@example.com --yes
check_eq "the person is gone" 0 "$(db_count "SELECT count(*) FROM person WHERE email = 'erin@example.com'")"
check_eq "the certificate is revoked as cessationOfOperation, its request kept" "Revoked|5|erin@example.com|" \
    "$(db_count "SELECT status || '|' || revoke_reason || '|' || requester_email || '|' || coalesce(person_id, '') FROM request WHERE cert_id = 'erincert1'")"
check_grep "delete is audited" 'person.delete +erin@example.com' <(cdadm audit list)
check "delete without certificates" run person delete frank@example.com
check "the same email can be added again" run person add erin@example.com --org "Demo Org" --first Erin --last Stone

# ---- secret IDs never leave the command that set them ----
SECRETS="$GEN|$GEN2|Bob-stdin-S3cret|Carol-file-S3cret|Bob-new-S3cret|Carol-other-S3cret|Erin-csv-S3cret"
# The generated ones were printed by add/reset-secret-id exactly once each.
check_eq "each generated secret ID was printed once" 2 "$(grep -Ec "^secret ID: ($GEN|$GEN2)$" "$ALL")"
grep -Ev "^secret ID: ($GEN|$GEN2)$" "$ALL" > "$OUT/all-but-once"
check_nogrep "no secret ID in any other output" "$SECRETS" "$OUT/all-but-once"
cdadm audit list --limit 10000 --json > "$OUT/audit.json"
check_nogrep "no secret ID in the audit log" "$SECRETS" "$OUT/audit.json"
sqlite3 "$DB" .dump > "$OUT/dump.sql"
check_nogrep "no secret ID in the database dump" "$SECRETS" "$OUT/dump.sql"
check_nogrep "no secret ID in the database file" "$SECRETS" "$DB"
check_nogrep "no invitation code in the database dump" "$CODE" "$OUT/dump.sql"
finish
