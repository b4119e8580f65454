#!/usr/bin/env bash
# PKCS#12 interoperability: the files p12_build writes, in both encodings,
# for an RSA 2048 and an EC P-256 key and once with the empty password,
# must open in every importer SPEC 4.2 names (OpenSSL 3 without the
# legacy provider, NSS pk12util, Java keytool, python cryptography), and
# carry exactly the algorithms of their encoding, read from the DER.
# The files come from build/tests/p12make, which makes a key and a
# certificate under a throw-away two-level CA.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/p12_interop"
rm -rf "$OUT" && mkdir -p "$OUT"
cd "$OUT" || exit 1

if ! make -s --no-print-directory -C "$ROOT" build/tests/p12make > "$OUT/make.log" 2>&1; then
	cat "$OUT/make.log"
	fail "build p12make"
	finish
	exit 1
fi
P12MAKE="$ROOT/build/tests/p12make"
ITER=10000
NAME='Alice Example <alice@example.com>'
PW='interop pass 7'
# Only the default provider: the compatible file must not need legacy.
export OPENSSL_CONF=/dev/null

# asn1_dump FILE: the DER of FILE parsed at every level that matters: the
# PFX (with the MAC), the authenticated safe it holds, and the key safe.
asn1_dump() {
	local f=$1 o1 o2
	openssl asn1parse -inform DER -in "$f" || return 1
	o1=$(openssl asn1parse -inform DER -in "$f" |
	    awk '/prim: OCTET STRING/ {sub(/:.*/, "", $1); print $1; exit}')
	openssl asn1parse -inform DER -in "$f" -strparse "$o1" || return 1
	# The last OCTET STRING of the authenticated safe holds the key bag.
	o2=$(openssl asn1parse -inform DER -in "$f" -strparse "$o1" |
	    awk '/prim: OCTET STRING/ {sub(/:.*/, "", $1); o = $1} END {print o}')
	openssl asn1parse -inform DER -in "$f" -strparse "$o1" -strparse "$o2"
}

# quiet COMMAND...: runs it with its output thrown away (it is checked by status).
quiet() {
	"$@" > /dev/null 2>&1
}

# count PATTERN FILE: how many lines of FILE match the extended regex.
count() {
	grep -Ec -- "$1" "$2"
}

# check_algorithms ENC FILE: -info and the DER show exactly ENC's algorithms.
check_algorithms() {
	local enc=$1 f=$2 pw=$3 t=$2.asn1 info=$2.info want
	openssl pkcs12 -in "$f" -passin "pass:$pw" -info -noout > "$info" 2>&1
	asn1_dump "$f" > "$t" 2>&1
	if [ "$enc" = modern ]; then
		want="MAC: sha256, Iteration $ITER
PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration $ITER, PRF hmacWithSHA256
Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration $ITER, PRF hmacWithSHA256"
		check_eq "$f: PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC for both safes" 2/2/2/2 \
		    "$(count ':PBES2 *$' "$t")/$(count ':PBKDF2 *$' "$t")/$(count ':hmacWithSHA256 *$' "$t")/$(count ':aes-256-cbc *$' "$t")"
		check_eq "$f: MAC SHA-256, 32 bytes" "1 1" \
		    "$(count 'OBJECT +:sha256 *$' "$t") $(count 'l=  32 prim: OCTET STRING' "$t")"
		check_nogrep "$f: no 3DES, no SHA-1" 'DES|sha1|SHA1' "$t"
	else
		want="MAC: sha1, Iteration $ITER
PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration $ITER
Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration $ITER"
		check_eq "$f: 3DES PBE for both safes" 2 \
		    "$(count ':pbeWithSHA1And3-KeyTripleDES-CBC *$' "$t")"
		check_eq "$f: MAC SHA-1" 1 "$(count 'OBJECT +:sha1 *$' "$t")"
		check_nogrep "$f: no PBES2, no AES, no SHA-256" 'PBES2|aes|sha256|SHA256' "$t"
	fi
	# Sort keeps the check independent of how -info interleaves lines.
	check_eq "$f: openssl -info algorithms" "$(echo "$want" | sort)" \
	    "$(grep -E '^(MAC:|PKCS7 Encrypted data:|Shrouded Keybag:)' "$info" | sort)"
	# $ITER iterations for each of the two encryptions and the MAC.
	check_eq "$f: $ITER iterations three times" 3 \
	    "$(count "INTEGER +:$(printf '%X' $ITER) *\$" "$t")"
	check_nogrep "$f: never RC2, never PBMAC1" '[Rr][Cc]2|PBMAC1|pbmac1' "$t"
	check_eq "$f: one encrypted certificate safe, one key bag, no plain key" "1 1 0" \
	    "$(count ':pkcs7-encryptedData' "$t") $(count ':pkcs8ShroudedKeyBag' "$t") $(count ':keyBag' "$t")"
}

# check_openssl FILE PW CASE: opens without -legacy; key, certificate,
# chain and friendly name as made.
check_openssl() {
	local f=$1 pw=$2 c=$3
	check "$f: openssl pkcs12 -noenc opens it" \
	    quiet openssl pkcs12 -in "$f" -passin "pass:$pw" -noenc -out "$f.pem"
	openssl pkcs12 -in "$f" -passin "pass:$pw" -nokeys -clcerts -out "$f.leaf.pem" 2>/dev/null
	openssl pkcs12 -in "$f" -passin "pass:$pw" -nokeys -cacerts -out "$f.ca.pem" 2>/dev/null
	check_eq "$f: the certificate is the one made" \
	    "$(openssl x509 -in "$c-cert.pem" -noout -fingerprint -sha256)" \
	    "$(openssl x509 -in "$f.leaf.pem" -noout -fingerprint -sha256 2>&1)"
	check_eq "$f: the key is the certificate's" \
	    "$(openssl x509 -in "$c-cert.pem" -noout -pubkey)" \
	    "$(openssl pkey -in "$f.pem" -pubout 2>&1)"
	check_eq "$f: two chain certificates" 2 "$(count 'BEGIN CERTIFICATE' "$f.ca.pem")"
	check "$f: the chain verifies up to the root" \
	    quiet openssl verify -CAfile "$c-root.pem" -untrusted "$f.ca.pem" "$f.leaf.pem"
	check_eq "$f: friendly name on key and certificate" 2 \
	    "$(grep -Fxc "    friendlyName: $NAME" "$f.pem")"
	check_eq "$f: the same localKeyID on key and certificate" "2 1" \
	    "$(count 'localKeyID:' "$f.pem") $(grep 'localKeyID:' "$f.pem" | sort -u | wc -l)"
	if openssl pkcs12 -in "$f" -passin "pass:wrong$pw" -noenc -out /dev/null 2>/dev/null; then
		fail "$f: a wrong password opens it"
	else
		pass "$f: a wrong password does not open it"
	fi
}

# check_nss FILE PW: pk12util imports it into a new database; certutil
# lists the certificate under the friendly name with its key, and the CAs.
check_nss() {
	local f=$1 pw=$2 db
	db=$(mktemp -d "nss.XXXXXX")
	certutil -N -d "sql:$db" --empty-password
	check "$f: pk12util imports it" \
	    quiet pk12util -i "$f" -d "sql:$db" -W "$pw"
	certutil -L -d "sql:$db" > "$db/list" 2>&1
	certutil -K -d "sql:$db" > "$db/keys" 2>&1
	check_grep "$f: NSS lists the certificate by its friendly name" \
	    "^$NAME +u,u,u\$" "$db/list"
	check_grep "$f: NSS lists the chain" '^p12make Issuing CA ' "$db/list"
	check_grep "$f: NSS lists the key by its friendly name" \
	    "^< ?0> +(rsa|ec) +[0-9a-f]+ +$NAME\$" "$db/keys"
}

# check_java FILE PW: keytool sees a private key entry with its chain.
check_java() {
	local f=$1 pw=$2 l=$1.keytool n
	keytool -list -v -storetype pkcs12 -keystore "$f" -storepass "$pw" > "$l" 2>&1
	check_grep "$f: keytool: a PrivateKeyEntry" '^Entry type: PrivateKeyEntry$' "$l"
	n=$(sed -n 's/^Certificate chain length: //p' "$l")
	check "$f: keytool: chain of ${n:-0} (at least 2)" test "${n:-0}" -ge 2
	check_grep "$f: keytool: alias from the friendly name" \
	    "^Alias name: alice example <alice@example.com>\$" "$l"
}

# check_python FILE PW: cryptography loads key, certificate, friendly
# name and the two chain certificates, and the key is the certificate's.
check_python() {
	local f=$1 pw=$2
	check "$f: python cryptography loads it" python3 - "$f" "$pw" "$NAME" <<'EOF'
import sys
from cryptography.hazmat.primitives.serialization import (
    Encoding, PublicFormat, pkcs12)

path, pw, name = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
data = open(path, "rb").read()
key, cert, extra = pkcs12.load_key_and_certificates(data, pw)
spki = lambda k: k.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
assert key is not None and cert is not None, "key or certificate missing"
assert spki(key.public_key()) == spki(cert.public_key()), "key is not the cert's"
assert len(extra) == 2, "chain has %d certificates" % len(extra)
p = pkcs12.load_pkcs12(data, pw)
assert p.cert.friendly_name == name, "friendly name %r" % p.cert.friendly_name
assert len(p.additional_certs) == 2
try:
    pkcs12.load_key_and_certificates(data, b"wrong" + pw)
    sys.exit("a wrong password opens it")
except ValueError:
    pass
EOF
}

# case TYPE PASSWORD LABEL
run_case() {
	local type=$1 pw=$2 label=$3 c=$3 enc f
	echo "== $label: $type, password '${pw}'"
	if ! "$P12MAKE" "$type" "$pw" "$ITER" "$NAME" "$c"; then
		fail "$label: p12make $type"
		return
	fi
	for enc in modern compatible; do
		f="$c-$enc.p12"
		check_algorithms "$enc" "$f" "$pw"
		check_openssl "$f" "$pw" "$c"
		check_nss "$f" "$pw"
		# keytool refuses a store password shorter than 6 characters,
		# so the empty-password file is checked by the other three.
		if [ -n "$pw" ]; then
			check_java "$f" "$pw"
		fi
		check_python "$f" "$pw"
	done
}

run_case rsa2048 "$PW" rsa2048
run_case ec256 "$PW" ec256
run_case ec256 "" ec256-empty

finish
