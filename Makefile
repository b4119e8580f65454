# certdesk — plain GNU make.  `make check` and `make demo` are the two entry
# points a newcomer needs; both install the Debian packages first.

PREFIX   ?= /usr/local
SYSTEMD_UNITDIR ?= /lib/systemd/system
DESTDIR  ?=
BUILD    ?= build
CC       ?= cc
# The one place the version is written; debian/changelog must agree
# (tests/package-check compares them).
VERSION  := $(shell cat VERSION)

DEB_PKGS := build-essential pkg-config clang libclang-rt-14-dev libssl-dev \
	libfcgi-dev libsqlite3-dev sqlite3 clearsilver-dev zlib1g-dev \
	libcunit1-dev libcsv-dev libargon2-dev lighttpd apache2 \
	libapache2-mod-fcgid curl openssl libnss3-tools default-jre-headless \
	python3-cryptography tidy scep \
	strongswan-pki libstrongswan-extra-plugins certmonger chromium \
	iproute2 cppcheck fonts-dejavu-core wrk spawn-fcgi lighttpd-mod-openssl \
	apache2-suexec-custom help2man dpkg-dev debhelper lintian fakeroot \
	debootstrap libgfshare-dev libgfshare-bin libzip-dev unzip

WARN    := -std=c17 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wswitch-enum \
	-Wmissing-prototypes -Wpointer-arith -Wformat=2 -Werror
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
DEFS    := -D_GNU_SOURCE -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED
INCS    := -Ilib -I/usr/include/ClearSilver -I$(BUILD)/gen
OPT     ?= -O2 -g
CFLAGS  += $(WARN) $(DEFS) $(INCS) $(OPT)
# Each compile also writes which headers it read (a .d file next to its
# output), so editing any header rebuilds exactly what includes it.
DEPFLAGS = -MMD -MP -MF $@.d -MT $@
LDFLAGS += -pie -Wl,-z,relro,-z,now
LIBS    := -lneo_cgi -lneo_cs -lneo_utl -lz -lfcgi -lsqlite3 -lssl -lcrypto \
	-largon2 -lcsv -lgfshare -lzip -lpthread

ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
else
CFLAGS  += $(HARDEN)
endif

LIB_SRC  := $(sort $(wildcard lib/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIBA     := $(BUILD)/libcertdesk.a

CGI_NAMES := ssl smime validate collect bulkenroll device pkiclient.exe
CGI_BIN   := $(CGI_NAMES:%=$(BUILD)/cgi/%)
CGI_OBJ   := $(CGI_NAMES:%.exe=%)
CGI_OBJ   := $(CGI_OBJ:%=$(BUILD)/cgi/%.o)
ADMIN_SRC := $(sort $(wildcard admin/*.c))
ADMIN_OBJ := $(ADMIN_SRC:%.c=$(BUILD)/%.o)
ADMIN_BIN := $(BUILD)/certdesk

# tests/unit: one suite per module; tests/prog: suites that drive a whole
# program as CGI.  Both link the shared fixture and run under `make unit`.
FIXTURE_OBJ := $(BUILD)/tests/unit/fixture.o
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
PROG_SRC  := $(sort $(wildcard tests/prog/test_*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%) \
	$(PROG_SRC:tests/prog/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

.SECONDARY:

.PHONY: all deps check check-package unit unit-asan e2e demo install man fuzz \
	bench bench-scep bench-crl bench-pages bench-smime bench-bulk clean lint

all: $(LIBA) $(CGI_BIN) $(ADMIN_BIN)

# Installs what build, demo and tests need; silent and quick when present.
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@# Node may come from another repository; Debian's npm then conflicts.
	@command -v npm >/dev/null || { SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	@[ -d tests/e2e/node_modules/playwright-core ] || \
		(cd tests/e2e && npm install --no-audit --no-fund --silent >/dev/null)

# V=1 shows the full compiler command lines.
Q := $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/gen/db_migrations.h: sql/embed.sh $(sort $(wildcard sql/[0-9]*.sql))
	@mkdir -p $(dir $@)
	sh sql/embed.sh $(sort $(wildcard sql/[0-9]*.sql)) > $@

$(BUILD)/lib/db.o: $(BUILD)/gen/db_migrations.h

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/cgi/pkiclient.exe: $(BUILD)/cgi/pkiclient.o $(LIBA)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/cgi/%: $(BUILD)/cgi/%.o $(LIBA)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# Only the CLI prints the version; a new VERSION rebuilds just this object.
$(BUILD)/admin/certdesk.o: VERSION
$(BUILD)/admin/certdesk.o: CFLAGS += -DCERTDESK_VERSION='"$(VERSION)"'

$(ADMIN_BIN): $(ADMIN_OBJ) $(LIBA)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# The test clock (CERTDESK_NOW) exists only in test builds.  The library
# and every program in $(BUILD) are what `make install` ships, so they are
# built without it; the tests get a second store_clock.o (store_now and
# nothing else) compiled with -DCERTDESK_TEST_CLOCK, linked ahead of the
# library so it replaces the archive's, and their own pkiclient.exe built
# the same way.  No variable to forget: a production build cannot have the
# switch.
TEST_CLOCK_OBJ := $(BUILD)/tests/store_testclock.o

$(TEST_CLOCK_OBJ): lib/store_clock.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -DCERTDESK_TEST_CLOCK -c -o $@ $<

$(BUILD)/tests/pkiclient.exe: $(BUILD)/cgi/pkiclient.o $(TEST_CLOCK_OBJ) $(LIBA)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# The CLI with the test clock, for tests/e2e/test_maintain.sh.
$(BUILD)/tests/certdesk: $(ADMIN_OBJ) $(TEST_CLOCK_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# A suite is compiled and linked in one step; its .d file names the
# binary, so unit.h, fixture.h or any lib header rebuilds it.
$(BUILD)/tests/%: tests/unit/%.c $(FIXTURE_OBJ) $(TEST_CLOCK_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC LD   $@")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
		$(FIXTURE_OBJ) $(TEST_CLOCK_OBJ) $(LIBA) $(LIBS) -lcunit

$(BUILD)/tests/%: tests/prog/%.c $(FIXTURE_OBJ) $(TEST_CLOCK_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC LD   $@")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
		$(FIXTURE_OBJ) $(TEST_CLOCK_OBJ) $(LIBA) $(LIBS) -lcunit

# A test-only program for tests/e2e/test_p12_interop.sh: makes a key and
# certificate and writes both PKCS#12 encodings of them.
$(BUILD)/tests/p12make: tests/tools/p12make.c $(FIXTURE_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC LD   $@")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
		$(FIXTURE_OBJ) $(LIBA) $(LIBS)

# A test-only program for tests/e2e/test_smime_collect.sh: issues a client
# certificate through clientcert_issue before (or without) the forms.
$(BUILD)/tests/smimeissue: tests/tools/smimeissue.c $(LIBA)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC LD   $@")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

# A test-only program for tests/e2e/test_escrow.sh: a thousand escrow
# blobs without the web forms, and which tier keys open them.
$(BUILD)/tests/escrowfill: tests/tools/escrowfill.c $(LIBA)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC LD   $@")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

# These suites drive the real programs as CGI: the test-clock pkiclient.exe,
# and the production one to prove it ignores the clock.
$(BUILD)/tests/test_scep_server: $(BUILD)/tests/pkiclient.exe \
	$(BUILD)/cgi/pkiclient.exe $(ADMIN_BIN)

-include $(LIB_OBJ:%=%.d) $(CGI_OBJ:%=%.d) $(ADMIN_OBJ:%=%.d) \
	$(FIXTURE_OBJ:%=%.d) $(TEST_CLOCK_OBJ:%=%.d) $(UNIT_BIN:%=%.d) \
	$(BUILD)/tests/p12make.d $(BUILD)/tests/smimeissue.d \
	$(BUILD)/tests/escrowfill.d

$(BUILD)/bench/%: bench/%.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

unit: $(UNIT_BIN)
	@tests/run-unit $(UNIT_BIN)

unit-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 OPT="-O1 -g" unit

e2e: all $(BUILD)/tests/certdesk $(BUILD)/tests/p12make
	@tests/e2e/run-all

# Every test: unit suites, the same suites under ASan+UBSan, end to end.
check: deps
	@$(MAKE) --no-print-directory all
	@tests/run-check

demo: deps all
	@tests/e2e/demo

# certdesk(8) is made from the CLI's own --help and --version, so it
# cannot drift from the program; admin/certdesk.h2m adds the prose.
man: $(BUILD)/certdesk.8

$(BUILD)/certdesk.8: $(ADMIN_BIN) admin/certdesk.h2m
	$(Q)help2man --no-info --section=8 --include=admin/certdesk.h2m \
		--name="administer a certdesk installation" \
		--output=$@ $(ADMIN_BIN)

# FHS layout.  The CLI goes to sbin: it is the administrator's tool and
# needs the state directory, which only root and the certdesk user read.
# The configuration is installed once and never overwritten.  Ownership
# of the state directory goes to the certdesk user only on the machine
# itself (no DESTDIR), as root, when that user exists; a DESTDIR install
# (a package build) needs no root, and the package's postinst sets it.
# The web-server configurations and units are examples, copied as they are.
install: all $(BUILD)/certdesk.8
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib/certdesk/cgi \
		$(DESTDIR)$(PREFIX)/share/certdesk/templates/mail \
		$(DESTDIR)$(PREFIX)/share/certdesk/static \
		$(DESTDIR)$(PREFIX)/share/certdesk/conf \
		$(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)/etc/certdesk
	install -d -m 0751 $(DESTDIR)/var/lib/certdesk
	install -m 0755 $(ADMIN_BIN) $(DESTDIR)$(PREFIX)/sbin/certdesk
	install -m 0755 $(CGI_BIN) $(DESTDIR)$(PREFIX)/lib/certdesk/cgi/
	install -m 0644 templates/*.cs $(DESTDIR)$(PREFIX)/share/certdesk/templates/
	install -m 0644 templates/mail/*.cs $(DESTDIR)$(PREFIX)/share/certdesk/templates/mail/
	install -m 0644 static/* $(DESTDIR)$(PREFIX)/share/certdesk/static/
	for f in apache-conf/*; do \
		case $$f in *.in) continue ;; esac; \
		[ -f "$$f" ] && install -m 0644 "$$f" $(DESTDIR)$(PREFIX)/share/certdesk/conf/; \
	done; true
	install -m 0644 $(BUILD)/certdesk.8 $(DESTDIR)$(PREFIX)/share/man/man8/certdesk.8
	@# The units, instantiated for this prefix, where systemd looks for
	@# a package's units; the examples above keep their placeholders.
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR)
	for f in apache-conf/systemd/*; do \
		sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@CONFFILE@|/etc/certdesk/certdesk.hdf|g' \
		    -e 's|@STATEDIR@|/var/lib/certdesk|g' -e 's|@RUNDIR@|/run/certdesk|g' "$$f" \
		    > $(DESTDIR)$(SYSTEMD_UNITDIR)/$${f##*/} && \
		chmod 0644 $(DESTDIR)$(SYSTEMD_UNITDIR)/$${f##*/} || exit 1; \
	done
	[ -e $(DESTDIR)/etc/certdesk/certdesk.hdf ] || \
		sed 's|@PREFIX@|$(PREFIX)|g' apache-conf/certdesk.hdf.in > $(DESTDIR)/etc/certdesk/certdesk.hdf
	chmod 0644 $(DESTDIR)/etc/certdesk/certdesk.hdf
	chmod 0751 $(DESTDIR)/var/lib/certdesk
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && getent passwd certdesk >/dev/null; then \
		echo "chown certdesk:certdesk /var/lib/certdesk"; \
		chown certdesk:certdesk /var/lib/certdesk; \
	fi

# The Debian package, built in a copy of the tree, checked with lintian
# and installed into a throw-away Debian root (see tests/package-check).
check-package: deps
	@tests/package-check

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_SECONDS ?= 30
build-fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(BUILD)/gen/db_migrations.h
	@mkdir -p build-fuzz
	clang $(WARN) $(DEFS) $(INCS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(LIB_SRC) $(LIBS)
fuzz: deps $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
		n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
		echo "fuzzing $$n for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=40000 build-fuzz/corpus-$$n tests/fuzz/seeds-$$n \
			2>build-fuzz/$$n.log || { tail -40 build-fuzz/$$n.log; exit 1; }; \
	done

# Benchmarks, never part of check: bench-scep needs root (ip netns).
bench: bench-scep bench-crl bench-pages bench-smime bench-bulk

bench-scep: deps all $(BENCH_BIN)
	@bench/bench-scep

bench-crl: deps all $(BENCH_BIN)
	@bench/bench-crl

bench-pages: deps all $(BENCH_BIN)
	@bench/bench-pages

bench-smime: deps all $(BENCH_BIN)
	@bench/bench-smime

bench-bulk: deps all $(BENCH_BIN)
	@bench/bench-bulk

TIDY_SRC := $(LIB_SRC) $(sort $(wildcard cgi/*.c)) $(ADMIN_SRC)

# cppcheck and clang-tidy (checks and limits in .clang-tidy) for the C
# code; for the templates, only constructs that ClearSilver escapes under
# VarEscapeMode (the set is in tests/lint-templates).
lint: $(BUILD)/gen/db_migrations.h
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr -Ilib -D__GNUC__ lib cgi admin
	perl tests/lint-templates templates/*.cs templates/mail/*.cs
	@for f in $(TIDY_SRC); do \
		$(if $(V),,echo "  TIDY    $$f";) \
		clang-tidy -quiet --warnings-as-errors='*' $$f -- \
			-std=c17 $(DEFS) -DCERTDESK_VERSION='"$(VERSION)"' $(INCS) \
			2>/dev/null || exit 1; \
	done

clean:
	rm -rf build build-asan build-fuzz
