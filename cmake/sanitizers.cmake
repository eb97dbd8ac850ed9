# TRIAGE_SANITIZE builds the whole tree (product, tests, benchmarks) with a sanitizer, in a
# build directory of its own: `make sanitize` (address: ASan + UBSan) and `make tsan` (thread).
# Suppressions for third-party code live in tests/sanitizers/.
set(TRIAGE_SANITIZE "" CACHE STRING "Build with sanitizers: empty, address (ASan+UBSan) or thread")
set_property(CACHE TRIAGE_SANITIZE PROPERTY STRINGS "" address thread)

if(TRIAGE_SANITIZE STREQUAL "address")
  # Undefined behaviour stops the process (no recovery), so a test cannot pass over it.
  set(_triage_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
elseif(TRIAGE_SANITIZE STREQUAL "thread")
  set(_triage_sanitize_flags -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT TRIAGE_SANITIZE STREQUAL "")
  message(FATAL_ERROR "TRIAGE_SANITIZE=${TRIAGE_SANITIZE}: expected address or thread")
endif()

if(_triage_sanitize_flags)
  add_compile_options(${_triage_sanitize_flags})
  add_link_options(${_triage_sanitize_flags})
endif()
