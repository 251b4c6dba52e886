# Runs CMD (a ;-list) and checks that its standard output equals the content of FILE (used to keep
# generated documentation such as docs/claims.md in step with the code). On a difference it says
# how to regenerate the file. Usage: cmake -DCMD=... -DFILE=... -DREGENERATE=... -P same_output.cmake
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "command failed with status ${rc}")
endif()
file(READ "${FILE}" expected)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "${FILE} is stale; regenerate it with: ${REGENERATE}")
endif()
