// The economic-dispatch library's one exception type: bad parameters, a bad
// graph or an infeasible case. Messages name the node and the field at fault.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace watt::ed {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// A number as a message shows it: -1, 0.5, 1e+300, nan.
inline std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace watt::ed
