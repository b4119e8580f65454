#!/usr/bin/env bash
# The shipped web server configurations (apache-conf/), instantiated for a
# temporary prefix: apache2 -t and lighttpd -tt on each, systemd-analyze
# verify on the units, then end to end through Apache + mod_proxy_fcgi,
# lighttpd + mod_fastcgi (programs on unix sockets from spawn-fcgi, which
# stands in for the systemd socket units and runs them as another user than
# the web server's) and Apache + mod_fcgid: the SSL access-code step over
# HTTPS, HSTS, forms redirected from HTTP, SCEP enrollment with strongSwan's
# pki and the CRL over plain HTTP, a 60 KiB SCEP GET line, and no
# validation code in the access logs.
#
# Not covered: suEXEC (it needs /etc/apache2/suexec/www-data naming the
# program directory, a change to the machine), so under mod_fcgid the
# programs run as www-data here.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/scep_lib.sh"
OUT="$ROOT/tests/out/deploy_web"
rm -rf "$OUT" && mkdir -p "$OUT"
CONF="$ROOT/apache-conf"
PROGS="ssl smime validate collect bulkenroll device pkiclient.exe"
M=/usr/lib/apache2/modules

for tool in apache2 lighttpd spawn-fcgi pki; do
	if ! command -v "$tool" >/dev/null; then
		fail "$tool installed (make deps)"
		finish
		exit 1
	fi
done

W=$(mktemp -d /tmp/certdesk-deploy.XXXXXX)
chmod 755 "$W"
APACHE_RUNNING=
LIGHTTPD_PID=
cleanup() {
	local f
	[ -z "$APACHE_RUNNING" ] || apache2 -f "$APACHE_RUNNING" -k stop 2>/dev/null
	[ -z "$LIGHTTPD_PID" ] || kill "$LIGHTTPD_PID" 2>/dev/null
	for f in "$W"/run/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.5
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT

# The prefix `make install` would fill, from build/.
P="$W/prefix"
mkdir -p "$P/lib/certdesk" "$P/share/certdesk" "$P/bin"
cp -r "$ROOT/build/cgi" "$P/lib/certdesk/cgi"
rm -f "$P"/lib/certdesk/cgi/*.o "$P"/lib/certdesk/cgi/*.d
cp -r "$ROOT/templates" "$ROOT/static" "$P/share/certdesk/"
cp "$ROOT/build/certdesk" "$P/bin/"
chmod -R a+rX "$P"

# The instance: state in $W/inst/state, its hdf pointing at the prefix.
INSTANCE="$W/inst"
instance_config "$INSTANCE" 0
instance_populate "$INSTANCE"
STATEDIR="$INSTANCE/state"
CONFFILE="$INSTANCE/certdesk.hdf"
RUNDIR="$W/run"
mkdir -p "$RUNDIR" && chmod 755 "$RUNDIR" "$INSTANCE"
sed -i -e "s|^Templates.Dir = .*|Templates.Dir = $P/share/certdesk/templates|" \
    -e "s|^BaseURL = .*|BaseURL = https://127.0.0.1|" "$CONFFILE"
sqlite3 "$STATEDIR/certdesk.db" "SELECT cert_pem FROM ca WHERE customer_id = (SELECT id FROM customer WHERE uri = 'demo')" > "$OUT/ca.pem"
# A customer whose CRL directory appears under the services' umask (077):
# the web server must still read it.
cdadm customer add acme --name "Acme" >/dev/null
(umask 077 && cdadm --customer acme ca init --subject "CN=Acme CA" >/dev/null &&
    cdadm --customer acme crl generate >/dev/null)
check_eq "CRL directory 0755 under umask 077" 755 "$(stat -c %a "$STATEDIR/crl/acme" 2>/dev/null)"

# The TLS certificate of the forms, for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$W/tls.key" -out "$W/tls.pem" 2>/dev/null
cp "$W/tls.pem" "$OUT/tls.pem"

# Six distinct free ports: HTTP and HTTPS for each server.  free_port
# keeps below the ephemeral range, where the clients' own connections
# could not take one before the last server starts.
PORTS=()
while [ "${#PORTS[@]}" -lt 6 ]; do
	p=$(free_port) || break
	case " ${PORTS[*]} " in *" $p "*) ;; *) PORTS+=("$p") ;; esac
done

# instantiate SRC DST HTTP HTTPS: replaces every placeholder.
instantiate() {
	sed -e "s|@PREFIX@|$P|g" -e "s|@STATEDIR@|$STATEDIR|g" \
	    -e "s|@CONFFILE@|$CONFFILE|g" -e "s|@RUNDIR@|$RUNDIR|g" \
	    -e "s|@SERVERNAME@|127.0.0.1|g" -e "s|@HTTP_PORT@|$3|g" \
	    -e "s|@HTTPS_PORT@|$4|g" -e "s|@TLS_CERT@|$W/tls.pem|g" \
	    -e "s|@TLS_KEY@|$W/tls.key|g" -e "s|@LOGDIR@|$W|g" "$1" > "$2"
}

# Every placeholder a file uses is explained in its header, and none is
# left after instantiation.
for f in apache-certdesk.conf apache-certdesk-proxy.conf lighttpd-certdesk.conf \
    systemd/certdesk-fcgi@.socket systemd/certdesk-fcgi@.service \
    systemd/certdesk-maintain.service systemd/certdesk-maintain.timer; do
	undocumented=
	for ph in $(grep -v '^#' "$CONF/$f" | grep -o '@[A-Z_]*@' | sort -u); do
		grep -q "^#.*$ph" "$CONF/$f" || undocumented="$undocumented $ph"
	done
	check_eq "$f: placeholders documented in the header" "" "$undocumented"
	instantiate "$CONF/$f" "$OUT/$(basename "$f").inst" 80 443
	check_nogrep "$f: no placeholder left" '@[A-Z_]+@' "$OUT/$(basename "$f").inst"
done

# apache_wrap NAME HTTP HTTPS MODULES...: a server config for one of the
# shipped files, unprivileged workers (www-data) on loopback.
apache_wrap() {
	local name=$1 hp=$2 sp=$3 dir="$W/$1" mod
	shift 3
	mkdir -p "$dir/www"
	chown www-data:www-data "$dir"
	{
		cat <<EOT
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$hp
Listen 127.0.0.1:$sp
PidFile "$dir/apache.pid"
ErrorLog "$dir/error.log"
LogLevel warn
User www-data
Group www-data
DocumentRoot "$dir/www"
TypesConfig /etc/mime.types
Mutex file:$dir default
EOT
		for mod in mpm_event authz_core alias mime rewrite headers socache_shmcb ssl "$@"; do
			echo "LoadModule ${mod}_module $M/mod_$mod.so"
		done
		case " $* " in *" fcgid "*)
			echo "FcgidIPCDir \"$dir\""
			echo "FcgidProcessTableFile \"$dir/fcgid_shm\"" ;;
		esac
		echo "Include \"$dir/certdesk.conf\""
	} > "$dir/apache.conf"
}

apache_wrap fcgid "${PORTS[0]}" "${PORTS[1]}" fcgid
instantiate "$CONF/apache-certdesk.conf" "$W/fcgid/certdesk.conf" "${PORTS[0]}" "${PORTS[1]}"
apache_wrap proxy "${PORTS[2]}" "${PORTS[3]}" proxy proxy_fcgi
instantiate "$CONF/apache-certdesk-proxy.conf" "$W/proxy/certdesk.conf" "${PORTS[2]}" "${PORTS[3]}"

# lighttpd: the server part Debian's lighttpd.conf would have, on loopback.
mkdir -p "$W/lighttpd/www"
chown www-data:www-data "$W/lighttpd"
instantiate "$CONF/lighttpd-certdesk.conf" "$W/lighttpd/certdesk.conf" "${PORTS[4]}" "${PORTS[5]}"
sed -i "s|^\$SERVER\[\"socket\"\] == \":${PORTS[5]}\"|\$SERVER[\"socket\"] == \"127.0.0.1:${PORTS[5]}\"|" \
    "$W/lighttpd/certdesk.conf"
cat > "$W/lighttpd/lighttpd.conf" <<EOT
server.modules = ( "mod_access", "mod_accesslog" )
accesslog.filename = "$W/lighttpd/access.log"
server.bind = "127.0.0.1"
server.port = ${PORTS[4]}
server.document-root = "$W/lighttpd/www"
server.errorlog = "$W/lighttpd/error.log"
server.pid-file = "$W/lighttpd/lighttpd.pid"
server.username = "www-data"
server.groupname = "www-data"
mimetype.assign = ( ".css" => "text/css" )
include "$W/lighttpd/certdesk.conf"
EOT

for name in fcgid proxy; do
	apache2 -t -f "$W/$name/apache.conf" >"$OUT/$name-t.log" 2>&1
	rc=$?
	check_eq "apache2 -t: the configuration for mod_$name" 0 "$rc"
done
if [ -x /usr/lib/apache2/suexec ]; then
	# Apache checks that the user exists; the package creates certdesk.
	cp "$W/fcgid/certdesk.conf" "$W/fcgid/certdesk.conf.orig"
	id certdesk >/dev/null 2>&1 ||
	    sed -i 's/SuexecUserGroup certdesk certdesk/SuexecUserGroup nobody nogroup/' "$W/fcgid/certdesk.conf"
	sed -i "s|^LoadModule ssl_module.*|&\nLoadModule suexec_module $M/mod_suexec.so|" "$W/fcgid/apache.conf"
	apache2 -t -f "$W/fcgid/apache.conf" >"$OUT/fcgid-suexec-t.log" 2>&1
	check_eq "apache2 -t: the configuration for mod_fcgid with mod_suexec" 0 $?
	sed -i '/suexec_module/d' "$W/fcgid/apache.conf"
	mv "$W/fcgid/certdesk.conf.orig" "$W/fcgid/certdesk.conf"
fi
lighttpd -tt -f "$W/lighttpd/lighttpd.conf" >"$OUT/lighttpd-tt.log" 2>&1
check_eq "lighttpd -tt: lighttpd-certdesk.conf" 0 $?

# The systemd units, instantiated for every program.
U="$W/units"
mkdir -p "$U"
for f in "$CONF"/systemd/*; do
	instantiate "$f" "$U/$(basename "$f")" 80 443
done
if command -v systemd-analyze >/dev/null &&
    systemd-analyze verify --man=no "$U/certdesk-maintain.timer" >/dev/null 2>&1; then
	for p in $PROGS; do
		systemd-analyze verify --man=no "$U/certdesk-fcgi@$p.socket" \
		    "$U/certdesk-fcgi@$p.service" >"$OUT/verify-$p.log" 2>&1
		rc=$?
		check "systemd-analyze verify: certdesk-fcgi@$p" test $rc -eq 0 -a ! -s "$OUT/verify-$p.log"
	done
	systemd-analyze verify --man=no "$U/certdesk-maintain.timer" \
	    "$U/certdesk-maintain.service" >"$OUT/verify-maintain.log" 2>&1
	rc=$?
	check "systemd-analyze verify: certdesk-maintain" test $rc -eq 0 -a ! -s "$OUT/verify-maintain.log"
else
	# No usable systemd-analyze: sections and key names by hand.
	for f in "$U"/*; do
		check "unit syntax: $(basename "$f")" awk '
			/^[ \t]*(#|$)/ { next }
			/^\[(Unit|Service|Socket|Timer|Install)\]$/ { s = 1; next }
			/^[A-Za-z]+=/ && s { next }
			{ bad = 1 } END { exit bad }' "$f"
	done
fi
check_grep "service runs the program as certdesk" '^User=certdesk$' "$U/certdesk-fcgi@.service"
check_grep "service takes the socket on stdin" '^StandardInput=socket$' "$U/certdesk-fcgi@.service"
check_grep "maintain timer: every 15 minutes" '^OnCalendar=\*:0/15$' "$U/certdesk-maintain.timer"
check_grep "maintain runs certdesk maintain" "^ExecStart=$P/bin/certdesk maintain\$" "$U/certdesk-maintain.service"

# spawn-fcgi in place of the socket units: the socket owned by the
# programs' user, group www-data, 0660, the program as that user.
RUNUSER=certdesk
id "$RUNUSER" >/dev/null 2>&1 || RUNUSER=nobody
RUNGROUP=$(id -gn "$RUNUSER")
chown -R "$RUNUSER:$RUNGROUP" "$STATEDIR"
# As README.md says: the web server may pass through State.Dir to the CRLs.
chmod 0751 "$STATEDIR"
for p in $PROGS; do
	CERTDESK_CONF="$CONFFILE" spawn-fcgi -s "$RUNDIR/$p.sock" -M 0660 \
	    -U "$RUNUSER" -G www-data -u "$RUNUSER" -g "$RUNGROUP" \
	    -P "$RUNDIR/$p.pid" -- "$P/lib/certdesk/cgi/$p" >>"$OUT/spawn.log" 2>&1
done
check_eq "spawn-fcgi: seven programs listening" 7 "$(ls "$RUNDIR"/*.sock 2>/dev/null | wc -l)"
check_eq "programs run as $RUNUSER, not www-data" "$RUNUSER" \
    "$(ps -o user= -p "$(cat "$RUNDIR/ssl.pid" 2>/dev/null)" 2>/dev/null | tr -d ' ')"

pki --gen --type rsa --size 2048 > "$W/client.key" 2>/dev/null

# hdr FILE NAME: the value of a response header in a curl -D dump.
hdr() {
	tr -d '\r' < "$1" | sed -n "s/^$2: *//Ip" | tail -n 1
}

# e2e NAME HTTP HTTPS LONG: the checks through one running server.
e2e() {
	local n=$1 http="http://127.0.0.1:$2/customer/demo" https="https://127.0.0.1:$3/customer/demo"
	local o="$OUT/$n" tok code jar long
	local c=(curl -s -m 10 --cacert "$W/tls.pem")
	mkdir -p "$o"
	jar="$o/cookies"

	code=$("${c[@]}" -D "$o/menu.h" -o "$o/menu.html" -w '%{http_code}' "$https/ssl")
	check_eq "$n: SSL menu over HTTPS 200" 200 "$code"
	check_grep "$n: HSTS on HTTPS" '^[Ss]trict-[Tt]ransport-[Ss]ecurity: max-age=[0-9]+' "$o/menu.h"
	tok=$("${c[@]}" -c "$jar" -b "$jar" "$https/ssl?action=enroll" |
	    sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
	"${c[@]}" -c "$jar" -b "$jar" -o "$o/step1.html" --data-urlencode "csrf=$tok" \
	    --data-urlencode accessCode=demo-ssl-2026 --data-urlencode email=alice@example.com \
	    "$https/ssl?action=enroll"
	check_grep "$n: access code over HTTPS shows step 2" 'name="csr"' "$o/step1.html"
	code=$("${c[@]}" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$3/static/certdesk.css")
	check_eq "$n: stylesheet over HTTPS" 200 "$code"
	code=$("${c[@]}" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$3/customer/nobody/ssl")
	check_eq "$n: unknown customer 404" 404 "$code"
	# A mailed validation link: its code must stay out of the access log.
	"${c[@]}" -o /dev/null "$https/validate?requestCode=LOGPROBE${n//-/}X&email=a%40example.com"
	curl -s -m 10 -o /dev/null "$http/validate?requestCode=LOGPROBE${n//-/}Y&email=a%40example.com"

	code=$(curl -s -m 10 -D "$o/redir.h" -o /dev/null -w '%{http_code}' "$http/ssl?action=enroll")
	check "$n: form over HTTP redirected ($code)" test "$code" = 301 -o "$code" = 308
	check_eq "$n: redirect keeps path and query" "$https/ssl?action=enroll" "$(hdr "$o/redir.h" Location)"
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$http/collect?id=abc")
	check "$n: collection page over HTTP redirected ($code)" test "$code" = 301 -o "$code" = 308
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$http/device/lab")
	check "$n: device form over HTTP redirected ($code)" test "$code" = 301 -o "$code" = 308

	code=$(curl -s -m 10 -D "$o/caps.h" -o "$o/caps.txt" -w '%{http_code}' \
	    "$http/scep/device/pkiclient.exe?operation=GetCACaps")
	check_eq "$n: pkiclient.exe over HTTP not redirected" 200 "$code"
	check_grep "$n: GetCACaps over HTTP" 'SCEPStandard' "$o/caps.txt"
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' \
	    "$http/scep/device/pkiclient.exe/extra/path?operation=GetCACaps")
	check "$n: pkiclient.exe with a trailing path not redirected ($code)" \
	    test "$code" != 301 -a "$code" != 308
	# A long query string must reach the program whole: GetCACaps with
	# padding behind it answers only when the query arrives.
	long=$(head -c "$4" /dev/zero | tr '\0' A)
	code=$(curl -s -m 10 -o "$o/long.txt" -w '%{http_code}' \
	    "$http/scep/device/pkiclient.exe?operation=GetCACaps&message=$long")
	check_eq "$n: a $4-byte SCEP GET query reaches the program" 200 "$code"
	check_grep "$n: ... and is answered" 'SCEPStandard' "$o/long.txt"

	mkdir -p "$o/ca"
	timeout 30 pki --scepca --url "$http/scep/device/pkiclient.exe" --caout "$o/ca/ca.der" \
	    --raout "$o/ca/ra.der" --force >"$o/scepca.log" 2>&1
	check_eq "$n: pki --scepca over HTTP" 0 $?
	timeout 60 pki --scep --url "$http/scep/device/pkiclient.exe" --in "$W/client.key" \
	    --dn "CN=deploy-$n.example.com" --san "deploy-$n.example.com" --password "$CODE" \
	    --cacert-enc "$o/ca/ra.der" --cacert-sig "$o/ca/ra.der" --cacert "$o/ca/ca.der" \
	    >"$o/enroll.der" 2>"$o/enroll.log"
	check_eq "$n: pki --scep enrollment over HTTP" 0 $?
	scep_verify "$n: enrolled certificate chains to the CA" "$o/enroll.der"

	code=$(curl -s -m 10 -D "$o/crl.h" -o "$o/ca.crl" -w '%{http_code}' "$http/crl/ca.crl")
	check_eq "$n: CRL over HTTP not redirected" 200 "$code"
	check "$n: CRL parses" openssl crl -inform DER -in "$o/ca.crl" -noout
	check_grep "$n: CRL content type" '^[Cc]ontent-[Tt]ype: application/pkix-crl' "$o/crl.h"
	code=$(curl -s -m 10 -o "$o/acme.crl" -w '%{http_code}' "http://127.0.0.1:$2/customer/acme/crl/ca.crl")
	check_eq "$n: a second customer's CRL over HTTP" 200 "$code"
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$http/crl/../certdesk.db")
	check "$n: nothing else of the state over HTTP ($code)" test "$code" != 200
	# The CRL directory also holds the CRL's number and lock files.
	ls "$STATEDIR/crl/demo/ca.crl.number" >/dev/null 2>&1 ||
	    fail "$n: the CRL number file is there to be refused"
	for u in "/customer/demo/crl/ca.crl.number" "/crl-files/demo/ca.crl.number" \
	    "/crl-files/demo/ca.crl.lock" "/crl-files/demo/"; do
		code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$2$u")
		check "$n: $u not served ($code)" test "$code" != 200
	done
}

# wait_up URL: until the server answers.
wait_up() {
	for _ in $(seq 1 100); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	return 1
}

# logged NAME FILE: the validation probes of e2e NAME reached the access
# log FILE, without their codes.
logged() {
	check_grep "$1: /validate is in the access log" 'GET /customer/demo/validate HTTP' "$2"
	check_nogrep "$1: its code is not" "LOGPROBE${1//-/}" "$2"
}

# Apache + mod_proxy_fcgi.
apache2 -f "$W/proxy/apache.conf" -k start 2>"$OUT/proxy-start.log" && APACHE_RUNNING="$W/proxy/apache.conf"
if wait_up "http://127.0.0.1:${PORTS[2]}/"; then
	e2e apache-proxy "${PORTS[2]}" "${PORTS[3]}" 15000
else
	fail "Apache with mod_proxy_fcgi starts"
fi
apache2 -f "$W/proxy/apache.conf" -k stop 2>/dev/null
APACHE_RUNNING=
cp "$W/proxy/error.log" "$OUT/apache-proxy-error.log" 2>/dev/null
logged apache-proxy "$W/certdesk-access.log"

# lighttpd + mod_fastcgi, as root dropping to www-data like Debian's.
lighttpd -D -f "$W/lighttpd/lighttpd.conf" >"$OUT/lighttpd-start.log" 2>&1 &
LIGHTTPD_PID=$!
if wait_up "http://127.0.0.1:${PORTS[4]}/"; then
	e2e lighttpd "${PORTS[4]}" "${PORTS[5]}" 32000
else
	fail "lighttpd starts"
fi
kill "$LIGHTTPD_PID" 2>/dev/null
wait "$LIGHTTPD_PID" 2>/dev/null
LIGHTTPD_PID=
cp "$W/lighttpd/error.log" "$OUT/lighttpd-error.log" 2>/dev/null
logged lighttpd "$W/lighttpd/access.log"

# Apache + mod_fcgid: without suEXEC the programs are Apache's own.
for p in $PROGS; do
	kill "$(cat "$RUNDIR/$p.pid")" 2>/dev/null
	rm -f "$RUNDIR/$p.pid"
done
chown -R www-data:www-data "$STATEDIR"
apache2 -f "$W/fcgid/apache.conf" -k start 2>"$OUT/fcgid-start.log" && APACHE_RUNNING="$W/fcgid/apache.conf"
if wait_up "http://127.0.0.1:${PORTS[0]}/"; then
	e2e apache-fcgid "${PORTS[0]}" "${PORTS[1]}" 32000
else
	fail "Apache with mod_fcgid starts"
fi
apache2 -f "$W/fcgid/apache.conf" -k stop 2>/dev/null
APACHE_RUNNING=
sleep 0.5
cp "$W/fcgid/error.log" "$OUT/apache-fcgid-error.log" 2>/dev/null
logged apache-fcgid "$W/certdesk-access.log"
finish
