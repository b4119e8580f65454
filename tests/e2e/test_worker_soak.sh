#!/usr/bin/env bash
# Hostile requests against every form program's FastCGI workers under
# lighttpd: a multipart POST without boundary after a good one, upload
# handles without uploads, huge field counts, wrong content types, bad
# CSRF tokens, oversized bodies and plain GETs, 1 000 in all.  No request
# may get a 5xx, and no worker
# may die or be restarted: the same PIDs before and after, and nothing
# about a backend in lighttpd's error log.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/worker_soak"
rm -rf "$OUT" && mkdir -p "$OUT"

start_instance
JAR="$OUT/cookies"
LIGHTTPD=$(cat "$INSTANCE/run/lighttpd.bgpid")
PROGS="ssl collect smime validate bulkenroll device"

# url PROG: the path of a program's form; the device form is only at its
# endpoint's extension.
url() {
	printf '%s' "${1/#device/device/lab}"
}

# workers: "PID program" of every form program lighttpd started, sorted.
workers() {
	local pid args
	for pid in $(pgrep -P "$LIGHTTPD"); do
		args=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || continue
		echo "$pid $(basename "${args%% *}")"
	done | grep -Ev ' pkiclient\.exe$' | sort
}

# Bodies made once: 64 KiB of one key, a field over the cap, 100 KiB.
head -c 65000 /dev/zero | tr '\0' 'x' | sed 's/xxx/a=\&/g' > "$OUT/fields.txt"
{ for i in $(seq 1 65); do printf 'f%d=1&' "$i"; done; } > "$OUT/65fields.txt"
head -c 100000 /dev/zero | tr '\0' 'A' > "$OUT/big.txt"
printf 'a\r\nb\r\n--x\r\n\r\n' > "$OUT/lines.txt"
printf -- '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n' > "$OUT/up.csr"
QMANY=$(for i in $(seq 1 70); do printf 'q=&'; done)

# Before any request: every program has its workers up.
for p in $PROGS; do curl -s -o /dev/null "$BASE/$(url "$p")"; done
sleep 0.5
workers > "$OUT/before.txt"
for p in $PROGS; do
	check_grep "$p has a worker under lighttpd" " $p\$" "$OUT/before.txt"
done
LOGLINES=$(wc -l < "$INSTANCE/lighttpd-error.log")

TOK=$(csrf_token "$JAR" "$BASE/ssl?action=enroll")
check "a CSRF token for the POSTs" test -n "$TOK"

# req N PROG CURL-ARGS...: one request; records "prog status" in codes.txt.
req() {
	local prog=$1 code
	shift
	code=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' --max-time 10 \
	    "$@" "$BASE/$(url "$prog")")
	echo "${prog%%\?*} $code" >> "$OUT/codes.txt"
}
: > "$OUT/codes.txt"

read -r -a PROG <<< "$PROGS"
for n in $(seq 0 999); do
	p=${PROG[$((n % ${#PROG[@]}))]}
	case $((n / ${#PROG[@]} % 16)) in
	0) req "$p" ;;
	1) req "$p" -I ;;
	2) req "$p" -F "csrf=$TOK" -F step=1 -F "csrFile=@$OUT/up.csr" ;;
	3) req "$p" -H 'Content-Type: multipart/form-data' \
	    --data-binary "@$OUT/lines.txt" ;;
	4) req "$p" --data "csrf=$TOK&csrFile.FileHandle=1&csr.FileHandle=1" ;;
	5) req "$p" --data-binary "@$OUT/fields.txt" ;;
	6) req "$p" --data-binary "@$OUT/65fields.txt" ;;
	7) req "$p" -H 'Content-Type: text/plain' --data "csrf=$TOK" ;;
	8) req "$p" -H 'Content-Type: multipart/form-data; boundary=a!b' \
	    --data-binary "@$OUT/lines.txt" ;;
	9) req "$p?action=enroll" \
	    --data "csrf=0123456789abcdef0123456789abcdef&accessCode=x" ;;
	10) req "$p" --data-binary "@$OUT/big.txt" ;;
	11) req "$p?$QMANY" ;;
	12) req "$p" -H 'Content-Type: multipart/form-data; boundary=' \
	    --data-binary "@$OUT/lines.txt" ;;
	13) req "$p?action=enroll&id=0123456789" ;;
	14) req "$p" -H 'Content-Type: application/json' --data '{"a":1}' ;;
	15) req "$p" -F "csrf=$TOK" -F "a=1" -F "csrFile.FileHandle=2" ;;
	esac
done

check_eq "1000 requests sent" 1000 "$(wc -l < "$OUT/codes.txt")"
check_eq "every request answered" 0 "$(grep -c ' 000$' "$OUT/codes.txt")"
check_grep "device: the form answered" '^device 200$' "$OUT/codes.txt"
check_eq "no 5xx anywhere" 0 "$(grep -Ec ' 5[0-9][0-9]$' "$OUT/codes.txt")"
check_grep "boundary-less multipart refused with 400" '^ssl 400$' "$OUT/codes.txt"
check_grep "bad content types refused with 415" '^ssl 415$' "$OUT/codes.txt"
check_grep "oversized bodies refused with 413" '^ssl 413$' "$OUT/codes.txt"
check_grep "bad CSRF refused with 403" '^ssl 403$' "$OUT/codes.txt"

workers > "$OUT/after.txt"
check "the same workers before and after (none died or restarted)" \
    cmp -s "$OUT/before.txt" "$OUT/after.txt"
tail -n +"$((LOGLINES + 1))" "$INSTANCE/lighttpd-error.log" > "$OUT/error-new.log"
# lighttpd's own lines name its source file; the programs' start "prog[level]".
check_nogrep "lighttpd logged no backend failure" \
    '\((gw_backend|mod_fastcgi)\.c|[Dd]ied|exited|signaled|overloaded|disabled' \
    "$OUT/error-new.log"
check_eq "nothing was recorded" 0 "$(db_count 'SELECT COUNT(*) FROM request')"
finish
