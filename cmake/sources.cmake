# Dependencies taken from Debian's archive, each pinned by its SHA-256: for PARETO_STATIC_DEPS,
# the upstream tarballs of Debian's source packages (byte for byte upstream's) and the binary
# packages of the header-only ones; and valijson's headers, from its binary package (whose
# Debian package would pull in Qt 5, Poco and MariaDB for the library's examples). A file in
# third_party/ (where scripts/package.sh puts them for the sdist and the npm tarball) is used
# instead of the download. As a script, it downloads them there:
#   cmake -P cmake/sources.cmake
set(PARETO_SOURCES
  "valijson|v/valijson|libvalijson-dev_1.0+repack-2_all.deb|36974bd3ff53c05c2c686ecfa094ee437ff3f520e9ab67e552f1a56f19897643"
  "zlib|z/zlib|zlib_1.2.13.dfsg.orig.tar.bz2|71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1"
  "yaml-cpp|y/yaml-cpp|yaml-cpp_0.7.0+dfsg.orig.tar.xz|dc63708605404e0b963e0ca3a9619d1c8270eda2839603e6fa0384e5e51e5312"
  "libzip|libz/libzip|libzip_1.7.3.orig.tar.xz|a60473ffdb7b4260c08bfa19c2ccea0438edac11193c3afbbb1f17fbcf6c6132"
  "fmt|f/fmtlib|fmtlib_9.1.0+ds1.orig.tar.gz|84ce1c2d0be3a9863935137969dcec6970125caac032f82474640bfc81463583"
  "mbedtls|m/mbedtls|mbedtls_2.28.3.orig.tar.gz|3b4953aa55a681e084d31892d9904cc5328d6b4958ea57b90ae4b4f94ae69a8d"
  "nlohmann_json|n/nlohmann-json3|nlohmann-json3-dev_3.11.2-2_all.deb|ec57940def6b6186c30be0e0ee81d1e58f86d11a54a145b28686a1e3e4aae801"
  "CLI11|c/cli11|libcli11-dev_2.1.2+ds-1_all.deb|f1f6ee9ec053e0e0bcec47345e241b6a8ee006321248b4329e9ce88d2b4b64a8")
set(PARETO_SOURCES_DIR "${CMAKE_CURRENT_LIST_DIR}/../third_party")
set(PARETO_SOURCES_MIRROR "https://deb.debian.org/debian/pool/main")

# The named file, downloaded into `folder` unless third_party/ has it; its path in `out`.
function(pareto_source_file wanted folder out)
  foreach(entry IN LISTS PARETO_SOURCES)
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 0 name)
    if(NOT name STREQUAL wanted)
      continue()
    endif()
    list(GET fields 1 pool)
    list(GET fields 2 file)
    list(GET fields 3 sha256)
    set(path "${PARETO_SOURCES_DIR}/${file}")
    if(NOT EXISTS "${path}")
      set(path "${folder}/${file}")
    endif()
    if(EXISTS "${path}")
      file(SHA256 "${path}" found)
    endif()
    if(NOT found STREQUAL sha256)
      string(REPLACE "+" "%2B" escaped "${file}")
      file(DOWNLOAD "${PARETO_SOURCES_MIRROR}/${pool}/${escaped}" "${path}"
           EXPECTED_HASH SHA256=${sha256} STATUS status)
      list(GET status 0 code)
      if(NOT code EQUAL 0)
        message(FATAL_ERROR "${file}: ${status}")
      endif()
    endif()
    set(${out} "${path}" PARENT_SCOPE)
    return()
  endforeach()
  message(FATAL_ERROR "no source named ${wanted}")
endfunction()

# Unpacks the named source into <name>_SOURCE_DIR (a Debian package: its files) and, unless
# UNPACK_ONLY, adds its CMake project to the build, where only the targets linked are built.
function(pareto_add_source name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "UNPACK_ONLY" "" "")
  set(source "${CMAKE_BINARY_DIR}/_deps/${name}-src")
  set(binary "${CMAKE_BINARY_DIR}/_deps/${name}-build")
  pareto_source_file(${name} "${CMAKE_BINARY_DIR}/_deps" archive)
  if(NOT EXISTS "${source}/.unpacked" OR "${archive}" IS_NEWER_THAN "${source}/.unpacked")
    file(REMOVE_RECURSE "${source}")
    file(ARCHIVE_EXTRACT INPUT "${archive}" DESTINATION "${source}.unpacking")
    if(archive MATCHES "\\.deb$")
      file(GLOB data "${source}.unpacking/data.tar.*")
      file(ARCHIVE_EXTRACT INPUT "${data}" DESTINATION "${source}")
    else()  # a tarball's one top folder
      file(GLOB top "${source}.unpacking/*")
      file(RENAME "${top}" "${source}")
    endif()
    file(REMOVE_RECURSE "${source}.unpacking")
    file(TOUCH "${source}/.unpacked")
  endif()
  if(NOT arg_UNPACK_ONLY)
    add_subdirectory("${source}" "${binary}" EXCLUDE_FROM_ALL)
  endif()
  set(${name}_SOURCE_DIR "${source}" PARENT_SCOPE)
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  foreach(entry IN LISTS PARETO_SOURCES)
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 0 name)
    pareto_source_file(${name} "${PARETO_SOURCES_DIR}" path)
    message(STATUS "${path}")
  endforeach()
endif()
