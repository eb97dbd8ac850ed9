# The two commands: `make demo` and `make test` (`make screenshots` refreshes the console's
# screenshots). They install missing Debian and npm packages first.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps configure build test screenshots demo clean format

all: build

deps:
	@./installers/dev/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 600

# Reruns the web console's browser test, saving its screenshots in docs/screenshots/.
screenshots: build
	@cd $(BUILD_DIR) && TRIAGE_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots \
		ctest -L browser --output-on-failure --timeout 600

demo: build
	@./installers/dev/demo.sh $(BUILD_DIR)

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR)
