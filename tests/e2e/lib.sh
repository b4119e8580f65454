# lib.sh: assertions for the end-to-end tests (bash).  Each test script
# sources it, calls pass/fail or the check_* helpers, and ends with
# `finish`, which prints "N passed, N failed" and sets the exit status.

E2E_PASSED=0
E2E_FAILED=0

pass() {
	E2E_PASSED=$((E2E_PASSED + 1))
	printf '  ok   %s\n' "$*"
}

fail() {
	E2E_FAILED=$((E2E_FAILED + 1))
	printf '  FAIL %s\n' "$*"
}

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1 (expected '$2', got '$3')"
	fi
}

# check_grep DESCRIPTION PATTERN FILE: extended regex must match in FILE.
check_grep() {
	if grep -Eq -- "$2" "$3"; then pass "$1"; else fail "$1 (no /$2/ in $3)"; fi
}

# check_nogrep DESCRIPTION PATTERN FILE: extended regex must not match.
check_nogrep() {
	if grep -Eq -- "$2" "$3"; then fail "$1 (/$2/ found in $3)"; else pass "$1"; fi
}

finish() {
	echo "$(basename "$0"): $E2E_PASSED passed, $E2E_FAILED failed"
	[ "$E2E_FAILED" -eq 0 ]
}

# start_instance: a fresh populated instance on a free port, stopped on exit.
# Sets INSTANCE, PORT, BASE (http://127.0.0.1:PORT/customer/demo).
start_instance() {
	INSTANCE=$(mktemp -d /tmp/certdesk-e2e.XXXXXX)
	PORT=$(free_port)
	instance_config "$INSTANCE" "$PORT"
	instance_populate "$INSTANCE"
	instance_start "$INSTANCE" || exit 1
	BASE="http://127.0.0.1:$PORT/customer/demo"
	trap 'instance_stop "$INSTANCE"; [ -n "${KEEP:-}" ] || rm -rf "$INSTANCE"' EXIT
}

# csrf_token COOKIEJAR URL: GETs URL with the jar and prints the form token.
csrf_token() {
	curl -s -c "$1" -b "$1" "$2" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1
}

# db_count SQL: prints the single number a query returns on the instance DB.
db_count() {
	sqlite3 "$INSTANCE/state/certdesk.db" "$1"
}
