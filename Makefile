# mnlab: thin front door over CMake/CTest. Everything builds into build/.
#   make            build everything (the CLI is build/mnlab)
#   make run        build, then run the main job (the default course into out/)
#   make test       build, then run every test (unit, verification, ASan+UBSan,
#                   firmware suites, Cortex-M self-test in QEMU)
#   make bench      benchmarks: throughput, real-time factor, ratios
#   make firmware   cross-build the Cortex-M image and print its size
#   make firmware-qemu  boot the image in QEMU and run its self-test
#   make lint       clang-format check, cppcheck, clang-tidy
#   make install PREFIX=DIR   install mnlab, its man page and data, and
#                   libmnlab with its headers and mnlab.pc (default /usr/local)
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX ?= /usr/local
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all bootstrap configure run test bench firmware firmware-qemu lint format clean install

all: configure
	cmake --build $(BUILD) -j $(JOBS)

bootstrap:
	@scripts/bootstrap

configure: bootstrap
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

run: all
	./$(BUILD)/mnlab run -o out

test: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: all
	./scripts/bench $(BUILD)

firmware: configure
	cmake --build $(BUILD) --target firmware_image -j $(JOBS)
	@arm-none-eabi-size $(BUILD)/firmware-arm/mnpen.elf
	@./scripts/firmware-budget $(BUILD)/firmware-arm/mnpen.elf

firmware-qemu: firmware
	cd $(BUILD) && ctest --output-on-failure -R '^firmware_qemu'

# The prefix is configured too: libmnlab's default data directory is
# PREFIX/share/mnlab/data (DESTDIR is honoured for staged installs).
install: configure
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) --target mnlab mnlab_lib -j $(JOBS)
	cmake --install $(BUILD)

lint: configure
	./scripts/lint $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
