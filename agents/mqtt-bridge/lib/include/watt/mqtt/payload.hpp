// A message's body as an MQTT payload and back, by a rule's format. json: the
// body as JSON text, any JSON read back. raw: a scalar as its plain text
// (21.5, true, a string's own bytes; null as nothing), and on the way in a
// payload read as an integer, a number, true or false where it is exactly one,
// and as text otherwise: what a Home Assistant command topic or a sensor sends.
#pragma once

#include <watt/mqtt/rules.hpp>
#include <watt/value.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace watt::mqtt {

struct PayloadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws PayloadError saying why (raw takes scalars only; bytes that are not
// msgpack).
std::string to_payload(const Value& body, Format format);

// Throws PayloadError saying why (not JSON, and where).
Value from_payload(std::string_view payload, Format format);

}  // namespace watt::mqtt
