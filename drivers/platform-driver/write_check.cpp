// Write permission and type checks (see write_check.hpp).
#include "write_check.hpp"

#include <cmath>

namespace watt::driver {

Result<double> check_write(const Registry& registry, const std::string& device, const std::string& point,
                           const msgpack::object& value) {
  const Point* p = registry.find(point);
  const std::string at = device + " " + point + ": ";
  if (p == nullptr) return RpcError{ErrorCode::bad_args, device + " has no point '" + point + "'"};
  if (!p->writable)
    return RpcError{ErrorCode::unauthorized, at + "not writable (Writable is FALSE in " + registry.file + ")"};
  const auto refuse = [&](const std::string& why) { return RpcError{ErrorCode::bad_args, at + why}; };
  double v = 0;
  switch (value.type) {
    case msgpack::type::BOOLEAN: v = value.via.boolean ? 1 : 0; break;
    case msgpack::type::POSITIVE_INTEGER: v = static_cast<double>(value.via.u64); break;
    case msgpack::type::NEGATIVE_INTEGER: v = static_cast<double>(value.via.i64); break;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      v = value.via.f64;
      if (!std::isfinite(v)) return refuse("not a finite number");
      break;
    default:
      return refuse(std::string(p->type == PointType::integer ? "an " : "a ") + std::string(to_string(p->type)) +
                    " point takes a number or a bool");
  }
  switch (p->type) {
    case PointType::boolean:
      if (value.type != msgpack::type::BOOLEAN && v != 0 && v != 1)
        return refuse("a bool point takes true, false, 0 or 1");
      break;
    case PointType::integer:
      if (value.type == msgpack::type::BOOLEAN) return refuse("an int point takes a whole number, not a bool");
      if (std::trunc(v) != v) return refuse("an int point takes a whole number");
      break;
    case PointType::floating:
      if (value.type == msgpack::type::BOOLEAN) return refuse("a float point takes a number, not a bool");
      break;
  }
  return v;
}

}  // namespace watt::driver
