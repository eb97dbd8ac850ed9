# The two commands: `make demo` and `make test` (`make screenshots` refreshes the console's
# screenshots; `make fuzz` runs the libFuzzer targets). They install missing Debian and npm
# packages first.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
# libFuzzer targets (tests/fuzz/): built with clang-15, ASan and UBSan in their own directory.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 5

.PHONY: all deps configure build test fuzz screenshots demo clean format

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

demo: build
	@./installers/dev/demo.sh $(BUILD_DIR)

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR) $(FUZZ_BUILD_DIR)
