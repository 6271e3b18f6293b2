// Configuration naming rules (see watt/config_names.hpp).
#include <watt/config_names.hpp>

namespace watt {

std::string config_name_error(std::string_view name) {
  if (name.empty() || name.size() > 128) return "a configuration name has 1 to 128 characters";
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-' || c == '/';
    if (!ok) return "configuration name '" + std::string(name) + "' may only use letters, digits and . _ - /";
  }
  return {};
}

bool is_raw_config(std::string_view name) { return name.ends_with(".csv") || name.ends_with(".txt"); }

}  // namespace watt
