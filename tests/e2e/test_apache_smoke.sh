#!/usr/bin/env bash
# Apache smoke run: the same programs under Apache 2.4 + mod_fcgid with the
# path mapping of apache-conf/apache-certdesk.conf (menu, access-code step,
# 404 for an unknown customer, the CRL as a static file).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/apache_smoke"
rm -rf "$OUT" && mkdir -p "$OUT"

INSTANCE=$(mktemp -d /tmp/certdesk-apache.XXXXXX)
PORT=$(free_port)
instance_config "$INSTANCE" "$PORT"
instance_populate "$INSTANCE"
# Apache drops to www-data: it needs the state and the programs readable.
cp -r "$ROOT/build/cgi" "$INSTANCE/cgi"
chmod 755 "$INSTANCE"
chown -R www-data:www-data "$INSTANCE"
M=/usr/lib/apache2/modules
cat > "$INSTANCE/apache.conf" <<EOT
ServerRoot "$INSTANCE"
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile "$INSTANCE/run/apache.pid"
ErrorLog "$INSTANCE/apache-error.log"
User www-data
Group www-data
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule alias_module $M/mod_alias.so
LoadModule mime_module $M/mod_mime.so
LoadModule fcgid_module $M/mod_fcgid.so
TypesConfig /etc/mime.types
FcgidIPCDir "$INSTANCE/run"
FcgidProcessTableFile "$INSTANCE/run/fcgid_shm"
FcgidInitialEnv CERTDESK_CONF $INSTANCE/certdesk.hdf
FcgidMaxRequestLen 131072
DocumentRoot "$INSTANCE/www"
Alias /static/ $ROOT/static/
<Directory $ROOT/static>
	Require all granted
</Directory>
AliasMatch "^/customer/([a-z0-9_-]+)/crl/([A-Za-z0-9_-]+\.crl)\$" "$INSTANCE/state/crl/\$1/\$2"
<Directory $INSTANCE/state/crl>
	Require all granted
	ForceType application/pkix-crl
</Directory>
AliasMatch "^/customer/([a-z0-9_-]+)/(ssl|smime|validate|collect|bulkenroll|device)(/.*)?\$" "$INSTANCE/cgi/\$2\$3"
AliasMatch "^/customer/([a-z0-9_-]+)/scep/(.*)\$" "$INSTANCE/cgi/pkiclient.exe/\$2"
<Directory $INSTANCE/cgi>
	SetHandler fcgid-script
	Options +ExecCGI
	AcceptPathInfo On
	Require all granted
</Directory>
EOT
apache2 -f "$INSTANCE/apache.conf" -k start 2>"$OUT/start.log"
trap 'apache2 -f "$INSTANCE/apache.conf" -k stop 2>/dev/null; sleep 0.5; rm -rf "$INSTANCE"' EXIT
for _ in $(seq 1 50); do
	curl -s -o /dev/null "http://127.0.0.1:$PORT/static/certdesk.css" && break
	sleep 0.1
done
BASE="http://127.0.0.1:$PORT/customer/demo"
JAR="$OUT/cookies"

code=$(curl -s -o "$OUT/menu.html" -w '%{http_code}' "$BASE/ssl")
check_eq "Apache: SSL menu 200" 200 "$code"
check_grep "Apache: menu rendered" 'Certificate enrollment' "$OUT/menu.html"
tok=$(csrf_token "$JAR" "$BASE/ssl?action=enroll")
curl -s -b "$JAR" -o "$OUT/step1.html" --data-urlencode "csrf=$tok" \
    --data-urlencode accessCode=demo-ssl-2026 --data-urlencode email=alice@example.com \
    "$BASE/ssl?action=enroll"
check_grep "Apache: right access code shows step 2" 'name="csr"' "$OUT/step1.html"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/customer/nobody/ssl")
check_eq "Apache: unknown customer 404" 404 "$code"
code=$(curl -s -o "$OUT/ca.crl" -w '%{http_code}' "$BASE/crl/ca.crl")
check_eq "Apache: CRL served" 200 "$code"
check "Apache: CRL parses" openssl crl -inform DER -in "$OUT/ca.crl" -noout
cp "$INSTANCE/apache-error.log" "$OUT/" 2>/dev/null
finish
