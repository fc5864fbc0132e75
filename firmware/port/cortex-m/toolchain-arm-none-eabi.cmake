# CMake toolchain file: bare-metal Cortex-M4 with the GNU Arm Embedded
# toolchain (arm-none-eabi-gcc and newlib). Used by this folder's cross
# project; the host build passes it in through cross.cmake.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_OBJCOPY arm-none-eabi-objcopy CACHE FILEPATH "objcopy for the target")
set(CMAKE_SIZE arm-none-eabi-size CACHE FILEPATH "size for the target")

# There is no OS to run a test program on: let CMake's compiler check build
# a static library instead of linking an executable.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# The M4 has an FPU, but the firmware is integer-only, so the soft-float ABI
# keeps the image free of FPU context handling.
set(MNPEN_CPU_FLAGS -mcpu=cortex-m4 -mthumb -mfloat-abi=soft)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
