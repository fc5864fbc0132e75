# Included at the end of firmware/CMakeLists.txt (host build): builds the
# Cortex-M images as an external project and registers their QEMU test.
#
#   target firmware_image   cross-builds build/firmware-arm/mnpen.elf (product)
#                           and mnpen-selftest.elf (self-test, semihosting)
#   test   firmware_qemu    boots mnpen-selftest.elf on QEMU's mps2-an386 and
#                           passes when the image exits with status 0
#   test   firmware_qemu_product  boots mnpen.elf for a bounded time and passes
#                           when its console shows the pen booted and ticking
#   test   firmware_budget  the product image against the flash/RAM budget
#
# The product image carries the pen's factory record, generated from
# data/pen by the host tool mnpen-factory (port/host/factory, added here) into
# build/firmware-arm-gen/factory_config.c and handed to the cross project as
# MNPEN_FACTORY_CONFIG; the cross build waits for it.
#
# Without arm-none-eabi-gcc or qemu-system-arm this warns and adds nothing,
# so a host-only machine still builds and tests everything else
# (scripts/bootstrap normally installs both).
include_guard(GLOBAL)
include(ExternalProject)

# The record's generator is a host tool: built and checked even on a machine
# without the cross toolchain.
if(NOT TARGET mnpen-factory)
  add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/../host/factory
                   ${CMAKE_BINARY_DIR}/firmware/port/host/factory)
endif()

find_program(MNPEN_ARM_GCC arm-none-eabi-gcc)
find_program(MNPEN_QEMU_ARM qemu-system-arm)
if(NOT MNPEN_ARM_GCC OR NOT MNPEN_QEMU_ARM)
  message(WARNING "firmware: arm-none-eabi-gcc or qemu-system-arm not found; "
                  "the Cortex-M image and its QEMU test are skipped "
                  "(run scripts/bootstrap to install them)")
  return()
endif()

set(MNPEN_ARM_DIR ${CMAKE_CURRENT_LIST_DIR})
set(MNPEN_ARM_BUILD ${CMAKE_BINARY_DIR}/firmware-arm)
# Seconds QEMU may take to boot the self-test and run every suite; a hang
# (a test stuck in a loop, a fault parked in a handler) fails at this limit.
set(MNPEN_QEMU_TIMEOUT 120)

ExternalProject_Add(mnpen_cortex_m
  SOURCE_DIR ${MNPEN_ARM_DIR}
  BINARY_DIR ${MNPEN_ARM_BUILD}
  CMAKE_ARGS
    -DCMAKE_TOOLCHAIN_FILE=${MNPEN_ARM_DIR}/toolchain-arm-none-eabi.cmake
    -DCMAKE_BUILD_TYPE=MinSizeRel
    -DMNPEN_FACTORY_CONFIG=${MNPEN_FACTORY_RECORD}
  DEPENDS mnpen_factory_record
  # Always run the inner build: it owns its dependency checks, including
  # the source globs that pick up new firmware modules and suites.
  BUILD_ALWAYS ON
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS ${MNPEN_ARM_BUILD}/mnpen.elf ${MNPEN_ARM_BUILD}/mnpen-selftest.elf)

add_custom_target(firmware_image)
# The record's host check comes along, so `ctest -R firmware` after `make
# firmware` finds everything it runs.
add_dependencies(firmware_image mnpen_cortex_m mnpen-factory-check)

add_test(NAME firmware_qemu
  COMMAND ${MNPEN_QEMU_ARM} -M mps2-an386 -nographic
          -semihosting-config enable=on,target=native
          -kernel ${MNPEN_ARM_BUILD}/mnpen-selftest.elf)
set_tests_properties(firmware_qemu PROPERTIES
  TIMEOUT ${MNPEN_QEMU_TIMEOUT}
  LABELS "firmware;qemu")

# The product image has no semihosting and never exits: boot it for a
# bounded time and read its UART0 console (tests/qemu_product.sh).
add_test(NAME firmware_qemu_product
  COMMAND ${MNPEN_ARM_DIR}/tests/qemu_product.sh ${MNPEN_QEMU_ARM}
          ${MNPEN_ARM_BUILD}/mnpen.elf)
set_tests_properties(firmware_qemu_product PROPERTIES
  TIMEOUT 10
  LABELS "firmware;qemu")

# The product image against the pen MCU's flash and RAM budget.
add_test(NAME firmware_budget
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/firmware-budget ${MNPEN_ARM_BUILD}/mnpen.elf)
set_tests_properties(firmware_budget PROPERTIES LABELS "firmware")
