# Debian packages with CPack (deploy/package.sh builds them):
#   watt      the platform, the CLI, the agent hosts, every agent and tool, the
#             web view's pages, and wattd's systemd unit;
#   watt-dev  the SDK's headers, the CMake package and watt_add_agent.
# deploy/package.sh builds them in a tree of their own (build-deb/),
# configured with -DCMAKE_INSTALL_PREFIX=/usr -DWATT_PACKAGING=ON: the web
# agent then finds its pages where the prefix says, and only the package
# installs the unit (its paths are /usr's).
if(WATT_PACKAGING)
  install(FILES deploy/systemd/wattd.service DESTINATION lib/systemd/system COMPONENT runtime)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME watt)
set(CPACK_PACKAGE_VENDOR "Watt")
set(CPACK_PACKAGE_CONTACT "Watt developers <watt@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
# Without the debug information of a RelWithDebInfo tree: a third of the size.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME watt)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "multi-agent runtime for energy systems
The platform daemon (wattd) with its message bus, the watt command line, the
agent hosts and every agent of the tree: historian, platform driver, web
view, MQTT bridge, dispatch, organizations, trading and the energy hub. wattd
runs as a systemd service (wattd.service) as the watt user, its home in
/var/lib/watt.")
# The libraries the programs link, found by dpkg-shlibdeps; adduser for the
# postinst's system user, init-system-helpers for its unit handling.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
# libwatt.so.0's shlibs entry (CPack 3.25 reads this one per generator, not
# per component; watt-dev has no library of its own), and the ldconfig
# trigger for it (deploy/debian/triggers: CPack adds none where the package
# has its own postinst).
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "adduser, init-system-helpers")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SUGGESTS "mosquitto, postgresql")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/deploy/debian/postinst ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
  ${PROJECT_SOURCE_DIR}/deploy/debian/postrm ${PROJECT_SOURCE_DIR}/deploy/debian/triggers)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME watt-dev)
set(CPACK_DEBIAN_DEV_DESCRIPTION "SDK for writing Watt agents
The headers, libwatt's link, the CMake package (find_package(Watt)) and
watt_add_agent(), to build agent libraries that the watt package runs.")
set(CPACK_COMPONENT_DEV_DEPENDS runtime)  # watt-dev needs watt of its own version
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
# What the SDK's public headers and its CMake package ask for.
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "cmake (>= 3.25), g++, libmsgpack-cxx-dev, libyaml-cpp-dev, libspdlog-dev")

include(CPack)
