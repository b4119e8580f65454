#!/usr/bin/env bash
# SCEP with certmonger (0.79): its scep-submit helper on its own for
# GetCACaps and GetCACert (it sends message=0 and asks for GetCAChain
# first), then the certmonger daemon on a private session bus with its own
# state directories, driven by getcert: enrollment with RSA 2048 and 4096,
# wrong and one-time challenges, manual approval (the daemon parks the
# request; scep-submit re-sent with the stored CertPoll message gets it
# after approval), and rekeying signed by the old certificate.  certmonger
# refuses to make SCEP requests for EC keys (NEED_SCEP_RSA_CLIENT_KEY), so
# there is no EC case.
#
# The daemon part runs this script again (--inner) inside `certmonger -c`; that half
# writes its pass/fail counts to a file the outer half adds to its own.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/scep_lib.sh"
SUBMIT=/usr/lib/certmonger/scep-submit

# getcert against the private daemon.
gc() {
	timeout 60 getcert "$@" -s
}

# status ID: the tracked request's state (MONITORING, CA_REJECTED, ...).
status() {
	gc list -i "$1" 2>/dev/null | sed -n 's/^[[:space:]]*status: //p' | head -n 1
}

# wait_status ID SECONDS STATE...: waits until the request reaches one of
# the states; prints the last state seen.
wait_status() {
	local id=$1 limit=$2 s i
	shift 2
	for i in $(seq 1 $((limit * 4))); do
		s=$(status "$id")
		for want in "$@"; do
			if [ "$s" = "$want" ]; then
				echo "$s"
				return 0
			fi
		done
		sleep 0.25
	done
	echo "$s"
	return 1
}

# request ID CA BITS CN CHALLENGE: a file-based request; waits for an outcome.
request() {
	local id=$1 ca=$2 bits=$3 cn=$4 pw=$5
	gc request -c "$ca" -I "$id" -f "$OUT/$id.pem" -k "$OUT/$id.key" -g "$bits" \
	    -N "CN=$cn" -D "$cn" -L "$pw" >"$OUT/$id.log" 2>&1
	wait_status "$id" 45 MONITORING CA_REJECTED CA_UNREACHABLE CA_UNCONFIGURED \
	    NEED_GUIDANCE >/dev/null
	gc list -i "$id" >>"$OUT/$id.log" 2>&1
}

# reqfield ID KEY: a field of certmonger's saved request file, unfolded.
reqfield() {
	local f
	f=$(grep -l "^nickname=$1\$\|^id=$1\$" "$CMDIR/req/"* 2>/dev/null | head -n 1)
	[ -n "$f" ] || return 1
	awk -v k="$2=" 'index($0, k) == 1 { on = 1; print substr($0, length(k) + 1); next }
	    on && /^ / { print substr($0, 2); next } { on = 0 }' "$f"
}

inner() {
	gc add-scep-ca -c certdesk -u "$DEV" >"$OUT/add-ca.log" 2>&1
	check_eq "add-scep-ca for the device endpoint" 0 $?
	gc add-scep-ca -c certdesk-approval -u "$APPR" >>"$OUT/add-ca.log" 2>&1
	check_eq "add-scep-ca for the approval endpoint" 0 $?

	request cm2048 certdesk 2048 cm-2048.example.com "$CODE"
	check_eq "RSA 2048: MONITORING (issued)" MONITORING "$(status cm2048)"
	scep_verify "RSA 2048: certificate chains to the CA" "$OUT/cm2048.pem"
	check_grep "RSA 2048: CN kept" 'CN=cm-2048\.example\.com' <(scep_subject "$OUT/cm2048.pem")
	check_grep "RSA 2048: SAN kept" 'DNS:cm-2048\.example\.com' <(scep_sans "$OUT/cm2048.pem")
	check_eq "RSA 2048: the daemon's key is certified" \
	    "$(openssl pkey -in "$OUT/cm2048.key" -pubout 2>/dev/null | sha256sum)" \
	    "$(openssl x509 -in "$OUT/cm2048.pem" -noout -pubkey 2>/dev/null | sha256sum)"

	request cm4096 certdesk 4096 cm-4096.example.com "$CODE"
	check_eq "RSA 4096: MONITORING (issued)" MONITORING "$(status cm4096)"
	scep_verify "RSA 4096: certificate chains to the CA" "$OUT/cm4096.pem"
	check_grep "RSA 4096: 4096-bit key certified" 'Public-Key: \(4096 bit\)' \
	    <(openssl x509 -in "$OUT/cm4096.pem" -noout -text 2>/dev/null)

	request cmwrong certdesk 2048 cm-wrong.example.com not-the-code
	check_eq "wrong challenge: CA_REJECTED" CA_REJECTED "$(status cmwrong)"
	check_grep "wrong challenge: getcert shows badRequest's text" 'ca-error: .*not permitted' "$OUT/cmwrong.log"
	check "wrong challenge: no certificate" test ! -s "$OUT/cmwrong.pem"
	request cmafter certdesk 2048 cm-after.example.com "$CODE"
	check_eq "after a wrong challenge the next request is issued" MONITORING "$(status cmafter)"
	scep_verify "after a wrong challenge: certificate chains to the CA" "$OUT/cmafter.pem"

	otp=$(cdadm scep challenge --account scep-device)
	check "one-time challenge printed" test -n "$otp"
	request cmotp1 certdesk 2048 cm-otp1.example.com "$otp"
	check_eq "one-time challenge: first use issued" MONITORING "$(status cmotp1)"
	scep_verify "one-time challenge: certificate chains to the CA" "$OUT/cmotp1.pem"
	request cmotp2 certdesk 2048 cm-otp2.example.com "$otp"
	check_eq "one-time challenge: second use CA_REJECTED" CA_REJECTED "$(status cmotp2)"

	# Manual approval: the daemon parks the request as CA_WORKING; the
	# CertPoll (GetCertInitial) message it saved, sent with scep-submit,
	# says pending before approval and returns the certificate after.
	gc request -c certdesk-approval -I cmpend -f "$OUT/cmpend.pem" -k "$OUT/cmpend.key" \
	    -g 2048 -N CN=cm-pending.example.com -D cm-pending.example.com -L "$CODE" \
	    >"$OUT/cmpend.log" 2>&1
	check_eq "manual approval: CA_WORKING (pending)" CA_WORKING "$(wait_status cmpend 45 CA_WORKING MONITORING CA_REJECTED CA_UNREACHABLE)"
	reqfield cmpend scep_gic | sed '/^$/d' >"$OUT/gic.pem"
	check_grep "manual approval: the daemon saved a CertPoll message" 'BEGIN PKCS7' "$OUT/gic.pem"
	timeout 30 "$SUBMIT" -u "$APPR" -r "$OUT/ra.pem" -N "$OUT/ca.pem" -g "$OUT/gic.pem" \
	    >"$OUT/poll1.out" 2>&1
	check_eq "manual approval: CertPoll before approval: still pending (exit 1)" 1 $?
	id=$(scep_approve_pending 10)
	check "manual approval: request approved" test -n "$id"
	timeout 30 "$SUBMIT" -u "$APPR" -r "$OUT/ra.pem" -N "$OUT/ca.pem" -g "$OUT/gic.pem" \
	    >"$OUT/poll2.out" 2>&1
	check_eq "manual approval: CertPoll after approval: issued (exit 0)" 0 $?
	# The answer is the envelope for the daemon's key; open it ourselves.
	sed -n '/BEGIN PKCS7/,/END PKCS7/p' "$OUT/poll2.out" >"$OUT/poll2.p7"
	openssl cms -decrypt -inform PEM -in "$OUT/poll2.p7" -inkey "$OUT/cmpend.key" \
	    -binary -out "$OUT/poll2.certs.der" 2>"$OUT/poll2.err"
	openssl pkcs7 -inform der -in "$OUT/poll2.certs.der" -print_certs 2>/dev/null |
	    sed -n '1,/END CERTIFICATE/p' >"$OUT/poll2.pem"
	scep_verify "manual approval: polled certificate chains to the CA" "$OUT/poll2.pem"
	check_grep "manual approval: CN kept" 'CN=cm-pending\.example\.com' <(scep_subject "$OUT/poll2.pem")
	# The daemon's own resubmission then collects the same certificate.
	gc resubmit -i cmpend >>"$OUT/cmpend.log" 2>&1
	check_eq "manual approval: resubmitted request MONITORING" MONITORING \
	    "$(wait_status cmpend 45 MONITORING CA_REJECTED CA_UNREACHABLE)"
	check_eq "manual approval: one certificate for the transaction" \
	    "$(scep_serial "$OUT/poll2.pem")" "$(scep_serial "$OUT/cmpend.pem")"

	# Rekey: a new key pair, the request signed by the old certificate.
	cp "$OUT/cm2048.pem" "$OUT/cm2048-old.pem"
	cp "$OUT/cm2048.key" "$OUT/cm2048-old.key"
	# -L "" drops the stored challenge: the request must stand on the old
	# certificate alone.
	gc rekey -i cm2048 -L "" >"$OUT/rekey.log" 2>&1
	check_eq "rekey: no challenge password left in the request" "" \
	    "$(reqfield cm2048 template_challenge_password)"
	# The request was MONITORING before the rekey too: wait for the new
	# certificate (or a refusal) before reading the state.
	oldserial=$(scep_serial "$OUT/cm2048-old.pem")
	for _ in $(seq 1 180); do
		newserial=$(scep_serial "$OUT/cm2048.pem")
		[ -n "$newserial" ] && [ "$newserial" != "$oldserial" ] && break
		case $(status cm2048) in CA_REJECTED | CA_UNREACHABLE) break ;; esac
		sleep 0.25
	done
	check_eq "rekey: issued again" MONITORING "$(wait_status cm2048 45 MONITORING CA_REJECTED CA_UNREACHABLE)"
	gc list -i cm2048 >>"$OUT/rekey.log" 2>&1
	scep_verify "rekey: certificate chains to the CA" "$OUT/cm2048.pem"
	check "rekey: a new serial number" test -n "$(scep_serial "$OUT/cm2048.pem")" -a \
	    "$(scep_serial "$OUT/cm2048.pem")" != "$(scep_serial "$OUT/cm2048-old.pem")"
	check "rekey: a new key" test "$(openssl x509 -in "$OUT/cm2048.pem" -noout -pubkey | sha256sum)" != \
	    "$(openssl x509 -in "$OUT/cm2048-old.pem" -noout -pubkey | sha256sum)"
	old=$(scep_subject "$OUT/cm2048-old.pem")
	check "rekey: subject kept" test -n "$old" -a "$old" = "$(scep_subject "$OUT/cm2048.pem")"
	check_eq "rekey: recorded as a renewal of the first certificate" 1 \
	    "$(db_count "SELECT COUNT(*) FROM request WHERE renewal_of IS NOT NULL AND common_name = 'cm-2048.example.com'")"

	gc list >"$OUT/list.txt" 2>&1
	echo "$E2E_PASSED $E2E_FAILED" >"$OUT/inner.counts"
}

# certmonger does not hand its environment to the -c command, so the inner
# half gets its settings from a file named on its command line.
if [ "${1:-}" = --inner ]; then
	. "$2"
	inner
	exit 0
fi

if [ ! -x "$SUBMIT" ] || ! command -v certmonger >/dev/null; then
	fail "certmonger installed (Debian package certmonger)"
	finish
	exit 1
fi
scep_setup certmonger

# scep-submit alone: GetCACaps.
timeout 30 "$SUBMIT" -u "$DEV" -c >"$OUT/caps.txt" 2>"$OUT/caps.err"
check_eq "scep-submit -c (GetCACaps) exits 0" 0 $?
for cap in AES DES3 POSTPKIOperation Renewal SHA-1 SHA-256 SHA-384 SHA-512 SCEPStandard; do
	check_grep "GetCACaps lists $cap" "^$cap\$" "$OUT/caps.txt"
done
check_nogrep "GetCACaps: no GetNextCACert without a rollover CA" '^GetNextCACert' "$OUT/caps.txt"

# scep-submit alone: GetCACert prints the RA, then the CA.
timeout 30 "$SUBMIT" -u "$DEV" -C >"$OUT/cacert.txt" 2>"$OUT/cacert.err"
check_eq "scep-submit -C (GetCACert) exits 0" 0 $?
awk '/BEGIN CERT/ { n++ } n == 1' "$OUT/cacert.txt" | sed -n '1,/END CERT/p' >"$OUT/got-ra.pem"
awk '/BEGIN CERT/ { n++ } n == 2' "$OUT/cacert.txt" | sed -n '1,/END CERT/p' >"$OUT/got-ca.pem"
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 2>/dev/null; }
check "GetCACert: first the RA certificate" test -n "$(fp "$OUT/got-ra.pem")" -a "$(fp "$OUT/got-ra.pem")" = "$(fp "$OUT/ra.pem")"
check "GetCACert: then the CA certificate" test -n "$(fp "$OUT/got-ca.pem")" -a "$(fp "$OUT/got-ca.pem")" = "$(fp "$OUT/ca.pem")"
scep_caps_alive "server still serves after certmonger's GetCAChain" "$DEV"

# The daemon on a private bus, with its state under $CMDIR.
CMDIR="$OUT/certmonger"
mkdir -p "$CMDIR/home" "$CMDIR/req" "$CMDIR/cas" "$CMDIR/cfg" "$CMDIR/tmp" "$CMDIR/local"
{
	printf 'ROOT=%q\nINSTANCE=%q\nOUT=%q\nCMDIR=%q\n' "$ROOT" "$INSTANCE" "$OUT" "$CMDIR"
	printf 'DEV=%q\nAPPR=%q\nCODE=%q\n' "$DEV" "$APPR" "$CODE"
} >"$CMDIR/env.sh"
rm -f "$OUT/inner.counts"
env HOME="$CMDIR/home" CERTMONGER_REQUESTS_DIR="$CMDIR/req" CERTMONGER_CAS_DIR="$CMDIR/cas" \
    CERTMONGER_CONFIG_DIR="$CMDIR/cfg" CERTMONGER_TMPDIR="$CMDIR/tmp" \
    CERTMONGER_LOCAL_CA_DIR="$CMDIR/local" \
    timeout 100 dbus-run-session -- certmonger -s -n \
    -c "bash $ROOT/tests/e2e/test_scep_certmonger.sh --inner $CMDIR/env.sh" \
    >"$OUT/daemon.log" 2>&1
if [ -s "$OUT/inner.counts" ]; then
	read -r p f <"$OUT/inner.counts"
	grep -E '^  (ok|FAIL) ' "$OUT/daemon.log"
	E2E_PASSED=$((E2E_PASSED + p))
	E2E_FAILED=$((E2E_FAILED + f))
else
	fail "certmonger daemon run finished (see $OUT/daemon.log)"
fi

scep_caps_alive "server still serves at the end" "$DEV"
finish
