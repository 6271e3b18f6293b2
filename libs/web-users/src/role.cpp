#include <watt/web/users.hpp>

namespace watt::web {

std::string to_string(Role role) {
  switch (role) {
    case Role::viewer: return "viewer";
    case Role::operator_: return "operator";
    case Role::admin: return "admin";
  }
  return "viewer";
}

Role role_from_string(std::string_view text) {
  if (text == "viewer") return Role::viewer;
  if (text == "operator") return Role::operator_;
  if (text == "admin") return Role::admin;
  throw UserError("unknown role '" + std::string(text) + "' (viewer, operator or admin)");
}

}  // namespace watt::web
