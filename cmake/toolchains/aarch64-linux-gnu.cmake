# Cross-compiling watt-node for 64-bit ARM boards (arm64) with Debian's
# cross toolchain (crossbuild-essential-arm64); the arm64 builds of yaml-cpp
# and msgpack-cxx unpacked into a folder given as CMAKE_PREFIX_PATH. See
# docs/watt-node.md, "Building it for a board".
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# Programs (the compiler's helpers) are the host's; packages are looked up
# under <prefix>/lib/<CMAKE_LIBRARY_ARCHITECTURE>, so the host's own never match.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
