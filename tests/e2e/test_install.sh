#!/usr/bin/env bash
# make install DESTDIR=... PREFIX=/usr: every file and directory where the
# FHS puts it, with its mode, and nothing else; the configuration is never
# overwritten; the installed CLI and man page answer.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. tests/e2e/lib.sh

DEST=$(mktemp -d /tmp/certdesk-install.XXXXXX)
trap 'rm -rf "$DEST"' EXIT

# The fixed part of the tree: mode and path, as find prints them.
expected_fixed() {
	cat <<'LIST'
drwxr-xr-x etc
drwxr-xr-x etc/certdesk
-rw-r--r-- etc/certdesk/certdesk.hdf
drwxr-xr-x lib
drwxr-xr-x lib/systemd
drwxr-xr-x lib/systemd/system
drwxr-xr-x usr
drwxr-xr-x usr/lib
drwxr-xr-x usr/lib/certdesk
drwxr-xr-x usr/lib/certdesk/cgi
-rwxr-xr-x usr/lib/certdesk/cgi/bulkenroll
-rwxr-xr-x usr/lib/certdesk/cgi/collect
-rwxr-xr-x usr/lib/certdesk/cgi/device
-rwxr-xr-x usr/lib/certdesk/cgi/pkiclient.exe
-rwxr-xr-x usr/lib/certdesk/cgi/smime
-rwxr-xr-x usr/lib/certdesk/cgi/ssl
-rwxr-xr-x usr/lib/certdesk/cgi/validate
drwxr-xr-x usr/sbin
-rwxr-xr-x usr/sbin/certdesk
drwxr-xr-x usr/share
drwxr-xr-x usr/share/certdesk
drwxr-xr-x usr/share/certdesk/conf
drwxr-xr-x usr/share/certdesk/static
drwxr-xr-x usr/share/certdesk/templates
drwxr-xr-x usr/share/certdesk/templates/mail
drwxr-xr-x usr/share/man
drwxr-xr-x usr/share/man/man8
-rw-r--r-- usr/share/man/man8/certdesk.8
drwxr-xr-x var
drwxr-xr-x var/lib
drwxr-x--x var/lib/certdesk
LIST
}

# The expected tree: the fixed part, and one read-only file per template,
# stylesheet and shipped web-server configuration or unit in the source.
expected() {
	local f
	expected_fixed
	for f in templates/*.cs templates/mail/*.cs; do
		echo "-rw-r--r-- usr/share/certdesk/$f"
	done
	for f in static/*; do
		echo "-rw-r--r-- usr/share/certdesk/$f"
	done
	for f in apache-conf/*; do
		case $f in *.in) continue ;; esac
		[ -f "$f" ] && echo "-rw-r--r-- usr/share/certdesk/conf/${f#apache-conf/}"
	done
	for f in apache-conf/systemd/*; do
		echo "-rw-r--r-- lib/systemd/system/${f#apache-conf/systemd/}"
	done
}

if make --no-print-directory -s install DESTDIR="$DEST" PREFIX=/usr > "$DEST.log" 2>&1; then
	pass "make install DESTDIR=... PREFIX=/usr"
else
	fail "make install DESTDIR=... PREFIX=/usr"
	cat "$DEST.log"
fi
rm -f "$DEST.log"

(cd "$DEST" && find . -mindepth 1 -printf '%M %P\n') | LC_ALL=C sort > /tmp/certdesk-install-got.$$
expected | LC_ALL=C sort > /tmp/certdesk-install-want.$$
while read -r line; do
	if grep -qxF -- "$line" /tmp/certdesk-install-got.$$; then
		pass "installed: $line"
	else
		fail "missing or wrong mode: $line (got: $(grep -F " ${line#* }" /tmp/certdesk-install-got.$$ | head -n 1))"
	fi
done < /tmp/certdesk-install-want.$$
extra=$(comm -23 /tmp/certdesk-install-got.$$ /tmp/certdesk-install-want.$$)
check_eq "nothing installed that is not in the list" "" "$extra"
rm -f /tmp/certdesk-install-got.$$ /tmp/certdesk-install-want.$$

check_grep "the configuration names the installed templates" \
	'^Templates.Dir = /usr/share/certdesk/templates$' "$DEST/etc/certdesk/certdesk.hdf"
check_eq "the installed CLI prints the version" "certdesk $(cat VERSION)" \
	"$("$DEST/usr/sbin/certdesk" --version)"
check_grep "the man page lists the backup command" '^backup' "$DEST/usr/share/man/man8/certdesk.8"
check_grep "the man page has the version" "certdesk $(cat VERSION)" "$DEST/usr/share/man/man8/certdesk.8"

# A second install keeps the administrator's configuration.
echo "BaseURL = https://edited.example" >> "$DEST/etc/certdesk/certdesk.hdf"
make --no-print-directory -s install DESTDIR="$DEST" PREFIX=/usr > /dev/null 2>&1
check_grep "a second install keeps the edited configuration" \
	'^BaseURL = https://edited.example$' "$DEST/etc/certdesk/certdesk.hdf"

finish
