# Installs the SDK as a CMake package: find_package(Watt) + watt_add_agent().
include(CMakePackageConfigHelpers)
set(WATT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Watt)
install(EXPORT WattTargets NAMESPACE Watt:: DESTINATION ${WATT_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(cmake/WattConfig.cmake.in ${PROJECT_BINARY_DIR}/WattConfig.cmake
  INSTALL_DESTINATION ${WATT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/WattConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/WattConfig.cmake ${PROJECT_BINARY_DIR}/WattConfigVersion.cmake
  cmake/WattAgent.cmake DESTINATION ${WATT_CMAKE_DIR} COMPONENT dev)
