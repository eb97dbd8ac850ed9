# triage_folder_library(NAME FOLDERS dir... [SOURCES file...] [PUBLIC dep...] [PRIVATE dep...])
#
# One static library per folder of the product (docs/dependencies.txt gives the direction).
# It is built from the .cpp files directly in each of FOLDERS (relative to the current source
# directory; not their subfolders, which name themselves: a platform's files are passed as
# SOURCES, a backend subfolder such as storage/sqlite/ is a FOLDER of its own) and SOURCES;
# `main.cpp` files belong to executables. Link dependencies follow the arrows of
# docs/dependencies.txt: PUBLIC where the folder's headers include the other library's
# headers, PRIVATE where only its .cpp files do.
function(triage_folder_library name)
  cmake_parse_arguments(ARG "" "" "FOLDERS;SOURCES;PUBLIC;PRIVATE" ${ARGN})
  set(sources ${ARG_SOURCES})
  foreach(folder ${ARG_FOLDERS})
    file(GLOB folder_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${folder}/*.cpp)
    list(APPEND sources ${folder_sources})
  endforeach()
  list(FILTER sources EXCLUDE REGEX ".*/main\\.cpp$")
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE})
endfunction()
