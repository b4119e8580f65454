#!/bin/sh
# Turns sql/NNN-*.sql into a C header of string literals, in order, so the
# programs carry their migrations and never depend on an installed path.
set -eu
echo "/* generated from the sql directory by sql/embed.sh; do not edit */"
echo "static const char *const db_migrations[] = {"
for f in "$@"; do
	printf '\t/* %s */\n' "$(basename "$f")"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$f"
	printf '\t,\n'
done
echo "};"
