# The report tests beyond the cmocka suite (included from tests/CMakeLists.txt).
#
# PLplot keeps its loaded drivers and cairo's font stack its caches until the
# process exits: the sanitizer runs of the report tests leave those out of
# the leak check (lsan.supp); the report code's own allocations are checked.
file(GLOB report_tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/test_*.c)
foreach(t IN LISTS report_tests)
  get_filename_component(base ${t} NAME_WE)
  string(REGEX REPLACE "^test_" "report_" name ${base})
  set_tests_properties(${name}_asan PROPERTIES ENVIRONMENT "${MN_ASAN_THIRD_PARTY_ENV}")
endforeach()

# The report in headless Chromium: every image loads, a screenshot is taken.
# Skipped (return code 77) when chromium is not installed.
add_test(NAME report_browser
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/browser_check.sh $<TARGET_FILE:mnlab>
          ${CMAKE_CURRENT_LIST_DIR}/tiny.yaml)
set_tests_properties(report_browser PROPERTIES SKIP_RETURN_CODE 77 LABELS report)
