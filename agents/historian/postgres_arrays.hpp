// PostgreSQL array literals ('{1,2,NULL}'), to hand a whole batch over as a
// few parameters of one statement: insert … select from unnest($1, $2, …).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace watt::historian::postgres {

// Builds one array literal element by element.
class ArrayLiteral {
public:
  void add(std::int64_t v);
  // The shortest text that reads back as exactly the same double.
  void add(std::optional<double> v);
  void add(const std::optional<std::string>& v);
  // The finished literal, "{…}".
  const std::string& str();

private:
  void separate();
  std::string text_ = "{";
  bool closed_ = false;
};

}  // namespace watt::historian::postgres
