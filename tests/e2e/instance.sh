# instance.sh: create and serve a certdesk instance behind lighttpd.
# Sourced by the demo and the end-to-end tests; needs ROOT (the checkout).
#
#   instance_config DIR PORT     write DIR/certdesk.hdf and DIR/lighttpd.conf
#   instance_populate DIR        CA, RA, customer "demo", org, domain, profiles,
#                                endpoints and accounts with the demo codes
#   instance_populate_persons DIR  the demo person with a secret ID
#   instance_start DIR           start lighttpd in the background, wait for it
#   instance_stop DIR            stop it
#   free_port                    print a free loopback TCP port below the
#                                ephemeral range

# free_port: prints a loopback TCP port that a server can bind now, or
# fails.  The port lies below the kernel's ephemeral range: a client's
# socket (in TIME_WAIT too) never sits there, so no connection the tests
# make can take it before the server binds.  A connect() probe would call
# a TIME_WAIT port free; the check binds it, with SO_REUSEADDR as
# lighttpd and Apache do.
free_port() {
	local lo hi
	read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || { lo=32768; hi=60999; }
	python3 - "$lo" "$hi" <<'EOT'
import random, socket, sys
lo, hi = int(sys.argv[1]), int(sys.argv[2])
if lo - 20000 >= 1000:
    ports = range(20000, lo)
elif 65535 - hi >= 1000:
    ports = range(hi + 1, 65536)
else:   # no room outside the ephemeral range: only the bind check is left
    ports = range(20000, 65536)
for p in random.sample(ports, 200):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    sys.exit(0)
sys.exit(1)
EOT
}

# The lighttpd stanza that hands /customer/<uri>/<prefix>... to a program.
fcgi_block() {
	local dir=$1 pattern=$2 prog=$3 procs=$4
	cat <<EOT
\$HTTP["url"] =~ "^/customer/[^/]+/$pattern" {
	fastcgi.server = ( "/customer" => ((
		"bin-path" => "$ROOT/build/cgi/$prog",
		"socket" => "$dir/run/$prog.sock",
		"check-local" => "disable",
		"max-procs" => $procs,
		"bin-environment" => ( "CERTDESK_CONF" => "$dir/certdesk.hdf" )
	)) )
}
EOT
}

instance_config() {
	local dir=$1 port=$2
	mkdir -p "$dir/run" "$dir/mail" "$dir/www" "$dir/state/crl"
	dir=$(cd "$dir" && pwd)
	cat > "$dir/certdesk.hdf" <<EOT
BaseURL = http://127.0.0.1:$port
State.Dir = $dir/state
DB.Path = $dir/state/certdesk.db
Secret.KeyFile = $dir/state/server.key
CRL.Dir = $dir/state/crl
Templates.Dir = $ROOT/templates
Static.URL = /static
Mail.Dir = $dir/mail
Mail.From = certdesk@example.com
EOT
	{
		cat <<EOT
server.modules = ( "mod_access", "mod_alias", "mod_rewrite", "mod_fastcgi", "mod_accesslog" )
server.bind = "127.0.0.1"
server.port = $port
server.document-root = "$dir/www"
server.errorlog = "$dir/lighttpd-error.log"
accesslog.filename = "$dir/lighttpd-access.log"
server.pid-file = "$dir/run/lighttpd.pid"
server.tag = "certdesk"
server.max-request-size = 2048
mimetype.assign = ( ".css" => "text/css", ".crl" => "application/pkix-crl", ".png" => "image/png" )
url.rewrite-once = ( "^/customer/([a-z0-9_-]+)/crl/([A-Za-z0-9_-]+\\.crl)\$" => "/crl-files/\$1/\$2" )
alias.url = ( "/static/" => "$ROOT/static/", "/crl-files/" => "$dir/state/crl/" )
EOT
		fcgi_block "$dir" 'ssl(/|$)' ssl 2
		fcgi_block "$dir" 'smime(/|$)' smime 1
		fcgi_block "$dir" 'validate(/|$)' validate 1
		fcgi_block "$dir" 'collect(/|$)' collect 1
		fcgi_block "$dir" 'bulkenroll(/|$)' bulkenroll 1
		fcgi_block "$dir" 'device(/|$)' device 1
		# One SCEP worker per core: enrollment is CPU-bound (RSA), and
		# more workers only take turns on the cores and on SQLite's lock.
		fcgi_block "$dir" 'scep/' pkiclient.exe "$(nproc 2>/dev/null || echo 2)"
	} > "$dir/lighttpd.conf"
}

# Runs the admin CLI against the instance.
cdadm() {
	CERTDESK_CONF="$INSTANCE/certdesk.hdf" "$ROOT/build/certdesk" "$@"
}

instance_populate() {
	INSTANCE=$(cd "$1" && pwd)
	cdadm init >/dev/null
	cdadm customer add demo --name "Demo Org" >/dev/null
	cdadm ca init --subject "CN=Demo Root CA,O=Demo Org,C=US" >/dev/null
	cdadm ra init --subject "CN=Demo SCEP RA,O=Demo Org,C=US" >/dev/null
	cdadm org add "Demo Org" --o "Demo Org" --c US --admin-email admin@example.com >/dev/null
	cdadm dept add IT --org "Demo Org" >/dev/null
	cdadm domain add example.com >/dev/null
	cdadm domain delegate example.com --org "Demo Org" --types ssl,smime,device >/dev/null
	cdadm profile add "SSL Standard" --type ssl --terms 365,730 \
	    --keys rsa2048,rsa3072,rsa4096,ec256,ec384 \
	    --description "Single-domain server certificate" >/dev/null
	cdadm profile add "SSL Multi-Domain" --type ssl --terms 365 --multi-domain \
	    --description "Server certificate with Subject Alternative Names" >/dev/null
	cdadm profile add "SSL Wildcard" --type ssl --terms 365 --wildcard --multi-domain \
	    --description "Wildcard server certificate" >/dev/null
	cdadm profile add "Client Authentication and Email" --type smime --terms 365,730 \
	    --keys rsa2048,rsa3072,ec256 --eku emailProtection,clientAuth \
	    --description "Signing, encryption and client authentication" >/dev/null
	cdadm profile add "Email Signing" --type smime --terms 365 --keys ec256 \
	    --eku emailProtection --description "Signing and encryption only" >/dev/null
	cdadm profile add "Device" --type device --terms 365 --eku clientAuth >/dev/null
	cdadm endpoint add --type ssl --name "SSL Web Form" >/dev/null
	cdadm endpoint add --type smime --name "Client Web Form" >/dev/null
	cdadm endpoint add --type smime --ext csr --name "Client Web Form (own CSR)" >/dev/null
	cdadm endpoint add --type device --ext lab --name "Device Web Form" >/dev/null
	cdadm endpoint add --type bulk --name "Bulk SSL Form" >/dev/null
	cdadm endpoint add --type scep-device --ext device --name "Device SCEP" >/dev/null
	cdadm endpoint add --type scep-smime --ext smime --name "Client SCEP" >/dev/null
	cdadm endpoint add --type scep-device --ext device-approval --name "Device SCEP (approval)" >/dev/null
	cdadm account add ssl --endpoint ssl --org "Demo Org" --code demo-ssl-2026 \
	    --profile "SSL Standard,SSL Multi-Domain,SSL Wildcard" >/dev/null
	cdadm account add ssl-auto --endpoint ssl --org "Demo Org" --code demo-ssl-auto-2026 \
	    --profile "SSL Standard,SSL Multi-Domain,SSL Wildcard" --auto-approve >/dev/null
	cdadm account add smime --endpoint smime --org "Demo Org" --dept IT --code demo-smime-2026 \
	    --profile "Client Authentication and Email,Email Signing" >/dev/null
	# Client certificates from the person's own CSR: no key on the server.
	cdadm account add smime-csr --endpoint smime/csr --org "Demo Org" --code demo-smime-csr-2026 \
	    --profile "Client Authentication and Email" --user-csr >/dev/null
	# The form never asks for the code: the extension is its only gate.
	cdadm account add device --endpoint device/lab --org "Demo Org" --code demo-device-2026 \
	    --profile Device >/dev/null
	cdadm account add bulk --endpoint bulk --org "Demo Org" --code demo-bulk-2026 \
	    --profile "SSL Standard,SSL Multi-Domain" >/dev/null
	cdadm account add scep-device --endpoint scep-device/device --org "Demo Org" \
	    --code demo-scep-2026 --profile Device --term 365 >/dev/null
	cdadm account add scep-smime --endpoint scep-smime/smime --org "Demo Org" \
	    --code demo-scep-2026 --profile "Client Authentication and Email" --term 365 >/dev/null
	cdadm account add scep-approval --endpoint scep-device/device-approval --org "Demo Org" \
	    --code demo-scep-2026 --profile Device --term 365 --manual-approval >/dev/null
	cdadm crl generate >/dev/null
}

# The demo's person with a secret ID (guide 3.3.4.2), for /smime: the demo
# and the client-certificate tests add it; tests that count persons from
# an empty table start without it.
instance_populate_persons() {
	INSTANCE=$(cd "$1" && pwd)
	echo demo-secret-2026 | cdadm person add dana@example.com --org "Demo Org" \
	    --dept IT --first Dana --last Brown --secret-id - >/dev/null
}

instance_start() {
	local dir i port pid
	dir=$(cd "$1" && pwd)
	port=$(sed -n 's/^server.port = //p' "$dir/lighttpd.conf")
	rm -f "$dir"/run/*.sock* "$dir/run/lighttpd.pid"
	lighttpd -f "$dir/lighttpd.conf" -D >>"$dir/lighttpd-error.log" 2>&1 &
	echo $! > "$dir/run/lighttpd.bgpid"
	pid=$(cat "$dir/run/lighttpd.bgpid")
	# Up to 30 s: a loaded CI machine starts a dozen workers slowly.  A
	# lighttpd that has exited (a port taken, a bad config) will not come.
	for i in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		if curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$port/static/certdesk.css"; then
			return 0
		fi
		sleep 0.1
	done
	echo "lighttpd did not start; see $dir/lighttpd-error.log" >&2
	return 1
}

instance_stop() {
	local dir=$1 pid
	[ -f "$dir/run/lighttpd.bgpid" ] || return 0
	pid=$(cat "$dir/run/lighttpd.bgpid")
	kill "$pid" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	rm -f "$dir/run/lighttpd.bgpid"
	return 0
}
