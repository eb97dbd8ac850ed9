# Precompiled headers: one for the product, one for the tests, each compiled once and reused
# by every target that links the wire contract (triage_proto) and spdlog.
#
# Why: most translation units include the generated snapshot.pb.h (about 1 MB of C++) and the
# test files Catch2's single header; parsing them again was about half of a typical file's
# compile time (4.1 s -> 1.8 s for a findings rule; docs/PERFORMANCE.md). Only standard
# and third-party headers are precompiled, never ours: a change to a header of the product
# recompiles what includes it, not everything. GCC checks that a precompiled header was made
# with the same settings (-Winvalid-pch); when it was not (a -fPIC target), the file is parsed
# as text. That is why a target needs spdlog's definitions to get the header (see below).
#
# Sources that configure a header before including it (CATCH_CONFIG_*) opt out with the source
# property SKIP_PRECOMPILE_HEADERS.

set(TRIAGE_PRODUCT_PRECOMPILED_HEADERS
  <algorithm> <array> <atomic> <chrono> <cstddef> <cstdint> <filesystem> <fstream>
  <functional> <map> <memory> <mutex> <optional> <set> <sstream> <stdexcept> <string>
  <string_view> <thread> <utility> <vector>
  <nlohmann/json.hpp> <tl/expected.hpp>
  [["triage/v1/envelope.pb.h"]] [["triage/v1/order.pb.h"]] [["triage/v1/probe.pb.h"]]
  [["triage/v1/snapshot.pb.h"]])
# On Windows spdlog brings <windows.h>, whose macros (near, far, ERROR, ...) must not reach files
# that never asked for them.
if(NOT WIN32)
  list(APPEND TRIAGE_PRODUCT_PRECOMPILED_HEADERS <spdlog/spdlog.h>)
endif()

option(TRIAGE_PRECOMPILED_HEADERS "Compile the common headers once per build" ON)

# The link closure of a target, by name (generator expressions and plain flags are skipped:
# the product's own dependencies are all named targets).
function(_triage_link_closure target out_var)
  set(seen "")
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue current)
    if(NOT TARGET ${current} OR current IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${current})
    get_target_property(type ${current} TYPE)
    set(deps "")
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(direct ${current} LINK_LIBRARIES)
      if(direct)
        list(APPEND deps ${direct})
      endif()
    endif()
    get_target_property(interface ${current} INTERFACE_LINK_LIBRARIES)
    if(interface)
      list(APPEND deps ${interface})
    endif()
    foreach(dep ${deps})
      if(NOT dep MATCHES "^\\$<" AND NOT dep MATCHES "^-")
        list(APPEND queue ${dep})
      endif()
    endforeach()
  endwhile()
  set(${out_var} ${seen} PARENT_SCOPE)
endfunction()

function(_triage_targets_in dir out_var)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir ${subdirs})
    _triage_targets_in(${subdir} sub_targets)
    list(APPEND targets ${sub_targets})
  endforeach()
  set(${out_var} ${targets} PARENT_SCOPE)
endfunction()

# Called once every target exists: at the end of each of the top-level CMakeLists.txt's three
# builds (host, Windows cross-build, fuzzers).
function(triage_use_precompiled_headers)
  if(NOT TRIAGE_PRECOMPILED_HEADERS)
    return()
  endif()
  set(stub ${PROJECT_BINARY_DIR}/precompiled_headers_stub.cpp)
  file(CONFIGURE OUTPUT ${stub} CONTENT "// The precompiled headers' own translation unit.\n")

  add_library(triage_precompiled_product STATIC ${stub})
  target_link_libraries(triage_precompiled_product PRIVATE
    triage_proto nlohmann_json::nlohmann_json spdlog::spdlog tl::expected)
  target_precompile_headers(triage_precompiled_product PRIVATE
    ${TRIAGE_PRODUCT_PRECOMPILED_HEADERS})

  set(with_tests FALSE)
  if(TARGET Catch2::Catch2)
    set(with_tests TRUE)
    add_library(triage_precompiled_tests STATIC ${stub})
    target_link_libraries(triage_precompiled_tests PRIVATE
      triage_proto nlohmann_json::nlohmann_json spdlog::spdlog tl::expected Catch2::Catch2)
    target_precompile_headers(triage_precompiled_tests PRIVATE
      ${TRIAGE_PRODUCT_PRECOMPILED_HEADERS} <catch2/catch.hpp>)
  endif()

  _triage_targets_in(${PROJECT_SOURCE_DIR} targets)
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(STATIC_LIBRARY|EXECUTABLE)$"
       OR target MATCHES "^(triage_proto|triage_precompiled_.*|triage_catch_main)$")
      continue()
    endif()
    # spdlog's definitions (compiled library, external fmt) are part of the precompiled
    # header: a target without them would parse it as text and then miss fmt at link time.
    _triage_link_closure(${target} closure)
    if(NOT "triage_proto" IN_LIST closure OR NOT "spdlog::spdlog" IN_LIST closure)
      continue()
    endif()
    if(with_tests AND "Catch2::Catch2" IN_LIST closure)
      target_precompile_headers(${target} REUSE_FROM triage_precompiled_tests)
    else()
      target_precompile_headers(${target} REUSE_FROM triage_precompiled_product)
    endif()
    # GCC 12 forgets, for headers read from a precompiled header, that they are system
    # headers when it warns after inlining: std::string's own memcpy then shows its known
    # false -Warray-bounds (GCC PR 105651) in about forty of our files. Only that warning.
    target_compile_options(${target} PRIVATE $<$<CXX_COMPILER_ID:GNU>:-Wno-array-bounds>)
  endforeach()
endfunction()
