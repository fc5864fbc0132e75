# Installs mnlab into a fresh prefix elsewhere than configured and uses it as
# a stranger would: the installed mnlab finds its installed data by itself,
# and a program of one's own (examples/run_course.c) compiles with nothing
# but `pkg-config --cflags --libs mnlab` under the project's strict warnings,
# links libmnlab and gives the same summary of a small protocol, byte for
# byte, as the installed mnlab.
#
#   cmake -DBUILD=... -DPREFIX=... -DCC=... -DPKG_CONFIG=... -DLIBDIR=...
#         -DEXAMPLE=... -DPROTOCOL=... -P install_test.cmake
foreach(v BUILD PREFIX CC PKG_CONFIG LIBDIR EXAMPLE PROTOCOL)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "install_test: -D${v}=... missing")
  endif()
endforeach()

function(run_or_fail what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${ARGN}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${PREFIX})
run_or_fail("install" ${CMAKE_COMMAND} --install ${BUILD} --prefix ${PREFIX})

foreach(f bin/mnlab ${LIBDIR}/libmnlab.a ${LIBDIR}/pkgconfig/mnlab.pc share/man/man1/mnlab.1
    include/mnlab/course/course.h include/mnlab/io/summary.h
    include/mnlab/mnpen_host/sil_strokes.h include/mnlab/mnpen/pen.h
    share/mnlab/data/protocols/default.yaml share/mnlab/data/pen/motor.yaml)
  if(NOT EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "not installed: ${PREFIX}/${f}")
  endif()
endforeach()
if(EXISTS ${PREFIX}/include/mnlab/cli)
  message(FATAL_ERROR "the command line's private headers were installed")
endif()

# The installed mnlab reads the installed data, not the source tree's.
unset(ENV{MNLAB_DATA})
run_or_fail("installed mnlab params" ${PREFIX}/bin/mnlab params --json motor.)
string(JSON first_file GET "${out}" parameters 0 file)
file(REAL_PATH ${PREFIX}/share/mnlab/data installed_data)
string(FIND "${first_file}" "${installed_data}/" at)
if(NOT at EQUAL 0)
  message(FATAL_ERROR "installed mnlab read ${first_file}, not ${installed_data}")
endif()
run_or_fail("installed mnlab run" ${PREFIX}/bin/mnlab run ${PROTOCOL} --json --quiet
  -o ${PREFIX}/run-out)
set(tool_summary "${out}")

# pkg-config alone gives what a program needs.
set(ENV{PKG_CONFIG_PATH} ${PREFIX}/${LIBDIR}/pkgconfig)
run_or_fail("pkg-config" ${PKG_CONFIG} --cflags --libs mnlab)
string(STRIP "${out}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run_or_fail("pkg-config datadir" ${PKG_CONFIG} --variable=datadir mnlab)
string(STRIP "${out}" pc_data)
file(REAL_PATH ${pc_data} pc_data)
if(NOT pc_data STREQUAL installed_data)
  message(FATAL_ERROR "mnlab.pc datadir ${pc_data}, installed ${installed_data}")
endif()
run_or_fail("compiling the example" ${CC} -std=c11 -Wall -Wextra -Werror -Wshadow
  -Wstrict-prototypes -Wmissing-prototypes ${EXAMPLE} ${flags} -o ${PREFIX}/run_course)

# A prefix moved after configuring: the program is pointed at its data.
set(ENV{MNLAB_DATA} ${pc_data})
run_or_fail("the example" ${PREFIX}/run_course ${PROTOCOL})
set(lib_summary "${out}")
string(JSON schema GET "${lib_summary}" schema)
string(JSON per_cm2 GET "${lib_summary}" punctures per_cm2)
if(NOT schema STREQUAL "mnlab.summary/1" OR NOT per_cm2 GREATER 0)
  message(FATAL_ERROR "the example printed no summary:\n${lib_summary}")
endif()
if(NOT lib_summary STREQUAL tool_summary)
  message(FATAL_ERROR "the example and mnlab disagree:\n${lib_summary}\n---\n${tool_summary}")
endif()
file(REMOVE_RECURSE ${PREFIX})
