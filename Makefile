# faxd: the two commands a newcomer types are `make run` and `make test`.
# Every target installs the Debian packages it needs first (scripts/deps.sh).

BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=
CTEST_ARGS ?=
# Tests run three at a time: most wait on real fax lines, sockets and browsers, not the CPU
# (faxd's media tick runs at real-time priority when allowed, as in CI).
CTEST_JOBS ?= 3

.PHONY: all build run test test-asan bench package fuzz asan tsan format clean deps-build deps-test deps-bench deps-package e2e-deps

all: build

deps-build:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh test
deps-bench:
	@scripts/deps.sh bench
deps-package:
	@scripts/deps.sh package

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

## build: configure and compile; the daemon ends up at build/faxd
build: deps-build $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

## run: start faxd with config/faxd.toml (data under ./var, demo tenant seeded)
run: build
	@mkdir -p var
	@echo "faxd: web UI and API on http://127.0.0.1:8080/ (Ctrl-C stops)"
	$(BUILD)/faxd --config config/faxd.toml

## e2e-deps: npm packages of the browser tests (playwright-core, axe-core; the browser is Debian's
## chromium), installed again whenever package-lock.json is newer than what npm put in place
e2e-deps: deps-test
	@if [ -f tests/e2e/package.json ]; then cd tests/e2e && \
	  ( [ node_modules/.package-lock.json -nt package-lock.json ] || \
	    npm ci --no-audit --no-fund --loglevel=error ); fi

## test: unit, integration (real sockets, SIPp, tshark, SMTP) and browser tests
## then the unit tests and fuzz-smoke replays again under ASan+UBSan (test-asan; not when
## CTEST_ARGS picks some tests)
test: deps-test e2e-deps build
	cd $(BUILD) && ctest --output-on-failure --timeout 900 -j$(CTEST_JOBS) $(CTEST_ARGS)
	@if [ -z "$(CTEST_ARGS)" ]; then $(MAKE) test-asan; else echo "test-asan skipped: a filtered run (CTEST_ARGS)"; fi

## test-asan: only the unit tests and fuzz-smoke replays, built in build-asan with ASan+UBSan
## (Debug, any ASan or UBSan report fails the test); `make test` runs it after the suite
ASAN_BUILD ?= build-asan
SAN_ENV = LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1
test-asan: deps-test
	@[ -f $(ASAN_BUILD)/CMakeCache.txt ] || cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug \
	  -DFAXD_SANITIZE=ON -DFAXD_WERROR=ON $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j$(JOBS) --target unit_tests
	cd $(ASAN_BUILD) && $(SAN_ENV) ctest --output-on-failure --timeout 900 -j$(CTEST_JOBS) \
	  -E 'integration|e2e'

## asan: the test suite under AddressSanitizer and UndefinedBehaviorSanitizer
asan:
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(MAKE) test BUILD=build-asan BUILD_TYPE=Debug CMAKE_ARGS="-DFAXD_SANITIZE=ON"

## tsan: the test suite under ThreadSanitizer
tsan:
	TSAN_OPTIONS="suppressions=$(CURDIR)/tests/sanitizers/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
	$(MAKE) test BUILD=build-tsan BUILD_TYPE=Debug CMAKE_ARGS="-DFAXD_TSAN=ON"

## bench: benchmarks against the anchors; writes docs/benchmarks.md
bench: deps-bench build
	bench/run.sh $(BUILD)

## package: a Debian package under build/
package: deps-package build
	cd $(BUILD) && cpack -G DEB

## fuzz: libFuzzer runs of every parser that reads outside input (clang-16, ASan+UBSan), FUZZ_SECONDS
## each; FUZZ_TARGETS narrows the set (e.g. make fuzz FUZZ_TARGETS=sdp FUZZ_SECONDS=600)
FUZZ_SECONDS ?= 120
FUZZ_TARGETS ?= udptl_decoder rtp_packet sdp multipart config json_body document_pdf document_tiff
fuzz: deps-build
	@scripts/deps.sh fuzz
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 -DFAXD_FUZZ=ON
	cmake --build build-fuzz -j$(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
