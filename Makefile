# SPDX-License-Identifier: MIT
# portico — one non-recursive Makefile.
#
#   make              build/portico (release, dynamic)
#   make static       build/static/portico (static, stripped; numeric addresses only)
#   make asan         build/asan/portico (ASan + UBSan, for the test suite)
#   make cross        build/aarch64/ and build/armhf/: static portico and unit tests for the boards
#   make run          install what is missing, build, serve on 127.0.0.1:8080
#   make check        unit + end-to-end (release, ASan, and aarch64 and armhf under qemu-user) + fuzz (short)
#                     + lint; ends "N passed, N failed"
#   make unit         the unit tests (release, then ASan); T=NAME runs the test cases whose name holds NAME
#   make e2e          the end-to-end tests against build/portico; T=NAME runs the cases whose
#                     module.case name holds NAME; FLAVOUR=asan runs them against the ASan build
#   make bench        size, start and idle memory per architecture; wrk, h2load and ab against portico
#                     and nginx, same run, same pinning; then cold workbench loads in Chromium against
#                     code-server's own front end
#   make lint         man page, --help/man agreement, file size caps
#   make fuzz         every libFuzzer harness (tests/fuzz) for FUZZ_SECONDS each; T=NAME for one
#
# CROSS_COMPILE=aarch64-linux-gnu- cross-builds; V=1 shows commands; CI=true adds -Werror.

VERSION := 0.1.0
CROSS_COMPILE ?=
CXX := $(CROSS_COMPILE)g++
CC := $(CROSS_COMPILE)gcc
Q := $(if $(V),,@)

SRC := $(sort $(wildcard src/*.cpp src/*/*.cpp))
WWW := $(sort $(filter-out %~,$(wildcard www/*)))
UNIT := $(sort $(wildcard tests/unit/*.cpp))
FUZZ := $(patsubst tests/fuzz/%.cpp,build/fuzz/%,$(sort $(wildcard tests/fuzz/*.cpp)))
FUZZ_SECONDS ?= 60
LLHTTP_INC := /usr/share/include/llhttp

WARN := -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion
ifeq ($(CI),true)
WARN += -Werror
endif
CXXSTD := -std=c++17 -fno-exceptions -fno-rtti
# 64-bit file offsets and time everywhere: on armhf, readdir() fails with
# EOVERFLOW without the first, and time_t ends in 2038 without the second.
CPPFLAGS_ALL := -Isrc -isystem $(LLHTTP_INC) -isystem /usr/include/bearssl -DPORTICO_VERSION=\"$(VERSION)\" \
  -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 -MMD -MP

# Per-flavour flags.  Sanitizers cannot be combined with -static.
OPT_release := -O2 -g
OPT_asan := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all
# The shipped binary: whole-program optimisation, and no unwind tables
# (built without exceptions, and stripped: nothing reads them).  Measured
# with `make bench`: 1,310,120 bytes before, 1,187,304 after (with COLD), no loss
# of throughput.
OPT_static := -O2 -flto=auto -fno-asynchronous-unwind-tables -fno-unwind-tables
# Code that runs once, at start (flags, the config file, finding and starting
# the VS Code server, the certificate, hash-password), is built for size in
# the shipped binary: none of it is on a request's path.
build/static/obj/config/%.o build/static/obj/backend/%.o build/static/obj/vscode_setup.o \
  build/static/obj/tls/selfsigned.o build/static/obj/auth/hash_password.o build/static/obj/main.o: COLD := -Os
# libFuzzer harnesses (tests/fuzz) link against objects built by clang with
# coverage instrumentation, ASan and UBSan; the harness link adds libFuzzer.
OPT_fuzz := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all
CXX_fuzz := clang++
CC_fuzz := clang
# BearSSL is linked from its static archive in every flavour: nothing but
# libc (and libstdc++ in the dynamic builds) is needed at run time.
LIBS := -l:libbearssl.a
LDX_release := $(LIBS)
LDX_asan := -fsanitize=address,undefined $(LIBS)
LDX_static := -static -s -Wl,--fatal-warnings -Wl,--gc-sections $(LIBS)
LDX_fuzz := -fsanitize=fuzzer,address,undefined $(LIBS)
SECT_static := -ffunction-sections -fdata-sections
# The boards: static and stripped like `static`, with Debian's cross
# compilers and BearSSL's archive for that architecture (multiarch); -Os,
# since a board's flash and page cache are what is short (about 10% smaller
# than -O2: aarch64 971 KiB, armhf 651 KiB; `make bench` says).
CROSS_ARCHES := aarch64 armhf
TRIPLE_aarch64 := aarch64-linux-gnu
TRIPLE_armhf := arm-linux-gnueabihf
QEMU_aarch64 := qemu-aarch64
QEMU_armhf := qemu-arm
$(foreach a,$(CROSS_ARCHES),$(eval CXX_$(a) := $(TRIPLE_$(a))-g++)$(eval CC_$(a) := $(TRIPLE_$(a))-gcc)\
  $(eval OPT_$(a) := -Os)$(eval SECT_$(a) := $(SECT_static))$(eval DEPS_$(a) := build/.deps-cross)\
  $(eval LDX_$(a) := -static -s -Wl,--fatal-warnings -Wl,--gc-sections -L/usr/lib/$(TRIPLE_$(a)) $(LIBS)))

DEPS_BUILD := build/.deps-build
DEPS_TEST := build/.deps-test
DEPS_BENCH := build/.deps-bench
DEPS_VSCODE := build/.deps-vscode
DEPS_FUZZ := build/.deps-fuzz
DEPS_CROSS := build/.deps-cross
DEPS_release := $(DEPS_BUILD)
DEPS_asan := $(DEPS_BUILD)
DEPS_static := $(DEPS_BUILD)
DEPS_fuzz := $(DEPS_FUZZ)

.PHONY: all static asan cross run check unit e2e lint bench fuzz clean deps
all: build/portico

$(DEPS_BUILD): third_party/deps.sh third_party/PINS
	$(Q)third_party/deps.sh packages build
	$(Q)mkdir -p build && touch $@
$(DEPS_TEST): $(DEPS_BUILD) tests/browser/package-lock.json
	$(Q)third_party/deps.sh packages test
	$(Q)third_party/deps.sh npm tests/browser
	$(Q)touch $@
$(DEPS_BENCH): $(DEPS_BUILD)
	$(Q)third_party/deps.sh packages bench
	$(Q)touch $@
$(DEPS_VSCODE): $(DEPS_BUILD)
	$(Q)third_party/deps.sh packages vscode
	$(Q)touch $@
$(DEPS_FUZZ): $(DEPS_BUILD)
	$(Q)third_party/deps.sh packages fuzz
	$(Q)touch $@
$(DEPS_CROSS): $(DEPS_BUILD)
	$(Q)third_party/deps.sh packages cross
	$(Q)touch $@
deps: $(DEPS_TEST)

build/gen/www.cpp: src/gen_www.sh $(WWW)
	$(Q)mkdir -p $(@D)
	$(Q)src/gen_www.sh $@ $(WWW)

# $(1) = flavour
define flavour
CXX_$(1) ?= $(CXX)
CC_$(1) ?= $(CC)
build/$(1)/libllhttp.a: $(DEPS_$(1)) third_party/PINS
	$$(Q)third_party/deps.sh llhttp build/$(1) $$(CC_$(1)) $(OPT_$(1)) $(SECT_$(1)) -fPIC -w

build/$(1)/obj/%.o: src/%.cpp $(DEPS_$(1)) Makefile
	@mkdir -p $$(@D)
	$$(if $$(V),,@echo "  CXX [$(1)] $$<")
	$$(Q)$$(CXX_$(1)) $(CXXSTD) $(WARN) $(OPT_$(1)) $$(COLD) $(SECT_$(1)) $(CPPFLAGS_ALL) -c $$< -o $$@

build/$(1)/obj/gen/www.o: build/gen/www.cpp
	@mkdir -p $$(@D)
	$$(Q)$$(CXX_$(1)) $(CXXSTD) $(WARN) $(OPT_$(1)) $(SECT_$(1)) $(CPPFLAGS_ALL) -c $$< -o $$@

OBJ_$(1) := $(patsubst src/%.cpp,build/$(1)/obj/%.o,$(SRC)) build/$(1)/obj/gen/www.o
LIBOBJ_$(1) := $$(filter-out build/$(1)/obj/main.o,$$(OBJ_$(1)))

build/$(1)/portico: $$(OBJ_$(1)) build/$(1)/libllhttp.a
	$$(if $$(V),,@echo "  LD  [$(1)] $$@")
	$$(Q)$$(CXX_$(1)) $(OPT_$(1)) $$^ $(LDX_$(1)) -o $$@

build/$(1)/unit/%.o: tests/unit/%.cpp $(DEPS_$(1)) Makefile
	@mkdir -p $$(@D)
	$$(if $$(V),,@echo "  CXX [$(1)] $$<")
	$$(Q)$$(CXX_$(1)) -std=c++17 -fno-rtti $(WARN) $(OPT_$(1)) $(CPPFLAGS_ALL) -c $$< -o $$@

build/$(1)/unit_tests: $$(patsubst tests/unit/%.cpp,build/$(1)/unit/%.o,$(UNIT)) $$(LIBOBJ_$(1)) build/$(1)/libllhttp.a
	$$(if $$(V),,@echo "  LD  [$(1)] $$@")
	$$(Q)$$(CXX_$(1)) $(OPT_$(1)) $$^ $(LDX_$(1)) -o $$@

-include $$(OBJ_$(1):.o=.d) $$(patsubst tests/unit/%.cpp,build/$(1)/unit/%.d,$(UNIT))
endef

$(eval $(call flavour,release))
$(eval $(call flavour,asan))
$(eval $(call flavour,static))
$(eval $(call flavour,fuzz))
$(foreach a,$(CROSS_ARCHES),$(eval $(call flavour,$(a))))

# One binary per harness: tests/fuzz/NAME.cpp -> build/fuzz/NAME.
build/fuzz/harness/%.o: tests/fuzz/%.cpp tests/fuzz/fuzz.h $(DEPS_FUZZ) Makefile
	@mkdir -p $(@D)
	$(if $(V),,@echo "  CXX [fuzz] $<")
	$(Q)$(CXX_fuzz) -std=c++17 -fno-rtti $(WARN) $(OPT_fuzz) $(CPPFLAGS_ALL) -c $< -o $@
$(FUZZ): build/fuzz/%: build/fuzz/harness/%.o $(LIBOBJ_fuzz) build/fuzz/libllhttp.a
	$(if $(V),,@echo "  LD  [fuzz] $@")
	$(Q)$(CXX_fuzz) $(OPT_fuzz) $^ $(LDX_fuzz) -o $@
-include $(patsubst build/fuzz/%,build/fuzz/harness/%.d,$(FUZZ))

# Replaced by rename, so a running build/portico never blocks the copy.
build/portico: build/release/portico
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@
static: build/static/portico
asan: build/asan/portico
# Both boards' binaries and unit tests; `make check` runs them under qemu-user.
cross: $(foreach a,$(CROSS_ARCHES),build/$(a)/portico build/$(a)/unit_tests)

# A real VS Code server (npm code-server 4.100.3 on Debian's Node 20), then
# portico in front of it, opening this folder unless ARGS names another.
run: build/portico $(DEPS_VSCODE)
	$(Q)main=$$(third_party/vscode-server.sh build/vscode) && \
	echo "portico: open http://127.0.0.1:8080/ and log in; the password is \$$PASSWORD if set, else in" \
	  "~/.config/code-server/config.yaml (key 'password'; portico writes one there if none is set)." && \
	echo "portico: Ctrl-C stops it." && \
	exec build/portico --bind-addr 127.0.0.1:8080 --vscode-server "$$main" $(if $(ARGS),$(ARGS),.)

# The end-to-end tests drive a real VS Code server: installed once into
# build/vscode (about a minute), reused by later runs.
check: $(DEPS_TEST) $(DEPS_VSCODE) build/portico build/asan/portico build/release/unit_tests build/asan/unit_tests $(FUZZ) cross
	$(Q)third_party/vscode-server.sh build/vscode >/dev/null
	$(Q)tests/run.sh

# The contributor's loop: one suite, or one test, without the rest of check.
FLAVOUR ?= release
E2E_BIN_release := build/portico
E2E_BIN_asan := build/asan/portico
# A T that names no test fails: "nothing ran" is not a pass.
UNIT_FILTER := $(if $(T),--test-case='*$(T)*')
unit: build/release/unit_tests build/asan/unit_tests
	$(Q)build/release/unit_tests --count $(UNIT_FILTER) | grep -q 'filters: [1-9]' || \
	  { echo "unit: no test case matches '$(T)'" >&2; exit 1; }
	$(Q)for f in release asan; do echo "== unit ($$f)"; build/$$f/unit_tests $(UNIT_FILTER) || exit 1; done

e2e: $(DEPS_TEST) $(DEPS_VSCODE) $(E2E_BIN_$(FLAVOUR))
	$(Q)$(if $(E2E_BIN_$(FLAVOUR)),,echo "FLAVOUR is release or asan" >&2; exit 2;)
	$(Q)third_party/vscode-server.sh build/vscode >/dev/null
	$(Q)PORTICO=$(E2E_BIN_$(FLAVOUR)) /usr/bin/python3 tests/e2e/run.py $(T)

lint: $(DEPS_TEST) build/portico
	$(Q)tests/run.sh lint

# Every harness (or the ones T names) for FUZZ_SECONDS, from tests/fuzz/corpus
# into a scratch corpus under build/fuzz/work; fails if any harness finds a crash.
fuzz: $(FUZZ)
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS) $(T)

bench: $(DEPS_BENCH) $(DEPS_TEST) $(DEPS_VSCODE) build/static/portico cross
	$(Q)third_party/vscode-server.sh build/vscode >/dev/null
	$(Q)/usr/bin/python3 tests/bench/size.py
	$(Q)tests/bench/bench.sh build/static/portico
	$(Q)tests/bench/tls.sh build/static/portico
	$(Q)tests/bench/login.sh build/static/portico
	$(Q)tests/bench/coldload.sh build/static/portico
	$(Q)/usr/bin/python3 tests/bench/idle.py build/static/portico

clean:
	rm -rf build
