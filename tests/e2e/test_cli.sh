#!/usr/bin/env bash
# The certdesk admin CLI: help for every command, JSON that parses, errors
# with exit status 1 and a message, access codes never stored or audited
# in the clear, and an audit event for every change.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/cli"
rm -rf "$OUT" && mkdir -p "$OUT"

INSTANCE=$(mktemp -d /tmp/certdesk-cli.XXXXXX)
trap 'rm -rf "$INSTANCE"' EXIT
instance_config "$INSTANCE" 1
instance_populate "$INSTANCE"

# Every command documents itself, without needing a database.
cmds=$("$ROOT/build/certdesk" --help | awk '/^  [a-z]/ {print $1 " " $2}')
n=0
while read -r g v; do
	[ "$v" = "create" ] && v=""
	if CERTDESK_CONF=/nonexistent "$ROOT/build/certdesk" $g $v --help > "$OUT/help" 2>&1 &&
	    grep -q '^usage: certdesk' "$OUT/help"; then
		n=$((n + 1))
	else
		fail "certdesk $g $v --help"
	fi
done <<< "$cmds"
check "every command has --help ($n commands)" test "$n" -ge 30

# --json output parses, for every list/show command.
json_ok() { node -e 'JSON.parse(require("fs").readFileSync(0, "utf8"))'; }
for c in "customer list" "org list" "org show Demo\ Org" "profile list" "profile show Device" \
    "endpoint list" "domain list" "request list" "cert list" "audit list" "ca show" \
    "dept list --org Demo\ Org" "account list --endpoint ssl"; do
	eval "set -- $c"
	if cdadm "$@" --json > "$OUT/json" 2>&1 && json_ok < "$OUT/json"; then
		pass "$c --json parses"
	else
		fail "$c --json parses ($(head -c 200 "$OUT/json"))"
	fi
done
check_grep "endpoint list prints the SCEP URL" '/customer/demo/scep/device/pkiclient.exe' \
    <(cdadm endpoint list)

# Errors: a message on stderr, nothing on stdout, exit status 1.
expect_error() {
	local what=$1 pattern=$2
	shift 2
	cdadm "$@" > "$OUT/out" 2> "$OUT/err"
	local rc=$?
	if [ "$rc" -eq 1 ] && [ ! -s "$OUT/out" ] && grep -Eq -- "$pattern" "$OUT/err"; then
		pass "$what"
	else
		fail "$what (rc=$rc, stderr: $(head -c 200 "$OUT/err"))"
	fi
}
expect_error "unknown command" "unknown command" frobnicate
expect_error "unknown option" "unknown option --nope" org list --nope
expect_error "missing argument shows usage" "usage: certdesk org add" org add
expect_error "duplicate customer" "already exists" customer add demo
expect_error "unknown organisation" "no organisation 'Nope'" dept add X --org Nope
expect_error "bad key type list" "--keys" profile add P --type ssl --keys rsa1024
expect_error "bad term" "--terms" profile add P --type ssl --terms 99999
expect_error "SCEP endpoint needs an extension" "need --ext" endpoint add --type scep-device
expect_error "short access code refused" "8 to 128" account add x --endpoint ssl --org "Demo Org" --code short --profile Device
expect_error "unknown request" "no request or certificate" request approve nope
expect_error "bad revocation reason" "--reason" cert revoke X --reason whatever
expect_error "domain syntax" "not a domain name" domain add "exa mple.com"
expect_error "CA name cannot leave its directory" "--name" ca init --name ../../etc/x

# The CLI reads secrets: it never dumps core (PR_SET_DUMPABLE is checked
# in test_secret).  It waits here reading its code from a FIFO that this
# shell holds open, for as long as the check takes.
mkfifo "$OUT/code.fifo"
exec 3<>"$OUT/code.fifo"
CERTDESK_CONF="$INSTANCE/certdesk.hdf" "$ROOT/build/certdesk" account add corecheck \
    --endpoint ssl --org "Demo Org" --code - --profile "SSL Standard" \
    < "$OUT/code.fifo" > /dev/null 3>&- &
CPID=$!
# Until the exec, /proc/CPID is this shell's fork, with the shell's limits.
CLI=$(readlink -f "$ROOT/build/certdesk")
core_off() {
	[ "$(readlink "/proc/$CPID/exe")" = "$CLI" ] &&
	    grep -Eq '^Max core file size +0 +0 ' "/proc/$CPID/limits"
}
for _ in $(seq 1 200); do
	core_off && break
	sleep 0.05
done
check "certdesk CLI: Max core file size 0" core_off
echo "core-check-code-2026" >&3
exec 3>&-
wait "$CPID"
check_eq "the CLI then reads its code and adds the account" 0 $?

# Access codes: hashed at once; never in the database or the audit trail.
echo "secret-code-from-stdin" | cdadm account add piped --endpoint ssl --org "Demo Org" \
    --code - --profile "SSL Standard" > /dev/null
check_grep "a code can be read from stdin" '"name":"piped"' <(cdadm account list --endpoint ssl --json)
check_nogrep "no access code in the database file" 'demo-ssl-2026|secret-code-from-stdin' "$INSTANCE/state/certdesk.db"
cdadm audit list --limit 1000 > "$OUT/audit"
check_nogrep "no access code in the audit log" 'demo-ssl-2026|secret-code-from-stdin' "$OUT/audit"
check_grep "account creation audited" 'account.add +piped' "$OUT/audit"
check_grep "customer creation audited" 'customer.add +demo' "$OUT/audit"
cdadm account set-code piped --endpoint ssl --code another-code-2026 > /dev/null
check_grep "code change audited" 'account.set-code' <(cdadm audit list)
check_eq "audit events carry the remote 'cli'" "cli" \
    "$(sqlite3 "$INSTANCE/state/certdesk.db" "SELECT remote FROM audit WHERE action='account.set-code'")"
finish
