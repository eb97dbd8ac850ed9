# The Windows agent's dependencies (make windows; cmake/toolchains/mingw-w64-x86_64.cmake), as
# targets with the names the Linux build gets from find_package, so shared/ and agent/ link the
# same way on both:
# - OpenSSL, the Protobuf runtime, SQLite, RE2, zlib and libarchive: static MinGW builds of
#   Debian's source packages, made and cached by installers/windows/build-deps.sh (versions in
#   deps.versions);
# - Boost.Asio/Beast, spdlog + fmt, nlohmann-json, CLI11, toml++, tl::expected: header-only,
#   from the host's Debian packages. Only those directories are exposed (through links in the
#   build tree), never /usr/include itself, whose glibc headers must not reach a Windows build;
# - protoc: the host's, the same 3.21 as the runtime.
# Everything is linked statically: triage-agent.exe needs no DLL beside it.

set(TRIAGE_WINDOWS_DEPS_VERSIONS ${PROJECT_SOURCE_DIR}/installers/windows/deps.versions)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${TRIAGE_WINDOWS_DEPS_VERSIONS})
if(NOT TRIAGE_WINDOWS_DEPS_PREFIX)
  # Instant once the pinned versions are built (it only looks the cache entry up).
  execute_process(
    COMMAND ${PROJECT_SOURCE_DIR}/installers/windows/build-deps.sh
    OUTPUT_VARIABLE _triage_deps_prefix
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _triage_deps_result)
  if(NOT _triage_deps_result EQUAL 0)
    message(FATAL_ERROR "installers/windows/build-deps.sh failed (see its messages above)")
  endif()
  set(TRIAGE_WINDOWS_DEPS_PREFIX ${_triage_deps_prefix})
endif()
message(STATUS "Windows libraries: ${TRIAGE_WINDOWS_DEPS_PREFIX}")
list(APPEND CMAKE_FIND_ROOT_PATH ${TRIAGE_WINDOWS_DEPS_PREFIX})

# Windows 10 and later; no min/max macros from windows.h.
add_compile_definitions(_WIN32_WINNT=0x0A00 WINVER=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)
# Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>; MinGW's
# libstdc++ does not bring it in on the way.
add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:SHELL:-include utility>")
add_link_options(-static)

find_package(Threads REQUIRED)

# Header-only libraries of the host.
set(_triage_host_headers ${CMAKE_BINARY_DIR}/host-headers)
file(MAKE_DIRECTORY ${_triage_host_headers})
foreach(dir boost spdlog fmt nlohmann CLI tl toml++ catch2)
  if(NOT EXISTS /usr/include/${dir})
    message(FATAL_ERROR "/usr/include/${dir} is missing (run installers/dev/install-deps.sh)")
  endif()
  file(CREATE_LINK /usr/include/${dir} ${_triage_host_headers}/${dir} SYMBOLIC)
endforeach()
function(triage_header_only target)
  add_library(${target} INTERFACE IMPORTED GLOBAL)
  target_include_directories(${target} SYSTEM INTERFACE ${_triage_host_headers})
endfunction()
triage_header_only(Boost::headers)
triage_header_only(nlohmann_json::nlohmann_json)
triage_header_only(CLI11::CLI11)
triage_header_only(tl::expected)
triage_header_only(PkgConfig::TOMLPP)
# Catch2 2.x, one header: the platform layer's tests (tests/windows).
triage_header_only(Catch2::Catch2)
# spdlog without its compiled library (SPDLOG_COMPILED_LIB unset), over header-only fmt.
triage_header_only(spdlog::spdlog)
target_compile_definitions(spdlog::spdlog INTERFACE FMT_HEADER_ONLY)

# Static libraries from the cache.
function(triage_cached_library target file)
  if(NOT EXISTS ${TRIAGE_WINDOWS_DEPS_PREFIX}/lib/${file})
    message(FATAL_ERROR "${TRIAGE_WINDOWS_DEPS_PREFIX}/lib/${file} is missing")
  endif()
  add_library(${target} STATIC IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION ${TRIAGE_WINDOWS_DEPS_PREFIX}/lib/${file}
    INTERFACE_INCLUDE_DIRECTORIES ${TRIAGE_WINDOWS_DEPS_PREFIX}/include
    INTERFACE_LINK_LIBRARIES "${ARGN}")
endfunction()
# OpenSSL's own list for mingw64 (EX_LIBS), plus the CNG random source.
triage_cached_library(OpenSSL::Crypto libcrypto.a ws2_32;gdi32;crypt32;bcrypt)
triage_cached_library(OpenSSL::SSL libssl.a OpenSSL::Crypto)
triage_cached_library(SQLite::SQLite3 libsqlite3.a Threads::Threads)
triage_cached_library(PkgConfig::RE2 libre2.a Threads::Threads)
triage_cached_library(ZLIB::ZLIB libz.a)
triage_cached_library(PkgConfig::LIBARCHIVE libarchive.a ZLIB::ZLIB)
# Without it archive.h declares every function __declspec(dllimport), for libarchive's DLL.
set_property(TARGET PkgConfig::LIBARCHIVE APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS
  LIBARCHIVE_STATIC)

# FindProtobuf gives protobuf_generate() and protobuf::libprotobuf, told where things are.
set(Protobuf_INCLUDE_DIR ${TRIAGE_WINDOWS_DEPS_PREFIX}/include CACHE PATH "")
set(Protobuf_LIBRARY ${TRIAGE_WINDOWS_DEPS_PREFIX}/lib/libprotobuf.a CACHE FILEPATH "")
find_program(Protobuf_PROTOC_EXECUTABLE protoc REQUIRED)
find_package(Protobuf 3.21 REQUIRED)
set_property(TARGET protobuf::libprotobuf APPEND PROPERTY INTERFACE_LINK_LIBRARIES
  Threads::Threads)
