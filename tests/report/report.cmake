# The report tests beyond the cmocka suite (included from tests/CMakeLists.txt).
#
# PLplot keeps its loaded drivers and cairo's font stack its caches until the
# process exits: the sanitizer runs of the report tests leave those out of
# the leak check (lsan.supp); the report code's own allocations are checked.
file(GLOB report_tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/test_*.c)
foreach(t IN LISTS report_tests)
  get_filename_component(base ${t} NAME_WE)
  string(REGEX REPLACE "^test_" "report_" name ${base})
  set_tests_properties(${name}_asan PROPERTIES ENVIRONMENT
    "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp")
endforeach()
