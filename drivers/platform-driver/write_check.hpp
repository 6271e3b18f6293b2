// Whether a set_point may go to the device: the point exists, is Writable in
// the registry, and the value fits its Type (checked before any I/O).
#pragma once

#include "registry.hpp"

#include <watt/error.hpp>

#include <msgpack.hpp>

namespace watt::driver {

// The value as the driver takes it, or an `unauthorized` / `bad_args` error
// whose message names the device, the point and the reason.
Result<double> check_write(const Registry& registry, const std::string& device, const std::string& point,
                           const msgpack::object& value);

}  // namespace watt::driver
