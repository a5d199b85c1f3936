# Preprocesses `#include "<HEADER>"` with the include path a core library compiles with, and
# checks that it is found (EXPECT=visible) or not (EXPECT=hidden). Run by CTest (tests/CMakeLists.txt)
# to show that the layers of core/CMakeLists.txt hold: a lower layer cannot see a higher one.
#   cmake -DCXX=... -DINCLUDES="dir1|dir2" -DHEADER=detect/detector.h -DEXPECT=visible -P checkinclude.cmake
string(REPLACE "|" ";" dirs "${INCLUDES}")
set(flags)
foreach(dir ${dirs})
  list(APPEND flags "-I${dir}")
endforeach()
string(MAKE_C_IDENTIFIER "${HEADER}" tag)
set(source "${WORK_DIR}/checkinclude-${LIBRARY}-${tag}.cpp")
file(WRITE "${source}" "#include \"${HEADER}\"\n")
execute_process(COMMAND "${CXX}" -std=c++17 -E ${flags} "${source}" -o /dev/null
  RESULT_VARIABLE result ERROR_VARIABLE errors)
if(EXPECT STREQUAL "visible" AND NOT result EQUAL 0)
  message(FATAL_ERROR "${LIBRARY} should see ${HEADER} but does not:\n${errors}")
elseif(EXPECT STREQUAL "hidden" AND result EQUAL 0)
  message(FATAL_ERROR "${LIBRARY} sees ${HEADER}, a header of a higher layer: the layers leak")
elseif(EXPECT STREQUAL "hidden" AND NOT errors MATCHES "No such file")
  message(FATAL_ERROR "${LIBRARY}: expected 'No such file' for ${HEADER}, got:\n${errors}")
endif()
message(STATUS "${LIBRARY}: ${HEADER} is ${EXPECT}, as the layers say")
