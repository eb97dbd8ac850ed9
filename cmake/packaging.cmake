# Install rules and packages (`make packages`, the CMake target `packages`; never part of ALL):
# triage-collector and triage-agent as .deb, triage-agent also as .rpm, built by CPack from
# these install() rules. Maintainer scripts, units and sample configurations live in
# installers/linux/; docs/operations.md#packages says what each package holds and does.

set(TRIAGE_PACKAGE_MAINTAINER "triage maintainers <triage-maintainers@example.org>"
  CACHE STRING "Maintainer field of the .deb and .rpm packages")
set(TRIAGE_LINUX_INSTALLERS ${PROJECT_SOURCE_DIR}/installers/linux)
set(TRIAGE_PACKAGE_GENERATED ${PROJECT_BINARY_DIR}/packaging)

# Units where the deb puts them on Debian 12 (/lib is /usr/lib there, but dpkg and lintian
# still expect /lib); the RPM's go to /usr/lib (see the CPack project config below).
set(TRIAGE_DEB_UNIT_DIR /lib/systemd/system)
set(TRIAGE_RPM_UNIT_DIR /usr/lib/systemd/system)

# /usr/share/doc/<package>: copyright, changelog.gz and the operator's documentation.
string(TIMESTAMP TRIAGE_PACKAGE_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
foreach(package triage-collector triage-agent)
  set(doc_dir ${TRIAGE_PACKAGE_GENERATED}/${package})
  configure_file(${TRIAGE_LINUX_INSTALLERS}/copyright ${doc_dir}/copyright @ONLY)
  file(WRITE ${doc_dir}/changelog
    "${package} (${PROJECT_VERSION}) stable; urgency=medium\n\n"
    "  * Release ${PROJECT_VERSION} of triage.\n\n"
    " -- ${TRIAGE_PACKAGE_MAINTAINER}  ${TRIAGE_PACKAGE_DATE}\n")
  execute_process(COMMAND gzip -9nf ${doc_dir}/changelog RESULT_VARIABLE gzip_result)
  if(NOT gzip_result EQUAL 0)
    message(FATAL_ERROR "gzip of ${doc_dir}/changelog failed")
  endif()
endforeach()

# The collector: server, triagectl, its unit and configuration.
install(TARGETS triage-collector triagectl RUNTIME DESTINATION bin COMPONENT collector)
install(FILES ${TRIAGE_LINUX_INSTALLERS}/collector.toml DESTINATION /etc/triage
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ COMPONENT collector)
install(FILES ${TRIAGE_PACKAGE_GENERATED}/triage-collector/copyright
  ${TRIAGE_PACKAGE_GENERATED}/triage-collector/changelog.gz
  ${PROJECT_SOURCE_DIR}/docs/operations.md ${PROJECT_SOURCE_DIR}/docs/security.md
  ${PROJECT_SOURCE_DIR}/docs/actions.md ${PROJECT_SOURCE_DIR}/docs/integrations.md
  DESTINATION share/doc/triage-collector COMPONENT collector)

# The agent: daemon, its unit and configuration.
install(TARGETS triage-agent RUNTIME DESTINATION bin COMPONENT agent)
install(FILES ${TRIAGE_LINUX_INSTALLERS}/agent.toml DESTINATION /etc/triage COMPONENT agent)
install(FILES ${TRIAGE_PACKAGE_GENERATED}/triage-agent/copyright
  ${TRIAGE_PACKAGE_GENERATED}/triage-agent/changelog.gz ${PROJECT_SOURCE_DIR}/docs/agent.md
  ${PROJECT_SOURCE_DIR}/docs/agent-diagnostics.md
  DESTINATION share/doc/triage-agent COMPONENT agent)

# Units: the directory differs per package format, so the path is read when CPack installs
# (TRIAGE_UNIT_DIR, set per generator by the project config file); `cmake --install` uses the
# deb's.
foreach(pair "collector|triage-collector.service" "agent|triage-agent.service")
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 component)
  list(GET pair 1 unit)
  install(CODE "
    set(unit_dir \"\$ENV{TRIAGE_UNIT_DIR}\")
    if(unit_dir STREQUAL \"\")
      set(unit_dir \"${TRIAGE_DEB_UNIT_DIR}\")
    endif()
    file(INSTALL DESTINATION \"\${unit_dir}\" TYPE FILE
      PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
      FILES \"${TRIAGE_LINUX_INSTALLERS}/${unit}\")"
    COMPONENT ${component})
endforeach()

# conffiles: every file the package puts under /etc.
file(WRITE ${TRIAGE_PACKAGE_GENERATED}/deb/triage-collector/conffiles "/etc/triage/collector.toml\n")
file(WRITE ${TRIAGE_PACKAGE_GENERATED}/deb/triage-agent/conffiles "/etc/triage/agent.toml\n")

# CPack runs the `preinstall` target first: without this, it would build everything (tests
# included), not only the three programs the packages hold.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(CPACK_PACKAGE_NAME triage)
set(CPACK_PACKAGE_VENDOR triage)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${TRIAGE_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
# Files under /etc go into the package, not onto the building machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_THREADS 0)
set(CPACK_COMPONENTS_ALL collector agent)
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/packaging_generator.cmake)

string(CONCAT CPACK_COMPONENT_COLLECTOR_DESCRIPTION
  "helpdesk diagnostics server: agents, REST API, web console\n"
  "triage-collector authenticates triage agents with its own CA, stores their\n"
  "diagnostics (SQLite, or PostgreSQL for several nodes), enriches helpdesk\n"
  "tickets with them and runs approved, signed remediation actions with roles,\n"
  "approvals and a tamper-evident audit log. It serves the REST API and the web\n"
  "console. Includes triagectl, the technicians' command line.")
string(CONCAT CPACK_COMPONENT_AGENT_DESCRIPTION
  "helpdesk diagnostics agent for end-user PCs\n"
  "triage-agent gathers hardware, software, network and health diagnostics and\n"
  "reports them to a triage collector over mutually authenticated TLS. It runs\n"
  "only remediation actions the collector signed and this machine's local policy\n"
  "allows, never a shell.")

# Debian.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_NAME triage-collector)
set(CPACK_DEBIAN_AGENT_PACKAGE_NAME triage-agent)
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.54~)")
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.54~)")
foreach(package triage-collector triage-agent)
  string(REPLACE "triage-" "" component ${package})
  string(TOUPPER ${component} component)
  set(scripts ${TRIAGE_LINUX_INSTALLERS}/deb/${package})
  set(CPACK_DEBIAN_${component}_PACKAGE_CONTROL_EXTRA
    ${scripts}/postinst ${scripts}/prerm ${scripts}/postrm
    ${TRIAGE_PACKAGE_GENERATED}/deb/${package}/conffiles)
endforeach()

# RPM (the agent only; packaging_generator.cmake narrows the components).
set(CPACK_RPM_COMPONENT_INSTALL ON)
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "Proprietary")
set(CPACK_RPM_PACKAGE_GROUP "Applications/System")
set(CPACK_RPM_AGENT_PACKAGE_NAME triage-agent)
set(CPACK_RPM_AGENT_PACKAGE_SUMMARY "helpdesk diagnostics agent for end-user PCs")
set(CPACK_RPM_AGENT_PACKAGE_REQUIRES_POST "shadow-utils, systemd")
set(CPACK_RPM_AGENT_POST_INSTALL_SCRIPT_FILE ${TRIAGE_LINUX_INSTALLERS}/rpm/triage-agent/post)
set(CPACK_RPM_AGENT_PRE_UNINSTALL_SCRIPT_FILE ${TRIAGE_LINUX_INSTALLERS}/rpm/triage-agent/preun)
set(CPACK_RPM_AGENT_POST_UNINSTALL_SCRIPT_FILE ${TRIAGE_LINUX_INSTALLERS}/rpm/triage-agent/postun)
set(CPACK_RPM_AGENT_USER_FILELIST "%config(noreplace) /etc/triage/agent.toml")
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION /etc /usr/lib/systemd /usr/lib/systemd/system
  /usr/share/doc)

include(CPack)

add_custom_target(packages
  COMMAND ${CMAKE_CPACK_COMMAND} --config ${PROJECT_BINARY_DIR}/CPackConfig.cmake -G DEB
  COMMAND ${CMAKE_CPACK_COMMAND} --config ${PROJECT_BINARY_DIR}/CPackConfig.cmake -G RPM
  DEPENDS triage-collector triagectl triage-agent
  WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
  COMMENT "Packages in ${PROJECT_BINARY_DIR}/packages"
  VERBATIM)
