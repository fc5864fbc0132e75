# Build helpers shared by every folder of the host build.
#
# Each library and test is built twice: once plainly (optimised, what `mnlab`
# links) and once with AddressSanitizer + UndefinedBehaviorSanitizer (suffix
# `_asan`). Both test variants join the one CTest run, so `make test` checks
# every unit under the sanitizers without a second build tree. The mnlab
# command is built both ways too (src/cli: mnlab and mnlab_asan), and the
# _asan variant of a test that runs the command runs mnlab_asan.
#
#   mn_library(NAME SOURCES ... [MN_LIBS ...] [SYS_LIBS ...] [INCLUDES ...])
#   mn_test(NAME SOURCES ... [MN_LIBS ...] [SYS_LIBS ...] [ARGS ...] [LABELS ...]
#           [NO_ASAN])
#
# MN_LIBS are project libraries (the matching variant is linked), SYS_LIBS
# are system libraries linked as they are.

set(MN_VARIANTS "" "_asan")
set(MN_SANITIZE_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=all)

function(mn_apply_variant target variant)
  if(variant STREQUAL "_asan")
    target_compile_options(${target} PRIVATE ${MN_SANITIZE_FLAGS} -O1 -g)
    target_link_options(${target} PRIVATE ${MN_SANITIZE_FLAGS})
  endif()
endfunction()

function(mn_library name)
  cmake_parse_arguments(A "" "" "SOURCES;MN_LIBS;SYS_LIBS;INCLUDES" ${ARGN})
  foreach(v IN LISTS MN_VARIANTS)
    add_library(${name}${v} STATIC ${A_SOURCES})
    mn_apply_variant(${name}${v} "${v}")
    target_include_directories(${name}${v} PUBLIC ${A_INCLUDES})
    foreach(l IN LISTS A_MN_LIBS)
      target_link_libraries(${name}${v} PUBLIC ${l}${v})
    endforeach()
    target_link_libraries(${name}${v} PUBLIC ${A_SYS_LIBS})
  endforeach()
endfunction()

function(mn_test name)
  cmake_parse_arguments(A "NO_ASAN" "" "SOURCES;MN_LIBS;SYS_LIBS;ARGS;LABELS" ${ARGN})
  set(variants "${MN_VARIANTS}")
  if(A_NO_ASAN)
    set(variants "")
  endif()
  foreach(v IN LISTS variants)
    add_executable(${name}${v} ${A_SOURCES})
    mn_apply_variant(${name}${v} "${v}")
    foreach(l IN LISTS A_MN_LIBS)
      target_link_libraries(${name}${v} PRIVATE ${l}${v})
    endforeach()
    target_link_libraries(${name}${v} PRIVATE ${A_SYS_LIBS} ${CMOCKA_LIBRARIES})
    target_include_directories(${name}${v} PRIVATE ${CMOCKA_INCLUDE_DIRS})
    add_test(NAME ${name}${v} COMMAND ${name}${v} ${A_ARGS})
    set(labels ${A_LABELS})
    if(v STREQUAL "_asan")
      list(APPEND labels asan)
    endif()
    if(labels)
      set_tests_properties(${name}${v} PROPERTIES LABELS "${labels}")
    endif()
  endforeach()
endfunction()
