# Cross-compiling watt-node for 32-bit ARM boards (armhf: ARMv7, hard float)
# with Debian's cross toolchain (crossbuild-essential-armhf); the armhf builds
# of yaml-cpp and msgpack-cxx unpacked into a folder given as CMAKE_PREFIX_PATH. See
# docs/watt-node.md, "Building it for a board".
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_CXX_COMPILER arm-linux-gnueabihf-g++)
set(CMAKE_LIBRARY_ARCHITECTURE arm-linux-gnueabihf)
# Programs (the compiler's helpers) are the host's; packages are looked up
# under <prefix>/lib/<CMAKE_LIBRARY_ARCHITECTURE>, so the host's own never match.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
