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
	local try
	INSTANCE=$(mktemp -d /tmp/certdesk-e2e.XXXXXX)
	PORT=$(free_port)
	instance_config "$INSTANCE" "$PORT"
	instance_populate "$INSTANCE"
	# Another program can bind the port between free_port and lighttpd:
	# then a fresh port (nothing stored depends on it), a few times.
	for try in 1 2 3 4; do
		instance_start "$INSTANCE" && break
		instance_stop "$INSTANCE"
		[ "$try" -lt 4 ] && grep -q 'Address already in use' "$INSTANCE/lighttpd-error.log" ||
		    instance_failed
		echo "  (port $PORT was taken before lighttpd bound it; trying another)"
		# Kept apart, so the next attempt's log says only its own outcome.
		mv "$INSTANCE/lighttpd-error.log" "$INSTANCE/lighttpd-error-$try.log"
		PORT=$(free_port)
		instance_config "$INSTANCE" "$PORT"
	done
	BASE="http://127.0.0.1:$PORT/customer/demo"
	trap 'instance_stop "$INSTANCE"; [ -n "${KEEP:-}" ] || rm -rf "$INSTANCE"' EXIT
}

# instance_failed: ends a test whose instance did not come up, with a
# result line and lighttpd's own words, so a CI log shows why.
instance_failed() {
	tail -n 20 "$INSTANCE/lighttpd-error.log" 2>/dev/null | sed 's/^/     lighttpd: /'
	fail "lighttpd serves the instance on port $PORT"
	finish
	exit 1
}

# csrf_token COOKIEJAR URL: GETs URL with the jar and prints the form token.
csrf_token() {
	curl -s -c "$1" -b "$1" "$2" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1
}

# db_count SQL: prints the single number a query returns on the instance DB.
db_count() {
	sqlite3 "$INSTANCE/state/certdesk.db" "$1"
}

# browser_start NAME: for a test_NAME.sh that drives Chromium.  Empties
# OUT (tests/out/NAME), fails and exits unless chromium and playwright-core
# are there, starts an instance and makes WORK (OUT/work).
browser_start() {
	OUT="$ROOT/tests/out/$1"
	rm -rf "$OUT" && mkdir -p "$OUT"
	if [ ! -x /usr/bin/chromium ] || [ ! -d "$ROOT/tests/e2e/node_modules/playwright-core" ]; then
		fail "chromium and playwright-core are needed (make deps)"
		finish
		exit 1
	fi
	start_instance
	WORK="$OUT/work"
	mkdir -p "$WORK"
}

# browser_run NAME: runs tests/e2e/NAME.mjs against the instance, shows its
# output (kept in OUT/browser.log), adds its passed and failed counts to
# ours and checks that it exited 0.
browser_run() {
	local line p f rc
	BASE="$BASE" INSTANCE="$INSTANCE" ROOT="$ROOT" OUT="$OUT" WORK="$WORK" \
	    CERTDESK_CONF="$INSTANCE/certdesk.hdf" \
	    timeout 180 node "$ROOT/tests/e2e/$1.mjs" > "$OUT/browser.log" 2>&1
	rc=$?
	cat "$OUT/browser.log"
	line=$(grep -E "^$1\\.mjs: [0-9]+ passed, [0-9]+ failed\$" "$OUT/browser.log")
	p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
	E2E_PASSED=$((E2E_PASSED + ${p:-0}))
	E2E_FAILED=$((E2E_FAILED + ${f:-0}))
	check_eq "browser run exits 0" 0 "$rc"
}
