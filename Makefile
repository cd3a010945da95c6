# Makefile - the front door: thin wrappers around meson + ninja.
#   make          build build/tims (installs missing Debian packages first)
#   make check    build with -Werror, ASan and UBSan in build-check/, run every test
#   make run      run tims on its embedded default
#   make bench    build optimised and run the benchmarks, printing their figures
#   make fuzz     build the libFuzzer targets with clang and run each for FUZZ_SECONDS
BUILD       := build
CHECK_BUILD := build-check
FUZZ_BUILD  := build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: all deps check run bench fuzz clean format

all: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --buildtype=debugoptimized >/dev/null
	@ninja -C $(BUILD) tims >/dev/null || ninja -C $(BUILD) tims

deps:
	@scripts/install-deps

check: deps
	@[ -f $(CHECK_BUILD)/build.ninja ] || meson setup $(CHECK_BUILD) --buildtype=debug \
	    -Db_sanitize=address,undefined -Db_lundef=false \
	    -Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all >/dev/null
	@ninja -C $(CHECK_BUILD) >/dev/null || ninja -C $(CHECK_BUILD)
	@scripts/run-tests $(CHECK_BUILD)

run: all
	@$(BUILD)/tims demo

bench: deps
	@[ -f build-bench/build.ninja ] || meson setup build-bench --buildtype=release >/dev/null
	@ninja -C build-bench >/dev/null || ninja -C build-bench
	@scripts/run-benchmarks build-bench

fuzz: deps
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) --buildtype=debugoptimized \
	    -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	@ninja -C $(FUZZ_BUILD) >/dev/null || ninja -C $(FUZZ_BUILD)
	@scripts/run-fuzzers $(FUZZ_BUILD) $(FUZZ_SECONDS)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(FUZZ_BUILD) build-bench
