# The two commands: `make demo` and `make test` (`make screenshots` refreshes the console's
# screenshots; `make fuzz` runs the libFuzzer targets). They install missing Debian and npm
# packages first.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
# libFuzzer targets (tests/fuzz/): built with clang-15, ASan and UBSan in their own directory.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 5

.PHONY: all deps configure build test fuzz screenshots demo clean format sanitize tsan packages

all: build

deps:
	@./installers/dev/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 600
	@$(MAKE) --no-print-directory fuzz

# Each fuzz target for FUZZ_SECONDS over its seed corpus (a smoke run in `make test`;
# `FUZZ_SECONDS=600 make fuzz` is the long run). Fails on any crash, leak or undefined behaviour.
fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD_DIR) -DTRIAGE_FUZZ=ON -DBUILD_TESTING=OFF \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-15 > /dev/null
	@cmake --build $(FUZZ_BUILD_DIR) -j$(JOBS) --target fuzzers
	@./tests/fuzz/run_fuzzers.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS)

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

# Sanitizer runs (slow, not part of `make test`; docs/operations.md): `make sanitize` builds
# everything with ASan + UBSan in build-asan/ and runs the whole suite, the processes the
# integration tests start included; `make tsan` builds with TSan in build-tsan/ and runs the
# transport, ingest and order tests. SANITIZE_CTEST_ARGS passes options to ctest (for example
# `-LE rt` or `-R triage_transport_tests`).
SANITIZER_CMAKE_FLAGS = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -g1"
SANITIZE_CTEST_ARGS ?=
# The TSan set: Catch2 file tags (-#) of the transport, ingest and order tests.
TSAN_TARGETS = triage_transport_tests triage_collector_tests triage_actions_tests \
	triage_agent_actions_tests triage_integration_tests
TSAN_COLLECTOR_FILES = [\#ingest_writer_test],[\#device_state_test],[\#device_state_store_test]
TSAN_ORDER_FILES = [\#order_service_test]
TSAN_INTEGRATION_FILES = [\#collector_ingest_test],[\#hostile_reports_test],[\#actions_test],[\#actions_lifecycle_test],[\#agent_sessions_test]

sanitize: deps
	@cmake -S . -B build-asan $(SANITIZER_CMAKE_FLAGS) -DTRIAGE_SANITIZE=address
	@cmake --build build-asan -j$(JOBS)
	@tests/sanitizers/run_sanitized.sh build-asan sh -c 'cd build-asan && \
		ctest --output-on-failure -j$(JOBS) --timeout 1800 $(SANITIZE_CTEST_ARGS)'

tsan: deps
	@cmake -S . -B build-tsan $(SANITIZER_CMAKE_FLAGS) -DTRIAGE_SANITIZE=thread
	@cmake --build build-tsan -j$(JOBS) --target $(TSAN_TARGETS)
	@tests/sanitizers/run_sanitized.sh build-tsan sh -c 'cd build-tsan/tests && s=0 && \
		{ shared/transport/triage_transport_tests || s=1; } && \
		{ collector/triage_collector_tests -# "$(TSAN_COLLECTOR_FILES)" || s=1; } && \
		{ collector/triage_actions_tests -# "$(TSAN_ORDER_FILES)" || s=1; } && \
		{ agent/actions/triage_agent_actions_tests || s=1; } && \
		{ integration/triage_integration_tests -# "$(TSAN_INTEGRATION_FILES)" || s=1; } && \
		exit $$s'

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR) $(FUZZ_BUILD_DIR)
