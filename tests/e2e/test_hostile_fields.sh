#!/usr/bin/env bash
# A hostile value in every field of every form, and in the query string,
# never comes back as markup.  The field names are read from the forms as
# served, so a field added later is probed without changing this script.
# Where a form keeps what was typed, the escaped payload must be on the
# page, which proves the probe reached the code that echoes it.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/hostile_fields"
rm -rf "$OUT" && mkdir -p "$OUT"
start_instance
instance_populate_persons "$INSTANCE"
JAR="$OUT/cookies"

P=$'"><script>alert(1)</script><img src=x onerror=alert(2)>\''
RAW1='<script>alert(1)</script>'
RAW2='<img src=x onerror=alert(2)>'
ESC='&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&#39;'

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$OUT/h.key" -out "$OUT/h.csr" -subj /CN=hostile.example.com 2>/dev/null

# urlenc STRING: STRING percent-encoded for a query string.
urlenc() {
	local s=$1 i c out=
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}
PQ=$(urlenc "$P")

# never_raw NAME: the response NAME holds neither half of the payload raw.
never_raw() {
	if grep -Fq -- "$RAW1" "$OUT/$1.html" || grep -Fq -- "$RAW2" "$OUT/$1.html"; then
		fail "$1: payload came back raw"
	else
		pass "$1: payload never raw"
	fi
}

# echoed NAME: the escaped payload is on the page.
echoed() {
	if grep -Fq -- "$ESC" "$OUT/$1.html"; then
		pass "$1: payload echoed escaped"
	else
		fail "$1: escaped payload not found"
	fi
}

# fields FILE: the distinct names of the form fields in a served page.
fields() {
	grep -o ' name="[^"]*"' "$1" | sed 's/^ name="\(.*\)"$/\1/' | sort -u
}

# query_all FILE: "?action=ACTION&f=P&..." for every field of FILE.
query_all() {	# file action
	local q f
	q="action=$2"
	for f in $(fields "$1"); do
		q="$q&$f=$PQ"
	done
	printf '%s' "$q"
}

# post NAME URL FORMFILE MODE [KEEP=VALUE...]: posts every field of the
# form in FORMFILE with the payload except those given; MODE is "url" or
# "multipart".  The response goes to OUT/NAME.html.
post() {
	local name=$1 url=$2 form=$3 mode=$4 f kv v args=()
	shift 4
	declare -A keep=()
	for kv in "$@"; do
		keep[${kv%%=*}]=${kv#*=}
	done
	for f in $(fields "$form"); do
		v=$P
		[ -n "${keep[$f]+x}" ] && v=${keep[$f]}
		[ "$v" = "-" ] && continue
		if [ "$mode" = multipart ]; then
			args+=(--form-string "$f=$v")
		else
			args+=(--data-urlencode "$f=$v")
		fi
	done
	curl -s -b "$JAR" -c "$JAR" -o "$OUT/$name.html" "${args[@]}" "$url"
}

# get NAME URL: fetches a page with the jar.
get() {
	curl -s -b "$JAR" -c "$JAR" -o "$OUT/$1.html" "$2"
}

csrf_of() {
	sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$OUT/$1.html" | head -n 1
}

# --- the SSL menu and an unknown page
get menu "$BASE/ssl"
check_grep "menu served" 'Certificate enrollment' "$OUT/menu.html"
get menu-q "$BASE/ssl?$(query_all "$OUT/menu.html" "")&x=$PQ"
never_raw menu-q
get action-q "$BASE/ssl?action=$PQ"
never_raw action-q

# --- enrollment step 1
get step1 "$BASE/ssl?action=enroll"
check "step 1 has fields" test "$(fields "$OUT/step1.html" | wc -l)" -ge 3
get step1-q "$BASE/ssl?$(query_all "$OUT/step1.html" enroll)"
never_raw step1-q
post step1-all "$BASE/ssl?action=enroll" "$OUT/step1.html" url
never_raw step1-all
post step1-post "$BASE/ssl?action=enroll" "$OUT/step1.html" url \
    "csrf=$(csrf_of step1)"
never_raw step1-post
echoed step1-post
post step1-query "$BASE/ssl?$(query_all "$OUT/step1.html" enroll)" \
    "$OUT/step1.html" url "csrf=$(csrf_of step1)"
never_raw step1-query

# --- enrollment step 2: the form behind a right access code
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
get s1 "$BASE/ssl?action=enroll"
post form "$BASE/ssl?action=enroll" "$OUT/s1.html" url "csrf=$(csrf_of s1)" \
    accessCode=demo-ssl-2026 email=eve@example.com
check_grep "step 2 form served" 'name="autoRenewDays"' "$OUT/form.html"
FT=$(sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' "$OUT/form.html")
CS=$(csrf_of form)
session=("csrf=$CS" "token=$FT" "step=2" "email=eve@example.com")
# The upload field is a file: a hostile text part under its name stands in.
post getcn "$BASE/ssl?action=enroll" "$OUT/form.html" multipart "${session[@]}" \
    getcn=1 enroll=-
never_raw getcn
echoed getcn
check_grep "getcn: a hostile auto-renew days value falls back to the default" \
    'id="autoRenewDays"[^>]*value="30"' "$OUT/getcn.html"
post getcn-csr "$BASE/ssl?action=enroll" "$OUT/form.html" multipart "${session[@]}" \
    getcn=1 enroll=- csrFile=- "csr=$(cat "$OUT/h.csr")"
never_raw getcn-csr
check_grep "getcn with a CSR: CN filled in" 'value="hostile.example.com"' "$OUT/getcn-csr.html"
post enroll-all "$BASE/ssl?action=enroll" "$OUT/form.html" multipart "${session[@]}" \
    getcn=-
never_raw enroll-all
echoed enroll-all
# Past the profile, term and CSR checks, so later messages quote the input.
post enroll-late "$BASE/ssl?action=enroll" "$OUT/form.html" multipart "${session[@]}" \
    getcn=- csrFile=- "csr=$(cat "$OUT/h.csr")" "profile=SSL Standard" term=365 \
    autoRenew=1 autoRenewDays=45
never_raw enroll-late
echoed enroll-late
check_grep "enroll: a valid auto-renew days value is kept" \
    'id="autoRenewDays"[^>]*value="45"' "$OUT/enroll-late.html"
check_grep "enroll: a valid term is kept" 'option value="365" selected' "$OUT/enroll-late.html"
post enroll-session "$BASE/ssl?action=enroll" "$OUT/form.html" multipart "csrf=$CS" getcn=-
never_raw enroll-session
post enroll-query "$BASE/ssl?$(query_all "$OUT/form.html" enroll)" "$OUT/form.html" \
    multipart "${session[@]}" getcn=-
never_raw enroll-query
check_eq "no request recorded from hostile input" 0 "$(db_count 'SELECT COUNT(*) FROM request')"

# --- renewal, download, revocation: each page's form with every field hostile
for page in renew download revoke; do
	sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
	get "$page" "$BASE/ssl?action=$page"
	check "$page: form has fields" test "$(fields "$OUT/$page.html" | wc -l)" -ge 2
	get "$page-q" "$BASE/ssl?$(query_all "$OUT/$page.html" "$page")"
	never_raw "$page-q"
	post "$page-all" "$BASE/ssl?action=$page" "$OUT/$page.html" url
	never_raw "$page-all"
	post "$page-post" "$BASE/ssl?action=$page" "$OUT/$page.html" url \
	    "csrf=$(csrf_of "$page")"
	never_raw "$page-post"
	echoed "$page-post"
	post "$page-query" "$BASE/ssl?$(query_all "$OUT/$page.html" "$page")" \
	    "$OUT/$page.html" url "csrf=$(csrf_of "$page")"
	never_raw "$page-query"
done
# A valid reason takes revocation on to the passphrase check.
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
post revoke-reason "$BASE/ssl?action=revoke" "$OUT/revoke.html" url \
    "csrf=$(csrf_of revoke)" reason=unspecified
never_raw revoke-reason
echoed revoke-reason

# --- the device form: no access code, so every field is reached at once
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
get device "$BASE/device/lab"
check "device: form has fields" test "$(fields "$OUT/device.html" | wc -l)" -ge 4
get device-q "$BASE/device/lab?$(query_all "$OUT/device.html" "")"
never_raw device-q
post device-all "$BASE/device/lab" "$OUT/device.html" url
never_raw device-all
post device-post "$BASE/device/lab" "$OUT/device.html" multipart \
    "csrf=$(csrf_of device)" csrFile=-
never_raw device-post
echoed device-post
# Past the profile and term checks, so the email's message quotes it.
post device-late "$BASE/device/lab" "$OUT/device.html" multipart \
    "csrf=$(csrf_of device)" csrFile=- profile=Device term=365 \
    "csr=$(cat "$OUT/h.csr")"
never_raw device-late
echoed device-late
check_grep "device: the CSR is kept" 'BEGIN CERTIFICATE REQUEST' "$OUT/device-late.html"
post device-query "$BASE/device/lab?$(query_all "$OUT/device.html" "")" \
    "$OUT/device.html" url "csrf=$(csrf_of device)"
never_raw device-query
check_eq "no request recorded from hostile device input" 0 \
    "$(db_count 'SELECT COUNT(*) FROM request')"

# --- client certificates: every first step of /smime
for page in "enroll" "enroll&swt=sid" "renew" "renew&swt=sid" "revoke"; do
	n=smime-${page//[&=]/-}
	sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
	get "$n" "$BASE/smime?action=$page"
	check "$n: form has fields" test "$(fields "$OUT/$n.html" | wc -l)" -ge 3
	get "$n-q" "$BASE/smime?$(query_all "$OUT/$n.html" "${page%%&*}")"
	never_raw "$n-q"
	post "$n-all" "$BASE/smime?action=$page" "$OUT/$n.html" url
	never_raw "$n-all"
	post "$n-post" "$BASE/smime?action=$page" "$OUT/$n.html" url \
	    "csrf=$(csrf_of "$n")" swt=sid
	never_raw "$n-post"
	echoed "$n-post"
	# The second steps with a hostile token go back to the first.
	post "$n-step2" "$BASE/smime?action=$page" "$OUT/$n.html" url \
	    "csrf=$(csrf_of "$n")" step=2 swt=sid
	never_raw "$n-step2"
done
get smime-validate "$BASE/smime?action=validate&requestCode=$PQ&email=$PQ"
never_raw smime-validate

# --- the client enrollment form behind a right access code
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
get sm1 "$BASE/smime?action=enroll"
post smform "$BASE/smime?action=enroll" "$OUT/sm1.html" url "csrf=$(csrf_of sm1)" \
    accessCode=demo-smime-2026 email=eve@example.com
check_grep "client form served" 'name="lastName"' "$OUT/smform.html"
FT=$(sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' "$OUT/smform.html")
session=("csrf=$(csrf_of smform)" "token=$FT" "step=2" "email=eve@example.com")
post smenroll-all "$BASE/smime?action=enroll" "$OUT/smform.html" url "${session[@]}"
never_raw smenroll-all
echoed smenroll-all
# Valid names, so the later checks run with the rest hostile.
post smenroll-late "$BASE/smime?action=enroll" "$OUT/smform.html" url "${session[@]}" \
    firstName=Eve lastName=Doe "profile=Email Signing" term=365
never_raw smenroll-late
post smenroll-query "$BASE/smime?$(query_all "$OUT/smform.html" enroll)" \
    "$OUT/smform.html" url "${session[@]}"
never_raw smenroll-query
# The secret-ID form of the demo person.
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
get sms1 "$BASE/smime?action=enroll&swt=sid"
post smsform "$BASE/smime?action=enroll&swt=sid" "$OUT/sms1.html" url \
    "csrf=$(csrf_of sms1)" swt=sid secretId=demo-secret-2026 email=dana@example.com
check_grep "secret-ID form served" 'name="password2"' "$OUT/smsform.html"
FT=$(sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' "$OUT/smsform.html")
post smsenroll-all "$BASE/smime?action=enroll&swt=sid" "$OUT/smsform.html" url \
    "csrf=$(csrf_of smsform)" "token=$FT" step=2 swt=sid email=dana@example.com
never_raw smsenroll-all
check_eq "no request recorded from hostile client input" 0 \
    "$(db_count 'SELECT COUNT(*) FROM request')"

# --- the validation page: from the link, and posted
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
get validate "$BASE/validate"
check "validate: form has fields" test "$(fields "$OUT/validate.html" | wc -l)" -ge 4
get validate-q "$BASE/validate?$(query_all "$OUT/validate.html" "")"
never_raw validate-q
echoed validate-q
post validate-all "$BASE/validate" "$OUT/validate.html" url
never_raw validate-all
post validate-post "$BASE/validate" "$OUT/validate.html" url "csrf=$(csrf_of validate)"
never_raw validate-post
echoed validate-post
post validate-token "$BASE/validate" "$OUT/validate.html" url "csrf=$(csrf_of validate)" \
    "token=$P" "ref=$P"
never_raw validate-token

# --- collection
get collect "$BASE/collect"
check "collect: form has fields" test "$(fields "$OUT/collect.html" | wc -l)" -ge 1
get collect-q "$BASE/collect?$(query_all "$OUT/collect.html" "")"
never_raw collect-q
echoed collect-q
get collect-format "$BASE/collect?$(query_all "$OUT/collect.html" "")&format=$PQ"
never_raw collect-format
finish
