#!/usr/bin/env bash
# certdesk backup while SCEP enrollments run (strongSwan's pki, 4 a second
# for about 15 s): the copy opens, passes integrity_check and holds every
# certificate issued before it began.  certdesk restore refuses while the
# FastCGI programs hold the database, and works with --force or once the
# web server has stopped.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/scep_lib.sh"

RATE_SLEEP=0.25		# 4 enrollments a second
COUNT=60		# for 15 seconds

if ! command -v pki >/dev/null; then
	fail "pki installed (Debian package strongswan-pki)"
	finish
	exit 1
fi
scep_setup backup
mkdir -p "$OUT/ca" "$OUT/keys" "$OUT/run"
timeout 30 pki --scepca --url "$DEV" --caout "$OUT/ca/ca.der" --raout "$OUT/ca/ra.der" \
    --force >"$OUT/scepca.log" 2>&1
check_eq "pki --scepca exits 0" 0 $?

# Every enrollment needs its own key: pki derives the transactionID from
# it, and a repeated one gets the same certificate back.
# Two at a time, waited for by pid: a bare wait would wait for lighttpd.
for i in $(seq 1 2 "$COUNT"); do
	pki --gen --type rsa --size 2048 > "$OUT/keys/$i.der" 2>/dev/null &
	p=$!
	pki --gen --type rsa --size 2048 > "$OUT/keys/$((i + 1)).der" 2>/dev/null
	wait "$p"
done
pki --gen --type rsa --size 2048 > "$OUT/keys/after.der" 2>/dev/null

# enroll I: one pki --scep, its exit status in $OUT/run/I.rc.
enroll() {
	timeout 60 pki --scep --url "$DEV" --in "$OUT/keys/$1.der" \
	    --dn "CN=backup-$1.example.com" --password "$CODE" \
	    --cacert-enc "$OUT/ca/ra.der" --cacert-sig "$OUT/ca/ra.der" \
	    --cacert "$OUT/ca/ca.der" >"$OUT/run/$1.der" 2>"$OUT/run/$1.log"
	echo $? > "$OUT/run/$1.rc"
}

# issued_serials DB: the serial of every issued certificate, sorted.
issued_serials() {
	sqlite3 "$1" "SELECT serial FROM request WHERE serial IS NOT NULL ORDER BY serial"
}

start=$(date +%s)
# The subshell's own wait sees only its enrollments.
(
	for i in $(seq 1 "$COUNT"); do
		enroll "$i" &
		sleep "$RATE_SLEEP"
	done
	wait
) &
load=$!

# Half way: what is committed now must be in the backup taken next.
sleep 7
issued_serials "$INSTANCE/state/certdesk.db" > "$OUT/before.txt"
before=$(wc -l < "$OUT/before.txt")
cdadm backup "$OUT/backup.db" > "$OUT/backup.log" 2>&1
check_eq "certdesk backup during the load exits 0" 0 $?
wait "$load"
elapsed=$(($(date +%s) - start))
ok=$(grep -lx 0 "$OUT"/run/*.rc | wc -l)
check_eq "all $COUNT enrollments succeeded (in ${elapsed} s)" "$COUNT" "$ok"
check "the backup was taken with enrollments done before it ($before)" test "$before" -gt 0
check "the backup was taken with enrollments still to come" test "$before" -lt "$COUNT"

check_eq "the backup passes integrity_check" ok \
	"$(sqlite3 "$OUT/backup.db" 'PRAGMA integrity_check' 2>&1)"
check_eq "the backup is mode 0600" 600 "$(stat -c %a "$OUT/backup.db")"
check "the backup is one file (no -wal beside it)" test ! -e "$OUT/backup.db-wal"
issued_serials "$OUT/backup.db" > "$OUT/in-backup.txt"
check_eq "every certificate issued before the backup is in it" "" \
	"$(comm -23 "$OUT/before.txt" "$OUT/in-backup.txt")"
in_backup=$(wc -l < "$OUT/in-backup.txt")
total=$(issued_serials "$INSTANCE/state/certdesk.db" | wc -l)
check "the backup lacks what was issued after it ($in_backup < $total)" \
	test "$in_backup" -lt "$total"

cdadm backup "$OUT/backup.db" > "$OUT/again.log" 2>&1
check_eq "a second backup to the same file is refused" 1 $?
check_grep "... saying the file exists" 'exists' "$OUT/again.log"
check_eq "... and the first backup is unchanged" "$in_backup" \
	"$(issued_serials "$OUT/backup.db" | wc -l)"

# Restore: refused while lighttpd's FastCGI workers have the database open.
cdadm restore "$OUT/backup.db" > "$OUT/restore-busy.log" 2>&1
check_eq "restore while the programs run is refused" 1 $?
check_grep "... saying the database is in use" 'in use' "$OUT/restore-busy.log"
check_eq "... and the database is untouched" "$total" \
	"$(issued_serials "$INSTANCE/state/certdesk.db" | wc -l)"
cdadm restore --force "$OUT/backup.db" > "$OUT/restore-force.log" 2>&1
check_eq "restore --force while the programs run exits 0" 0 $?
check_grep "... and says to restart the web server" 'restart the web server' \
	"$OUT/restore-force.log"
check_eq "... and the database holds the backup's certificates" "$in_backup" \
	"$(issued_serials "$INSTANCE/state/certdesk.db" | wc -l)"
enroll after
check_eq "an enrollment after restore --force succeeds" 0 "$(cat "$OUT/run/after.rc")"

printf 'not a database\n' > "$OUT/junk.db"
instance_stop "$INSTANCE"
cdadm restore "$OUT/junk.db" > "$OUT/restore-junk.log" 2>&1
check_eq "restore of a file that is not a certdesk database is refused" 1 $?
cdadm restore "$OUT/backup.db" > "$OUT/restore-stopped.log" 2>&1
check_eq "restore with the web server stopped exits 0" 0 $?
check_eq "... and the database holds the backup's certificates" "$in_backup" \
	"$(issued_serials "$INSTANCE/state/certdesk.db" | wc -l)"
check_eq "... and passes integrity_check" ok \
	"$(sqlite3 "$INSTANCE/state/certdesk.db" 'PRAGMA integrity_check' 2>&1)"

finish
