// Array literals: every string element is quoted, so no value can be read
// as NULL, a separator or a nested array.
#include "postgres_arrays.hpp"

#include <charconv>
#include <cmath>

namespace watt::historian::postgres {

void ArrayLiteral::separate() {
  if (text_.size() > 1) text_ += ',';
}

void ArrayLiteral::add(std::int64_t v) {
  separate();
  text_ += std::to_string(v);
}

void ArrayLiteral::add(std::optional<double> v) {
  separate();
  if (!v) {
    text_ += "NULL";
  } else if (std::isnan(*v)) {
    text_ += "NaN";
  } else if (std::isinf(*v)) {
    text_ += *v > 0 ? "Infinity" : "-Infinity";
  } else {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, *v);
    text_.append(buf, r.ptr);
  }
}

void ArrayLiteral::add(const std::optional<std::string>& v) {
  separate();
  if (!v) {
    text_ += "NULL";
    return;
  }
  text_ += '"';
  for (const char c : *v) {
    if (c == '"' || c == '\\') text_ += '\\';
    text_ += c;
  }
  text_ += '"';
}

const std::string& ArrayLiteral::str() {
  if (!closed_) {
    text_ += '}';
    closed_ = true;
  }
  return text_;
}

}  // namespace watt::historian::postgres
