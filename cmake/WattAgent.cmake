# watt_add_agent(name SOURCES a.cpp …): builds one agent shared library.
# Used in this tree and, installed, by out-of-tree agents via find_package(Watt).
function(watt_add_agent name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "watt_add_agent(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  if(TARGET Watt::watt)
    target_link_libraries(${name} PRIVATE Watt::watt ${ARG_LIBRARIES})
  else()
    target_link_libraries(${name} PRIVATE watt ${ARG_LIBRARIES})
  endif()
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    CXX_STANDARD 20
    CXX_STANDARD_REQUIRED ON)
endfunction()
