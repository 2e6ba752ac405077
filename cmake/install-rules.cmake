# cmake --install: the libraries, the public headers, the pareto command, and a package config
# so that C and C++ tools use find_package(pareto) and link pareto::pareto.
include(CMakePackageConfigHelpers)

set(PARETO_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/pareto")
install(TARGETS pareto pareto_static EXPORT pareto-targets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/libpareto/include/pareto"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT pareto-targets NAMESPACE pareto:: DESTINATION "${PARETO_CMAKE_DIR}")
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/pareto-config.cmake.in"
  "${PROJECT_BINARY_DIR}/pareto-config.cmake" INSTALL_DESTINATION "${PARETO_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/pareto-config-version.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/pareto-config.cmake"
              "${PROJECT_BINARY_DIR}/pareto-config-version.cmake"
        DESTINATION "${PARETO_CMAKE_DIR}")
