# -DWATT_SANITIZE=address,undefined instruments every target of the tree.
# -DWATT_FUZZ=ON (clang only) builds the tree for libFuzzer: instrumented for
# coverage, with AddressSanitizer and UndefinedBehaviorSanitizer unless
# WATT_SANITIZE says otherwise; tests/fuzz then builds libFuzzer programs.
option(WATT_FUZZ "Build the fuzz targets as libFuzzer programs (needs clang)" OFF)
if(WATT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "WATT_FUZZ needs clang (Debian's clang and libclang-rt-14-dev): configure with CXX=clang++")
  endif()
  if(NOT WATT_SANITIZE)
    set(WATT_SANITIZE address,undefined)
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(WATT_SANITIZE)
  add_compile_options(-fsanitize=${WATT_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${WATT_SANITIZE})
  # Each process of a sanitized tree starts slowly: the loader relocates and
  # page-faults in every data page of libwatt and the agents, and the
  # integration tests start thousands of processes. Two things halve it.
  # With GCC, AddressSanitizer also puts redzones around UBSan's own
  # descriptors (source locations, type names): four times the relocated
  # data. Off by default when both run; what is lost is only the detection of
  # overflows of global arrays (heap, stack and use-after-free are kept).
  if(WATT_SANITIZE MATCHES "address" AND WATT_SANITIZE MATCHES "undefined" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    option(WATT_ASAN_GLOBALS "AddressSanitizer checks global arrays too (slower process start with UBSan)" OFF)
    if(NOT WATT_ASAN_GLOBALS)
      add_compile_options(--param=asan-globals=0)
    endif()
  endif()
  # And packed relative relocations (DT_RELR, glibc 2.36) make the loader's
  # pass over them cheaper.
  include(CheckLinkerFlag)
  check_linker_flag(CXX "LINKER:-z,pack-relative-relocs" WATT_LINKER_HAS_RELR)
  if(WATT_LINKER_HAS_RELR)
    add_link_options(LINKER:-z,pack-relative-relocs)
  endif()
  if(WATT_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC warns that ThreadSanitizer does not model atomic_thread_fence, which
    # only Boost.Asio's fenced blocks use (the serial link's io_context); the
    # handlers they order are also ordered by the scheduler's mutex, which it sees.
    add_compile_options(-Wno-tsan)
  endif()
endif()
