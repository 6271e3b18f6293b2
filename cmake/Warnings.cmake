# Warnings for our own targets: on, strict, and clean. -DWATT_WERROR=ON (the
# CI build) makes each an error, so a warning cannot land.
option(WATT_WERROR "Treat warnings in our own code as errors" OFF)
function(watt_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
    $<$<BOOL:${WATT_WERROR}>:-Werror>)
endfunction()
