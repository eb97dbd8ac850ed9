# Read by CPack for each generator (CPACK_PROJECT_CONFIG_FILE, cmake/packaging.cmake): what
# differs between the .deb and the .rpm.
if(CPACK_GENERATOR STREQUAL "RPM")
  # The collector is packaged for Debian only; the agent for both.
  set(CPACK_COMPONENTS_ALL agent)
  set(ENV{TRIAGE_UNIT_DIR} /usr/lib/systemd/system)
else()
  set(ENV{TRIAGE_UNIT_DIR} /lib/systemd/system)
endif()
