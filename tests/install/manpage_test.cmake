# The man page renders without a single warning (groff -ww enables them all),
# and documents every subcommand, exit status and environment variable.
#
#   cmake -DGROFF=... -DPAGE=docs/mnlab.1 -P manpage_test.cmake
execute_process(COMMAND ${GROFF} -man -ww -z ${PAGE} RESULT_VARIABLE rc ERROR_VARIABLE warnings)
if(NOT rc EQUAL 0 OR NOT warnings STREQUAL "")
  message(FATAL_ERROR "groff -man -ww -z ${PAGE}: ${rc}\n${warnings}")
endif()
# Plain text, no hyphenation, long lines: words are found as written.
execute_process(COMMAND ${GROFF} -man -Tascii -P-cbou -rHY=0 -rLL=300n ${PAGE}
  OUTPUT_VARIABLE text RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "groff could not render ${PAGE}")
endif()
string(REGEX REPLACE "[ \n]+" " " text "${text}")
foreach(word "mnlab run" "mnlab compare" "mnlab validate" "mnlab pen" "mnlab params"
    "mnlab protocols" "--json" "--quiet" "EXIT STATUS" "MNLAB_DATA" "OMP_NUM_THREADS"
    "OMP_WAIT_POLICY" "FILES" "EXAMPLES" "summary.json" "compare.html" "mnlab.pc"
    "--resume" "pkg-config --cflags --libs mnlab")
  string(FIND "${text}" "${word}" at)
  if(at LESS 0)
    message(FATAL_ERROR "${PAGE} does not mention '${word}'")
  endif()
endforeach()
