# The dependencies built from source for PARETO_STATIC_DEPS, from Debian's source packages
# (the upstream tarballs, byte for byte), each pinned by its SHA-256. A tarball in third_party/
# (where scripts/package.sh puts them for the sdist and the npm tarball) is used instead of the
# download. As a script, it downloads them there:
#   cmake -P cmake/sources.cmake
set(PARETO_SOURCES
  "zlib|z/zlib|zlib_1.2.13.dfsg.orig.tar.bz2|71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1"
  "yaml-cpp|y/yaml-cpp|yaml-cpp_0.7.0+dfsg.orig.tar.xz|dc63708605404e0b963e0ca3a9619d1c8270eda2839603e6fa0384e5e51e5312"
  "libzip|libz/libzip|libzip_1.7.3.orig.tar.xz|a60473ffdb7b4260c08bfa19c2ccea0438edac11193c3afbbb1f17fbcf6c6132")
set(PARETO_SOURCES_DIR "${CMAKE_CURRENT_LIST_DIR}/../third_party")
set(PARETO_SOURCES_MIRROR "https://deb.debian.org/debian/pool/main")

macro(pareto_source_fields entry)
  string(REPLACE "|" ";" fields "${entry}")
  list(GET fields 0 name)
  list(GET fields 1 pool)
  list(GET fields 2 file)
  list(GET fields 3 sha256)
endmacro()

# Unpacks the named source and adds its CMake project to the build (only the targets linked are
# built), or with UNPACK_ONLY just unpacks it; either way sets <name>_SOURCE_DIR.
function(pareto_add_source wanted)
  cmake_parse_arguments(PARSE_ARGV 1 arg "UNPACK_ONLY" "" "")
  foreach(entry IN LISTS PARETO_SOURCES)
    pareto_source_fields("${entry}")
    if(NOT name STREQUAL wanted)
      continue()
    endif()
    set(url "${PARETO_SOURCES_MIRROR}/${pool}/${file}")
    if(EXISTS "${PARETO_SOURCES_DIR}/${file}")
      set(url "${PARETO_SOURCES_DIR}/${file}")
    endif()
    FetchContent_Declare(${name} URL "${url}" URL_HASH SHA256=${sha256} DOWNLOAD_EXTRACT_TIMESTAMP ON)
    FetchContent_GetProperties(${name})
    if(NOT ${name}_POPULATED)
      FetchContent_Populate(${name})
      if(NOT arg_UNPACK_ONLY)
        add_subdirectory("${${name}_SOURCE_DIR}" "${${name}_BINARY_DIR}" EXCLUDE_FROM_ALL)
      endif()
    endif()
    set(${name}_SOURCE_DIR "${${name}_SOURCE_DIR}" PARENT_SCOPE)
    set(${name}_BINARY_DIR "${${name}_BINARY_DIR}" PARENT_SCOPE)
    return()
  endforeach()
  message(FATAL_ERROR "no source named ${wanted}")
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  foreach(entry IN LISTS PARETO_SOURCES)
    pareto_source_fields("${entry}")
    if(NOT EXISTS "${PARETO_SOURCES_DIR}/${file}")
      file(DOWNLOAD "${PARETO_SOURCES_MIRROR}/${pool}/${file}" "${PARETO_SOURCES_DIR}/${file}"
           EXPECTED_HASH SHA256=${sha256} STATUS status)
      list(GET status 0 code)
      if(NOT code EQUAL 0)
        message(FATAL_ERROR "${file}: ${status}")
      endif()
    endif()
    message(STATUS "${PARETO_SOURCES_DIR}/${file}")
  endforeach()
endif()
