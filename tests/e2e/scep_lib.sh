# scep_lib.sh: shared setup for the SCEP interoperability tests (bash).
# Sourced after instance.sh and lib.sh.  Needs ROOT.
#
#   scep_setup NAME          fresh instance, OUT=tests/out/scep_NAME, the
#                            endpoint URLs below and $OUT/ca.pem (the CA
#                            straight from the database: the trust anchor
#                            does not come through the code under test)
#   scep_verify DESC FILE    openssl verify -CAfile ca.pem (PEM or DER)
#   scep_subject FILE        the certificate's subject, RFC 2253
#   scep_sans FILE           its subjectAltName line(s)
#   scep_serial FILE         its serial number
#   scep_approve_pending N   waits up to N seconds for a Requested request,
#                            approves it, prints its ID (cert_id)
#   scep_caps_alive DESC     the endpoint still answers GetCACaps
#
# URLs: DEV (scep-device, issued at once), SMIME (scep-smime), APPR
# (scep-device with manual approval), LEGACY (scep-device with legacy DES),
# LEGACY_APPR (legacy DES and manual approval), MULTI (scep-device with a
# multi-domain profile: the demo's Device profile certifies one name, so
# SANs beside the CN need this one).  CODE is the access code.

CODE=demo-scep-2026

scep_setup() {
	OUT="$ROOT/tests/out/scep_$1"
	rm -rf "$OUT" && mkdir -p "$OUT"
	start_instance
	DEV="$BASE/scep/device/pkiclient.exe"
	SMIME="$BASE/scep/smime/pkiclient.exe"
	APPR="$BASE/scep/device-approval/pkiclient.exe"
	LEGACY="$BASE/scep/legacy/pkiclient.exe"
	LEGACY_APPR="$BASE/scep/legacy-approval/pkiclient.exe"
	MULTI="$BASE/scep/device-multi/pkiclient.exe"
	cdadm endpoint add --type scep-device --ext legacy --legacy-des \
	    --name "Legacy DES SCEP" >/dev/null
	cdadm account add legacy --endpoint scep-device/legacy --org "Demo Org" \
	    --code "$CODE" --profile Device --term 365 >/dev/null
	cdadm endpoint add --type scep-device --ext legacy-approval --legacy-des \
	    --name "Legacy DES SCEP (approval)" >/dev/null
	cdadm account add legacy-approval --endpoint scep-device/legacy-approval \
	    --org "Demo Org" --code "$CODE" --profile Device --term 365 \
	    --manual-approval >/dev/null
	cdadm profile add "Device Multi-Domain" --type device --terms 365 \
	    --eku clientAuth --multi-domain >/dev/null
	cdadm endpoint add --type scep-device --ext device-multi \
	    --name "Device SCEP (multi-domain)" >/dev/null
	cdadm account add device-multi --endpoint scep-device/device-multi \
	    --org "Demo Org" --code "$CODE" --profile "Device Multi-Domain" \
	    --term 365 >/dev/null
	sqlite3 "$INSTANCE/state/certdesk.db" "SELECT cert_pem FROM ca" > "$OUT/ca.pem"
	sqlite3 "$INSTANCE/state/certdesk.db" "SELECT ra_cert_pem FROM ca" > "$OUT/ra.pem"
	if ! openssl x509 -in "$OUT/ca.pem" -noout 2>/dev/null; then
		fail "CA certificate readable from the instance"
		finish
		exit 1
	fi
}

# Prints "-inform der" when FILE is DER, nothing when PEM.
scep_form() {
	if grep -q -- '-----BEGIN' "$1" 2>/dev/null; then echo "-inform pem"; else echo "-inform der"; fi
}

scep_verify() {
	local what=$1 f=$2 pem="$2.verify.pem"
	# shellcheck disable=SC2046
	if [ -s "$f" ] && openssl x509 $(scep_form "$f") -in "$f" -out "$pem" 2>/dev/null &&
	    openssl verify -CAfile "$OUT/ca.pem" "$pem" >"$f.verify" 2>&1; then
		pass "$what"
	else
		fail "$what ($(cat "$f.verify" 2>/dev/null | tail -n 1))"
	fi
}

scep_subject() {
	# shellcheck disable=SC2046
	openssl x509 $(scep_form "$1") -in "$1" -noout -subject -nameopt RFC2253 2>/dev/null |
	    sed 's/^subject=//'
}

scep_sans() {
	# shellcheck disable=SC2046
	openssl x509 $(scep_form "$1") -in "$1" -noout -ext subjectAltName 2>/dev/null |
	    sed -n '2,$p' | sed 's/^ *//'
}

scep_serial() {
	# shellcheck disable=SC2046
	openssl x509 $(scep_form "$1") -in "$1" -noout -serial 2>/dev/null | sed 's/^serial=//'
}

scep_approve_pending() {
	local limit=$1 id i
	for i in $(seq 1 $((limit * 5))); do
		id=$(sqlite3 "$INSTANCE/state/certdesk.db" \
		    "SELECT cert_id FROM request WHERE status = 'Requested' AND via = 'scep' ORDER BY id LIMIT 1")
		if [ -n "$id" ]; then
			cdadm request approve "$id" >/dev/null 2>&1 || return 1
			echo "$id"
			return 0
		fi
		sleep 0.2
	done
	return 1
}

scep_caps_alive() {
	local code
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$2?operation=GetCACaps")
	check_eq "$1" 200 "$code"
}
