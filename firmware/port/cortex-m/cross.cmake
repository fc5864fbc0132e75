# Included at the end of firmware/CMakeLists.txt (host build): builds the
# Cortex-M images as an external project and registers their QEMU test.
#
#   target firmware_image   cross-builds build/firmware-arm/mnpen.elf (product)
#                           and mnpen-selftest.elf (self-test, semihosting)
#   test   firmware_qemu    boots mnpen-selftest.elf on QEMU's mps2-an386 and
#                           passes when the image exits with status 0
#
# Without arm-none-eabi-gcc or qemu-system-arm this warns and adds nothing,
# so a host-only machine still builds and tests everything else
# (scripts/bootstrap normally installs both).
include_guard(GLOBAL)
include(ExternalProject)

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
  # Always run the inner build: it owns its dependency checks, including
  # the source globs that pick up new firmware modules and suites.
  BUILD_ALWAYS ON
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS ${MNPEN_ARM_BUILD}/mnpen.elf ${MNPEN_ARM_BUILD}/mnpen-selftest.elf)

add_custom_target(firmware_image)
add_dependencies(firmware_image mnpen_cortex_m)

add_test(NAME firmware_qemu
  COMMAND ${MNPEN_QEMU_ARM} -M mps2-an386 -nographic
          -semihosting-config enable=on,target=native
          -kernel ${MNPEN_ARM_BUILD}/mnpen-selftest.elf)
set_tests_properties(firmware_qemu PROPERTIES
  TIMEOUT ${MNPEN_QEMU_TIMEOUT}
  LABELS "firmware;qemu")

# The product image against the pen MCU's flash and RAM budget.
add_test(NAME firmware_budget
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/firmware-budget ${MNPEN_ARM_BUILD}/mnpen.elf)
set_tests_properties(firmware_budget PROPERTIES LABELS "firmware")
