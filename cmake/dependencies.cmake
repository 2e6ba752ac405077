# What the core links, in PARETO_DEPENDENCIES. Normally the system's libraries; with
# PARETO_STATIC_DEPS (the wheel and the npm prebuilt) every one is linked in, so that the module
# needs nothing beyond glibc: zlib, yaml-cpp and libzip built from their Debian source packages
# (Debian's libz.a and libyaml-cpp.a are not position-independent, and there is no libzip.a),
# fmt header-only, and libssl-dev's static libcrypto. valijson's headers come from its Debian
# package in either case (cmake/sources.cmake).
include("${CMAKE_CURRENT_LIST_DIR}/sources.cmake")
find_package(nlohmann_json 3.11 REQUIRED)
find_package(fmt 9 REQUIRED)
find_package(CLI11 2 REQUIRED)
pareto_add_source(valijson UNPACK_ONLY)  # header-only
set(VALIJSON_INCLUDE_DIR "${valijson_SOURCE_DIR}/usr/include")

if(NOT PARETO_STATIC_DEPS)
  find_package(yaml-cpp 0.7 REQUIRED)
  # libzip through pkg-config: Debian's CMake package for it also wants the zipcmp tools installed.
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET GLOBAL libzip>=1.7)
  find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)  # SHA-256 of the code archives, JWT signatures
  set(PARETO_DEPENDENCIES nlohmann_json::nlohmann_json fmt::fmt yaml-cpp PkgConfig::LIBZIP OpenSSL::Crypto)
  set(PARETO_MODULE_LINK_OPTIONS "")
  return()
endif()

if(PARETO_INSTALL)
  message(FATAL_ERROR "PARETO_STATIC_DEPS builds the language modules only; turn PARETO_INSTALL off")
endif()

set(OPENSSL_USE_STATIC_LIBS TRUE)
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
set(CMAKE_POLICY_DEFAULT_CMP0077 NEW)  # their option()s take the values set here
set(BUILD_SHARED_LIBS OFF)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
set(YAML_CPP_BUILD_TOOLS OFF)
set(YAML_CPP_BUILD_CONTRIB OFF)
set(YAML_CPP_BUILD_TESTS OFF)
set(YAML_CPP_INSTALL OFF)
foreach(option ENABLE_COMMONCRYPTO ENABLE_GNUTLS ENABLE_MBEDTLS ENABLE_OPENSSL ENABLE_WINDOWS_CRYPTO
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

set(PARETO_DEPENDENCIES nlohmann_json::nlohmann_json fmt::fmt-header-only yaml-cpp libzip::zip OpenSSL::Crypto)
# The C++ runtime linked in too, and nothing that is linked in exported from the module.
set(PARETO_MODULE_LINK_OPTIONS -static-libstdc++ -static-libgcc "LINKER:--exclude-libs,ALL")
