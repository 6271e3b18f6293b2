// Errors: one exception type for misuse and bad configuration, and plain values
// (ErrorCode, RpcError, Result) for the failures a running system expects.
#pragma once

#include <watt/export.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace watt {

// Misuse of the SDK or a bad configuration: the message names the file, key or
// argument at fault. Never thrown for things that go wrong at run time.
class WATT_EXPORT Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// The structured error codes of the wire protocol (docs/protocol.md).
enum class ErrorCode {
  bad_frame,            // frames missing, or a header that is not a msgpack map
  unsupported_version,  // the protocol version byte is not one this side speaks
  unknown_kind,         // the message kind byte is not defined
  bad_topic,            // empty, over-long, or malformed topic or pattern
  too_large,            // over the broker's message size limit
  identity_taken,       // another live peer already holds that identity
  bad_identity,         // an identity that breaks the naming rules or is reserved
  not_registered,       // a message before hello
  unknown_peer,         // RPC to an identity that is not connected
  unknown_method,       // RPC to a method the peer does not export
  unauthorized,         // the caller lacks the capability
  timeout,              // no answer before the caller's deadline
  handler_threw,        // the exported method threw
  bad_args,             // the arguments do not fit the method's signature
  backpressure,         // a lossless subscriber is too far behind; retry later
  shutting_down,        // the peer or platform is stopping
  peer_left,            // the peer went away while the call was pending
  disconnected,         // this peer has lost the platform and is reconnecting
  internal,             // anything else; the message says what
};

WATT_EXPORT std::string_view to_string(ErrorCode code) noexcept;
// Unknown names map to ErrorCode::internal, so a newer peer never breaks us.
WATT_EXPORT ErrorCode error_code_from_string(std::string_view name) noexcept;

struct RpcError {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  std::string what() const { return std::string(to_string(code)) + ": " + message; }
};

// A value or an RpcError: the std::expected of this code base (C++20 has none).
template <class T>
class Result {
public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(RpcError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  // Throws watt::Error with the RpcError's text when there is no value: for
  // code that treats a failure as fatal.
  T& value() & {
    check();
    return std::get<0>(v_);
  }
  const T& value() const& {
    check();
    return std::get<0>(v_);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

  const RpcError& error() const& { return std::get<1>(v_); }

private:
  void check() const {
    if (!ok()) throw Error(std::get<1>(v_).what());
  }
  std::variant<T, RpcError> v_;
};

}  // namespace watt
