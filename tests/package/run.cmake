# ctest: install the built project into a scratch prefix, build the consumer against it with
# find_package(pareto), and run both programs on the example app.
# -DBUILD_DIR=<pareto build> -DSOURCE_DIR=<pareto source> -DWORK_DIR=<scratch>
file(REMOVE_RECURSE "${WORK_DIR}")
foreach(step
    "${CMAKE_COMMAND};--install;${BUILD_DIR};--prefix;${WORK_DIR}/prefix"
    "${CMAKE_COMMAND};-S;${SOURCE_DIR}/tests/package;-B;${WORK_DIR}/build;-G;Ninja;-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix"
    "${CMAKE_COMMAND};--build;${WORK_DIR}/build"
    "${WORK_DIR}/build/consumer_c;${SOURCE_DIR}/examples/hello"
    "${WORK_DIR}/build/consumer_cpp;${SOURCE_DIR}/examples/hello")
  execute_process(COMMAND ${step} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${step}")
  endif()
endforeach()
