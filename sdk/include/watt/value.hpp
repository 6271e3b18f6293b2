// A message body or RPC value: msgpack bytes, packed from and read back into
// any msgpack-able C++ type, with a JSON view for people and the command line.
#pragma once

#include <watt/error.hpp>
#include <watt/export.hpp>

#include <msgpack.hpp>

#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>

namespace watt {

namespace detail {
struct StringWriter {
  std::string* s;
  void write(const char* p, std::size_t n) { s->append(p, n); }
};
// Unpacks with limits fit for untrusted input (depth, container sizes).
WATT_EXPORT msgpack::object_handle unpack_checked(std::string_view bytes);
[[noreturn]] WATT_EXPORT void throw_conversion(std::string_view bytes, const char* type_name, const char* why);
}  // namespace detail

class WATT_EXPORT Value {
public:
  Value() = default;

  // Packs any msgpack-able value (scalars, strings, vectors, maps, structs
  // with MSGPACK_DEFINE_MAP).
  template <class T>
  static Value of(const T& v) {
    Value out;
    detail::StringWriter w{&out.bytes_};
    msgpack::pack(w, v);
    return out;
  }
  // Takes bytes that must already be one complete msgpack object.
  static Value from_msgpack(std::string bytes);
  // Takes bytes received from a trusted party without checking them now;
  // as<T>() and to_json() still refuse invalid bytes.
  static Value from_msgpack_unchecked(std::string bytes) noexcept {
    Value v;
    v.bytes_ = std::move(bytes);
    return v;
  }
  // Replaces the bytes, reusing this value's memory; unchecked as above.
  void assign_unchecked(std::string_view bytes) { bytes_.assign(bytes.data(), bytes.size()); }
  // Parses JSON text; throws watt::Error naming the position of a syntax error.
  static Value from_json(std::string_view json);

  // Reads the value as T; throws watt::Error when it does not convert.
  template <class T>
  T as() const {
    try {
      auto handle = detail::unpack_checked(bytes_);
      return handle.get().as<T>();
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      detail::throw_conversion(bytes_, typeid(T).name(), e.what());
    }
  }

  // JSON text of the value ("null" for an empty value). Map keys that are not
  // strings are written as their JSON text; binary as base64-free byte arrays.
  std::string to_json() const;

  bool empty() const noexcept { return bytes_.empty(); }
  const std::string& bytes() const noexcept { return bytes_; }
  std::string take_bytes() && { return std::move(bytes_); }
  bool operator==(const Value& o) const noexcept { return bytes_ == o.bytes_; }

private:
  std::string bytes_;
};

// JSON text of any msgpack bytes; a placeholder string when they are invalid.
WATT_EXPORT std::string msgpack_to_json(std::string_view bytes);

}  // namespace watt
