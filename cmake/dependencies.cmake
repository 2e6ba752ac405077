# What the core links, in PARETO_DEPENDENCIES. Normally the system's libraries; with
# PARETO_STATIC_DEPS (the sdist, the wheel and the npm package) every one comes from its pinned
# Debian source (cmake/sources.cmake) and is linked in, so that the build needs only a compiler
# and CMake, and the module nothing beyond glibc: zlib, yaml-cpp, libzip, fmt and Mbed TLS built
# from their upstream tarballs (Debian's libz.a and libyaml-cpp.a are not position-independent,
# and there is no libzip.a), nlohmann/json and CLI11 from their header-only packages. valijson's
# headers come from its Debian package in either case.
include("${CMAKE_CURRENT_LIST_DIR}/sources.cmake")
pareto_add_source(valijson UNPACK_ONLY)  # header-only
set(VALIJSON_INCLUDE_DIR "${valijson_SOURCE_DIR}/usr/include")

if(NOT PARETO_STATIC_DEPS)
  find_package(nlohmann_json 3.11 REQUIRED)
  find_package(fmt 9 REQUIRED)
  find_package(CLI11 2 REQUIRED)
  find_package(yaml-cpp 0.7 REQUIRED)
  # libzip through pkg-config: Debian's CMake package for it also wants the zipcmp tools installed.
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET GLOBAL libzip>=1.7)
  # SHA-256 of the code archives, JWT signatures. Mbed TLS 2.28 installs no CMake package.
  find_path(MBEDTLS_INCLUDE_DIR mbedtls/rsa.h REQUIRED)
  find_library(MBEDCRYPTO_LIBRARY mbedcrypto REQUIRED)
  add_library(mbedcrypto UNKNOWN IMPORTED)
  set_target_properties(mbedcrypto PROPERTIES IMPORTED_LOCATION "${MBEDCRYPTO_LIBRARY}"
                                              INTERFACE_INCLUDE_DIRECTORIES "${MBEDTLS_INCLUDE_DIR}")
  set(PARETO_DEPENDENCIES nlohmann_json::nlohmann_json fmt::fmt yaml-cpp PkgConfig::LIBZIP mbedcrypto)
  set(PARETO_MODULE_LINK_OPTIONS "")
  return()
endif()

if(PARETO_INSTALL)
  message(FATAL_ERROR "PARETO_STATIC_DEPS builds the language modules only; turn PARETO_INSTALL off")
endif()

# The header-only packages found by their own CMake files, which name paths relative to them.
foreach(package nlohmann_json CLI11)
  pareto_add_source(${package} UNPACK_ONLY)
  find_package(${package} REQUIRED CONFIG PATHS "${${package}_SOURCE_DIR}/usr/share/cmake" NO_DEFAULT_PATH)
endforeach()
set(CMAKE_POLICY_DEFAULT_CMP0077 NEW)  # their option()s take the values set here
set(BUILD_SHARED_LIBS OFF)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
set(YAML_CPP_BUILD_TOOLS OFF)
set(YAML_CPP_BUILD_CONTRIB OFF)
set(YAML_CPP_BUILD_TESTS OFF)
set(YAML_CPP_INSTALL OFF)
set(MBEDTLS_FATAL_WARNINGS OFF)  # its warnings are not ours to fail on
foreach(option ENABLE_PROGRAMS ENABLE_TESTING ENABLE_COMMONCRYPTO ENABLE_GNUTLS ENABLE_MBEDTLS ENABLE_OPENSSL ENABLE_WINDOWS_CRYPTO
               ENABLE_BZIP2 ENABLE_LZMA BUILD_TOOLS BUILD_REGRESS BUILD_EXAMPLES BUILD_DOC LIBZIP_DO_INSTALL)
  set(${option} OFF)
endforeach()
# zlib's own CMake project wants Windows resources that Debian's source leaves out, and its
# library is these files alone; libzip's find_package(ZLIB) finds it.
pareto_add_source(zlib UNPACK_ONLY)
add_library(pareto_zlib STATIC)
foreach(file adler32 compress crc32 deflate gzclose gzlib gzread gzwrite inflate infback inftrees
             inffast trees uncompr zutil)
  target_sources(pareto_zlib PRIVATE "${zlib_SOURCE_DIR}/${file}.c")
endforeach()
target_include_directories(pareto_zlib PUBLIC "${zlib_SOURCE_DIR}")
target_compile_definitions(pareto_zlib PRIVATE HAVE_UNISTD_H HAVE_STDARG_H)
add_library(ZLIB::ZLIB INTERFACE IMPORTED)  # imported: libzip's export() of itself accepts it
target_link_libraries(ZLIB::ZLIB INTERFACE pareto_zlib)
set(ZLIB_INCLUDE_DIR "${zlib_SOURCE_DIR}")
set(ZLIB_LIBRARY ZLIB::ZLIB)
pareto_add_source(yaml-cpp)
pareto_add_source(libzip)
pareto_add_source(fmt)
pareto_add_source(mbedtls)

set(PARETO_DEPENDENCIES nlohmann_json::nlohmann_json fmt::fmt-header-only yaml-cpp libzip::zip mbedcrypto)
# The C++ runtime linked in too, and nothing that is linked in exported from the module.
set(PARETO_MODULE_LINK_OPTIONS -static-libstdc++ -static-libgcc "LINKER:--exclude-libs,ALL")
