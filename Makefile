# The two commands: `make demo` and `make test` (`make screenshots` refreshes the console's
# screenshots; `make fuzz` runs the libFuzzer targets). They install missing Debian and npm
# packages first.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
# libFuzzer targets (tests/fuzz/): built with clang-15, ASan and UBSan in their own directory.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 5

.PHONY: all deps configure build test fuzz screenshots demo clean format sanitize tsan packages \
	windows windows-deps

all: build

deps:
	@./installers/dev/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

test: build windows-deps
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 600
	@$(MAKE) --no-print-directory fuzz

# Each fuzz target for FUZZ_SECONDS over its seed corpus (a smoke run in `make test`;
# `FUZZ_SECONDS=600 make fuzz` is the long run). Fails on any crash, leak or undefined behaviour.
fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD_DIR) -DTRIAGE_FUZZ=ON -DBUILD_TESTING=OFF \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-15 > /dev/null
	@cmake --build $(FUZZ_BUILD_DIR) -j$(JOBS) --target fuzzers
	@./tests/fuzz/run_fuzzers.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS)

# triage-agent.exe for 64-bit Windows, cross-built with MinGW-w64 in its own directory
# (WINDOWS_BUILD_DIR/bin/triage-agent.exe, statically linked: no DLL beside it). OpenSSL,
# Protobuf, SQLite and RE2 for Windows are built once from Debian's source packages into a
# machine-wide cache (installers/windows/build-deps.sh, versions in deps.versions).
WINDOWS_BUILD_DIR ?= build-windows
windows: deps
	@JOBS=$(JOBS) ./installers/windows/build-agent.sh $(CURDIR)/$(WINDOWS_BUILD_DIR)

# The Windows libraries' cache, before `make test` cross-builds the agent for its Wine tests
# (label `windows`): instant when built, about ten quiet minutes when not. Skipped without the
# cross compiler (then the Wine tests are not registered either).
windows-deps: deps
	@if command -v x86_64-w64-mingw32-g++-posix > /dev/null; then \
		JOBS=$(JOBS) ./installers/windows/build-deps.sh > /dev/null; fi

# Reruns the web console's browser test, saving its screenshots in docs/screenshots/.
screenshots: build
	@cd $(BUILD_DIR) && TRIAGE_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots \
		ctest -L browser --output-on-failure --timeout 600

# triage-collector and triage-agent .deb, triage-agent .rpm in $(BUILD_DIR)/packages/
# (docs/operations.md#packages).
packages: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target packages

demo: build
	@./installers/dev/demo.sh $(BUILD_DIR)

# A collector cluster on 127.0.0.1, from scratch in $(BUILD_DIR)/cluster-demo/: PostgreSQL 15,
# two nodes and HAProxy with one enrolled agent (installers/cluster/cluster-demo.sh,
# docs/operations.md). It keeps running in the background until `make cluster-demo-stop`.
.PHONY: cluster-demo cluster-demo-stop
cluster-demo: build
	@./installers/cluster/cluster-demo.sh start $(BUILD_DIR)

cluster-demo-stop:
	@./installers/cluster/cluster-demo.sh stop $(BUILD_DIR)

# Sanitizer runs (slow, not part of `make test`; docs/security.md): `make sanitize` builds
# everything with ASan + UBSan in build-asan/ and runs the whole suite, the processes the
# integration tests start included; `make tsan` builds with TSan in build-tsan/ and runs the
# transport tests, the agent's order tests, every collector unit test and every integration test
# (real collector, agents and triagectl, built with TSan too). SANITIZE_CTEST_ARGS passes options
# to ctest (for example `-LE rt` or `-R triage_transport_tests`).
SANITIZER_CMAKE_FLAGS = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -g1"
# By default `make sanitize` leaves out the labels whose binaries are not the sanitized ones: the
# cross-built Windows agent under Wine (windows) and the packages' install tests (packages).
SANITIZE_CTEST_ARGS ?= -LE "windows|packages"
# The TSan set: its test executables, and the product binaries the integration tests start.
TSAN_TESTS = triage_transport_tests triage_agent_actions_tests triage_collector_tests \
	triage_findings_tests triage_actions_tests triage_storage_contract_tests \
	triage_storage_migration_tests triage_cluster_channel_tests triage_integration_tests \
	triage_cluster_tests triage_rt_tests
TSAN_TARGETS = $(TSAN_TESTS) triage-collector triage-agent triagectl triage-loadgen
empty :=
space := $(empty) $(empty)
TSAN_CTEST_REGEX = ^($(subst $(space),|,$(strip $(TSAN_TESTS))))(:|$$)

sanitize: deps
	@cmake -S . -B build-asan $(SANITIZER_CMAKE_FLAGS) -DTRIAGE_SANITIZE=address
	@cmake --build build-asan -j$(JOBS)
	@tests/sanitizers/run_sanitized.sh build-asan sh -c 'cd build-asan && \
		ctest --output-on-failure -j$(JOBS) --timeout 1800 $(SANITIZE_CTEST_ARGS)'

tsan: deps
	@cmake -S . -B build-tsan $(SANITIZER_CMAKE_FLAGS) -DTRIAGE_SANITIZE=thread
	@cmake --build build-tsan -j$(JOBS) --target $(TSAN_TARGETS)
	@tests/sanitizers/run_sanitized.sh build-tsan sh -c 'cd build-tsan && \
		ctest --output-on-failure -j$(JOBS) --timeout 1800 -R "$(TSAN_CTEST_REGEX)" \
		$(SANITIZE_CTEST_ARGS)'

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR) $(FUZZ_BUILD_DIR) $(WINDOWS_BUILD_DIR)
