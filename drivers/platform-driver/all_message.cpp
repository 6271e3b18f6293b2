// Packing of the `all` message and of typed values (see all_message.hpp).
#include "all_message.hpp"

#include <cstdint>

namespace watt::driver {

namespace {

using Packer = msgpack::packer<detail::StringWriter>;

void pack_value(Packer& pk, PointType type, double v) {
  switch (type) {
    case PointType::boolean: pk.pack(v != 0); return;
    case PointType::integer: pk.pack(static_cast<std::int64_t>(v)); return;
    case PointType::floating: pk.pack(v); return;
  }
}

std::uint32_t count_known(const Registry& registry, const Readings& readings) {
  std::uint32_t n = 0;
  for (const auto& p : registry.points) n += readings.count(p.name) ? 1U : 0U;
  return n;
}

void pack_values(Packer& pk, const Registry& registry, const Readings& readings) {
  pk.pack_map(count_known(registry, readings));
  for (const auto& p : registry.points) {
    auto it = readings.find(p.name);
    if (it == readings.end()) continue;
    pk.pack(p.name);
    pack_value(pk, p.type, it->second);
  }
}

// A Value packed by `fill`.
template <class Fill>
Value packed(Fill fill) {
  std::string bytes;
  detail::StringWriter w{&bytes};
  Packer pk(w);
  fill(pk);
  return Value::from_msgpack_unchecked(std::move(bytes));
}

// {units, type, tz}
void pack_metadata(Packer& pk, const Point& p, const std::string& timezone) {
  pk.pack_map(3);
  pk.pack(std::string("units"));
  pk.pack(p.units);
  pk.pack(std::string("type"));
  pk.pack(std::string(to_string(p.type)));
  pk.pack(std::string("tz"));
  pk.pack(timezone);
}

}  // namespace

Value all_message(const Registry& registry, const Readings& readings, const std::string& timezone) {
  return packed([&](Packer& pk) {
    pk.pack_array(2);
    pack_values(pk, registry, readings);
    pk.pack_map(count_known(registry, readings));
    for (const auto& p : registry.points) {
      if (!readings.count(p.name)) continue;
      pk.pack(p.name);
      pack_metadata(pk, p, timezone);
    }
  });
}

Value point_message(const Point& point, double value, const std::string& timezone) {
  return packed([&](Packer& pk) {
    pk.pack_array(2);
    pack_value(pk, point.type, value);
    pack_metadata(pk, point, timezone);
  });
}

Value typed_value(PointType type, double v) {
  return packed([&](Packer& pk) { pack_value(pk, type, v); });
}

Value readings_map(const Registry& registry, const Readings& readings) {
  return packed([&](Packer& pk) { pack_values(pk, registry, readings); });
}

}  // namespace watt::driver
