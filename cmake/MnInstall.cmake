# Installation: the mnlab command, its man page, the data it reads, and
# libmnlab for other C programs (public headers and a pkg-config file).
#
#   make install PREFIX=DIR        (or: cmake --install build --prefix DIR)
#
#   DIR/bin/mnlab
#   DIR/share/man/man1/mnlab.1
#   DIR/share/mnlab/data/...       parameters and protocols (MNLAB_DATA)
#   DIR/lib/libmnlab.a             host library + the pen firmware and its
#                                  software-in-the-loop port (stroke source)
#   DIR/include/mnlab/...          headers, subfolders kept: a program writes
#                                  #include "course/course.h" and compiles
#                                  with `pkg-config --cflags mnlab`
#   DIR/lib/pkgconfig/mnlab.pc
#
# The library is static only: the objects are built as position-dependent
# code for the mnlab executable, and a shared build would compile the whole
# model a further time. Its dependencies are therefore not private (every
# program linking it needs them), so mnlab.pc lists them in Requires/Libs.
include(GNUInstallDirs)

set(MN_INSTALL_DATA ${CMAKE_INSTALL_DATADIR}/mnlab/data)

# One archive from the objects already built for the executable. datadir.c
# is compiled again so the library's default data directory is the installed
# one, not the source tree (MNLAB_DATA or mn_course_options.data_dir still
# override it, e.g. after `cmake --install --prefix` elsewhere).
set(MN_LIB_PARTS mnpen_host mnpen)
set(MN_LIB_OBJECTS "$<FILTER:$<TARGET_OBJECTS:mnlab_core>,EXCLUDE,/io/datadir\\.c\\.o$>")
foreach(part IN LISTS MN_LIB_PARTS)
  list(APPEND MN_LIB_OBJECTS "$<TARGET_OBJECTS:${part}>")
endforeach()
add_library(mnlab_lib STATIC ${MN_LIB_OBJECTS} ${PROJECT_SOURCE_DIR}/src/io/datadir.c)
target_include_directories(mnlab_lib PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(mnlab_lib PRIVATE
  MN_DATA_DIR="${CMAKE_INSTALL_FULL_DATADIR}/mnlab/data")
set_target_properties(mnlab_lib PROPERTIES OUTPUT_NAME mnlab
  ARCHIVE_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib)

# pkg-config: the libraries the host library links that ship a .pc file
# (libyaml, jansson, HDF5, PLplot) are required by their module names, so
# their flags follow them; OpenMP and libm are a compiler flag and a plain
# library.
get_target_property(MN_CORE_LINKS mnlab_core INTERFACE_LINK_LIBRARIES)
set(MN_PC_REQUIRES "")
foreach(module IN ITEMS yaml-0.1 jansson hdf5 plplot)
  string(MAKE_C_IDENTIFIER "MN_PC_${module}" var)
  pkg_check_modules(${var} QUIET ${module})
  foreach(lib IN LISTS ${var}_LINK_LIBRARIES)
    if(lib IN_LIST MN_CORE_LINKS)
      list(APPEND MN_PC_REQUIRES ${module})
      break()
    endif()
  endforeach()
endforeach()
string(JOIN " " MN_PC_REQUIRES ${MN_PC_REQUIRES})
file(RELATIVE_PATH MN_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" MN_PC_TO_PREFIX "${MN_PC_TO_PREFIX}")
string(JOIN " " MN_PC_OPENMP ${OpenMP_C_FLAGS})
configure_file(${PROJECT_SOURCE_DIR}/mnlab.pc.in ${PROJECT_BINARY_DIR}/mnlab.pc @ONLY)

install(TARGETS mnlab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS mnlab_lib ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_BINARY_DIR}/mnlab.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(FILES ${PROJECT_SOURCE_DIR}/docs/mnlab.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/data/ DESTINATION ${MN_INSTALL_DATA})

install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mnlab
  FILES_MATCHING PATTERN "*.h" PATTERN "cli" EXCLUDE PATTERN "*_impl.h" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/firmware/include/mnpen
  ${PROJECT_SOURCE_DIR}/firmware/port/host/include/mnpen_host
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mnlab FILES_MATCHING PATTERN "*.h")

# The installed mnlab finds the data installed beside it (see cli/main.c).
file(RELATIVE_PATH MN_BIN_TO_DATA /p/${CMAKE_INSTALL_BINDIR} /p/${MN_INSTALL_DATA})
target_compile_definitions(mnlab PRIVATE MN_INSTALLED_DATA_REL="${MN_BIN_TO_DATA}")

# Tests: an install used as a stranger would (tests/install/), and the man
# page renders without a warning.
add_test(NAME install_pkgconfig COMMAND ${CMAKE_COMMAND}
  -DBUILD=${PROJECT_BINARY_DIR} -DPREFIX=${PROJECT_BINARY_DIR}/install-test
  -DCC=${CMAKE_C_COMPILER} -DPKG_CONFIG=${PKG_CONFIG_EXECUTABLE}
  -DLIBDIR=${CMAKE_INSTALL_LIBDIR} -DEXAMPLE=${PROJECT_SOURCE_DIR}/examples/run_course.c
  -DPROTOCOL=${PROJECT_SOURCE_DIR}/tests/cli/protocols/tiny.yaml
  -P ${PROJECT_SOURCE_DIR}/tests/install/install_test.cmake)
set_tests_properties(install_pkgconfig PROPERTIES LABELS install)
find_program(MN_GROFF groff)
if(MN_GROFF)
  add_test(NAME docs_manpage COMMAND ${CMAKE_COMMAND} -DGROFF=${MN_GROFF}
    -DPAGE=${PROJECT_SOURCE_DIR}/docs/mnlab.1 -P ${PROJECT_SOURCE_DIR}/tests/install/manpage_test.cmake)
  set_tests_properties(docs_manpage PROPERTIES LABELS install)
endif()
