// The agent plugin ABI: WATT_AGENT(Class) exports four C functions, the ABI
// version first, and lets no C++ exception cross them.
#pragma once

#include <watt/agent.hpp>
#include <watt/export.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>

// Bumped whenever Agent/Endpoint layout or virtual functions change.
#define WATT_AGENT_ABI_VERSION 1u

namespace watt::detail {
inline void copy_error(char* dst, std::size_t len, const char* what) noexcept {
  if (dst == nullptr || len == 0) return;
  std::strncpy(dst, what, len - 1);
  dst[len - 1] = '\0';
}
}  // namespace watt::detail

#define WATT_AGENT(AgentClass)                                                                              \
  extern "C" WATT_EXPORT std::uint32_t watt_agent_abi_version() noexcept { return WATT_AGENT_ABI_VERSION; } \
  extern "C" WATT_EXPORT const char* watt_agent_class_name() noexcept { return #AgentClass; }               \
  extern "C" WATT_EXPORT void* watt_agent_create(char* error, std::size_t error_len) noexcept {             \
    try {                                                                                                   \
      return static_cast<::watt::Agent*>(new AgentClass());                                                 \
    } catch (const std::exception& e) {                                                                     \
      ::watt::detail::copy_error(error, error_len, e.what());                                               \
    } catch (...) {                                                                                         \
      ::watt::detail::copy_error(error, error_len, "unknown exception");                                    \
    }                                                                                                       \
    return nullptr;                                                                                         \
  }                                                                                                         \
  extern "C" WATT_EXPORT void watt_agent_destroy(void* agent) noexcept { delete static_cast<::watt::Agent*>(agent); }
