# Switchboard: the two commands a user needs.
#   make run    install what is missing, build, start the demo center
#   make check  build twice (gcc; clang with ASan+UBSan) and run every test
# The build itself is CMake (CMakeLists.txt); this file only drives it.

JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
BUILD   ?= build
ASAN    ?= build-asan

.PHONY: all deps build asan run sim check check-fast bench clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/Makefile: deps CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

$(ASAN)/Makefile: deps CMakeLists.txt
	cmake -S . -B $(ASAN) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DSB_SANITIZE=ON >/dev/null

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

asan: $(ASAN)/Makefile
	cmake --build $(ASAN) -j $(JOBS)

run: build
	scripts/web-deps web
	scripts/demo $(BUILD)

# The demo contact center in simulation, and its staffing.
sim: build
	scripts/demo-sim $(BUILD)

# Every test under both builds; the last line is "N passed, N failed".
check: build asan
	@scripts/check $(BUILD) $(ASAN)

# One build only, for the edit-test loop.
check-fast: build
	@scripts/check $(BUILD)

bench: build
	@echo "benchmarks: see bench/README.md"

clean:
	rm -rf $(BUILD) $(ASAN)
