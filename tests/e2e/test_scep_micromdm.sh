#!/usr/bin/env bash
# SCEP with micromdm's scepclient (Debian package scep), an independent Go
# client that speaks only DES + SHA-1: GetCACert/GetCACaps, enrollment with
# RSA 2048 and 4096 on a legacy-DES endpoint, badAlg on a default endpoint,
# wrong and one-time challenges, manual approval with polling, renewal.
# scepclient only makes RSA keys, so there is no EC case here.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/scep_lib.sh"

if ! command -v scepclient >/dev/null; then
	fail "scepclient installed (Debian package scep)"
	finish
	exit 1
fi
scep_setup micromdm

# mdm NAME URL ARGS...: runs scepclient in $OUT/NAME (key, CSR and
# certificate files there), output in $OUT/NAME.log; returns its status.
mdm() {
	local name=$1 url=$2
	shift 2
	mkdir -p "$OUT/$name"
	(cd "$OUT/$name" && timeout 60 scepclient -server-url "$url" \
	    -private-key key.pem -certificate cert.pem -debug "$@") \
	    >"$OUT/$name.log" 2>&1
}

# Enrollment with RSA 2048: GetCACert (RA + CA), GetCACaps, PKCSReq.
mdm rsa2048 "$LEGACY" -challenge "$CODE" -cn mdm-2048.example.com -keySize 2048
check_eq "RSA 2048: scepclient exits 0" 0 $?
check_grep "GetCACert answered" 'op=GetCACert error=null' "$OUT/rsa2048.log"
check_grep "GetCACert carries the RA and the CA" 'msg=cacertlist count=2' "$OUT/rsa2048.log"
check_grep "GetCACaps answered" 'op=GetCACaps error=null' "$OUT/rsa2048.log"
check_grep "RSA 2048: SUCCESS" 'pkiStatus=SUCCESS' "$OUT/rsa2048.log"
scep_verify "RSA 2048: certificate chains to the CA" "$OUT/rsa2048/cert.pem"
check_grep "RSA 2048: CN kept" 'CN=mdm-2048\.example\.com' <(scep_subject "$OUT/rsa2048/cert.pem")
check_eq "RSA 2048: key is the client's" \
    "$(openssl pkey -in "$OUT/rsa2048/key.pem" -pubout 2>/dev/null | sha256sum)" \
    "$(openssl x509 -in "$OUT/rsa2048/cert.pem" -noout -pubkey 2>/dev/null | sha256sum)"
check_eq "RSA 2048: issued over SCEP and recorded" 1 \
    "$(db_count "SELECT COUNT(*) FROM request WHERE via = 'scep' AND status = 'Issued' AND common_name = 'mdm-2048.example.com'")"

mdm rsa4096 "$LEGACY" -challenge "$CODE" -cn mdm-4096.example.com -keySize 4096
check_eq "RSA 4096: scepclient exits 0" 0 $?
scep_verify "RSA 4096: certificate chains to the CA" "$OUT/rsa4096/cert.pem"
check_grep "RSA 4096: 4096-bit key certified" 'Public-Key: \(4096 bit\)' \
    <(openssl x509 -in "$OUT/rsa4096/cert.pem" -noout -text 2>/dev/null)

# Single DES on an endpoint without the legacy switch: FAILURE badAlg,
# nothing recorded, and the endpoint keeps serving.
before=$(db_count "SELECT COUNT(*) FROM request")
mdm des-refused "$DEV" -challenge "$CODE" -cn mdm-des.example.com
check "DES on a default endpoint: scepclient fails" test $? -ne 0
check_grep "DES on a default endpoint: failInfo badAlg" 'failInfo: badAlg \(0\)' "$OUT/des-refused.log"
check "DES on a default endpoint: no certificate written" test ! -s "$OUT/des-refused/cert.pem"
check_eq "DES on a default endpoint: nothing recorded" "$before" "$(db_count "SELECT COUNT(*) FROM request")"
scep_caps_alive "default endpoint still serves after badAlg" "$DEV"

# Wrong challenge: FAILURE badRequest, then the next request succeeds.
mdm wrong "$LEGACY" -challenge not-the-code -cn mdm-wrong.example.com
check "wrong challenge: scepclient fails" test $? -ne 0
check_grep "wrong challenge: failInfo badRequest" 'failInfo: badRequest \(2\)' "$OUT/wrong.log"
check "wrong challenge: no certificate written" test ! -s "$OUT/wrong/cert.pem"
mdm after-wrong "$LEGACY" -challenge "$CODE" -cn mdm-after.example.com
check_eq "after a wrong challenge the next enrollment succeeds" 0 $?
scep_verify "after a wrong challenge: certificate chains to the CA" "$OUT/after-wrong/cert.pem"

# One-time challenge: accepted once, refused the second time.
otp=$(cdadm scep challenge --account legacy --endpoint scep-device/legacy)
check "one-time challenge printed" test -n "$otp"
mdm otp1 "$LEGACY" -challenge "$otp" -cn mdm-otp1.example.com
check_eq "one-time challenge: first use succeeds" 0 $?
scep_verify "one-time challenge: certificate chains to the CA" "$OUT/otp1/cert.pem"
mdm otp2 "$LEGACY" -challenge "$otp" -cn mdm-otp2.example.com
check "one-time challenge: second use fails" test $? -ne 0
check_grep "one-time challenge: second use badRequest" 'failInfo: badRequest \(2\)' "$OUT/otp2.log"

# Renewal: the certificate file exists, so scepclient sends RenewalReq
# signed by the old certificate; no challenge.  scepclient keeps the key,
# and its transactionID is the key's hash, so the server sees the first
# transaction again; signed by the certificate of that transaction, it is
# a renewal and gets a new certificate, not the stored answer.
cp "$OUT/rsa2048/cert.pem" "$OUT/rsa2048-old.pem"
rm -f "$OUT/rsa2048/csr.pem"
mdm rsa2048 "$LEGACY" -cn mdm-2048.example.com
check_eq "renewal without challenge: scepclient exits 0" 0 $?
mv "$OUT/rsa2048.log" "$OUT/renewal.log"
check_grep "renewal: SUCCESS" 'pkiStatus=SUCCESS' "$OUT/renewal.log"
check_grep "renewal: signed by the old certificate" 'signer_cn=mdm-2048\.example\.com' "$OUT/renewal.log"
scep_verify "renewal: certificate chains to the CA" "$OUT/rsa2048/cert.pem"
old=$(scep_subject "$OUT/rsa2048-old.pem")
check "renewal: subject kept" test -n "$old" -a "$old" = "$(scep_subject "$OUT/rsa2048/cert.pem")"
old_serial=$(openssl x509 -in "$OUT/rsa2048-old.pem" -noout -serial 2>/dev/null)
new_serial=$(openssl x509 -in "$OUT/rsa2048/cert.pem" -noout -serial 2>/dev/null)
check "renewal: a new serial number" test -n "$old_serial" -a -n "$new_serial" -a "$old_serial" != "$new_serial"
check_eq "renewal: recorded as a renewal of the first certificate" 1 \
    "$(db_count "SELECT COUNT(*) FROM request r JOIN request o ON o.id = r.renewal_of WHERE r.status = 'Issued' AND o.common_name = 'mdm-2048.example.com'")"
check_eq "renewal: the old certificate stays valid" 2 \
    "$(db_count "SELECT COUNT(*) FROM request WHERE via = 'scep' AND status = 'Issued' AND common_name = 'mdm-2048.example.com'")"

# Manual approval: PENDING, scepclient sleeps 30 s between polls; the
# request is approved meanwhile and the next poll gets the certificate.
mkdir -p "$OUT/pending"
(cd "$OUT/pending" && timeout 90 scepclient -server-url "$LEGACY_APPR" \
    -private-key key.pem -certificate cert.pem -debug -challenge "$CODE" \
    -cn mdm-pending.example.com) >"$OUT/pending.log" 2>&1 &
pid=$!
id=$(scep_approve_pending 30)
check "manual approval: request waits as Requested" test -n "$id"
wait "$pid"
check_eq "manual approval: scepclient polls and exits 0" 0 $?
check_grep "manual approval: client saw PENDING" 'PENDING' "$OUT/pending.log"
scep_verify "manual approval: polled certificate chains to the CA" "$OUT/pending/cert.pem"
check_grep "manual approval: CN kept" 'CN=mdm-pending\.example\.com' <(scep_subject "$OUT/pending/cert.pem")

scep_caps_alive "server still serves at the end" "$LEGACY"
finish
