# Cross-compiling for 64-bit Windows with Debian's MinGW-w64 (g++-mingw-w64-x86-64-posix).
# The -posix compilers use the POSIX thread model, which std::thread and std::mutex need.
# Used by `make windows` (the agent) and by installers/windows/build-deps.sh (its libraries).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(TRIAGE_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${TRIAGE_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${TRIAGE_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${TRIAGE_MINGW_TRIPLE}-windres)

# Libraries and headers come from the MinGW sysroot and the cached Windows libraries
# (TRIAGE_WINDOWS_DEPS_PREFIX, appended by the project); programs (protoc) from the host.
list(APPEND CMAKE_FIND_ROOT_PATH /usr/${TRIAGE_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
