// What a web user may do. Each role can do all that the ones before it can.
#pragma once

#include <string>
#include <string_view>

namespace watt::web {

enum class Role {
  viewer,     // sees everything the view shows, changes nothing
  operator_,  // also starts and stops agents, edits configurations, calls agents' methods
  admin,      // also calls the platform's and the broker's own methods
};

std::string to_string(Role role);
// Throws UserError naming the roles there are.
Role role_from_string(std::string_view text);

}  // namespace watt::web
