// Registry CSV parsing and its refusals (see registry.hpp).
#include "registry.hpp"

#include "config_error.hpp"
#include "csv.hpp"

#include <charconv>
#include <cmath>
#include <set>

namespace watt::driver {

std::string_view to_string(PointType t) noexcept {
  switch (t) {
    case PointType::boolean: return "bool";
    case PointType::integer: return "int";
    case PointType::floating: return "float";
  }
  return "float";
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

std::optional<bool> parse_bool(std::string_view s) {
  const auto v = lower(trim(s));
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  return std::nullopt;
}

std::optional<double> parse_number(std::string_view s) {
  const auto v = trim(s);
  if (v.empty()) return std::nullopt;
  double out = 0;
  const char* first = v.data() + (v[0] == '+' ? 1 : 0);
  const auto [end, ec] = std::from_chars(first, v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(out)) return std::nullopt;
  return out;
}

std::string Point::column(const std::string& lower_name) const {
  auto it = columns.find(lower_name);
  return it == columns.end() ? std::string() : trim(it->second);
}

const Point* Registry::find(std::string_view name) const {
  for (const auto& p : points)
    if (p.name == name) return &p;
  return nullptr;
}

namespace {

std::optional<PointType> parse_type(std::string_view s) {
  const auto v = lower(trim(s));
  if (v.empty() || v == "float" || v == "double" || v == "float32" || v == "float64") return PointType::floating;
  if (v == "int" || v == "integer" || v == "int16" || v == "uint16" || v == "int32" || v == "uint32")
    return PointType::integer;
  if (v == "bool" || v == "boolean") return PointType::boolean;
  return std::nullopt;
}

// The header row's column names, lower case; throws ConfigError when one is
// missing, empty or repeated.
std::vector<std::string> column_names(const CsvRecord& header, const std::string& file) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto& h : header.fields) {
    auto n = lower(trim(h));
    if (n.empty()) throw ConfigError(file + " row " + std::to_string(header.line) + ": a column has no name");
    if (!seen.insert(n).second)
      throw ConfigError(file + " row " + std::to_string(header.line) + ": column '" + trim(h) + "' appears twice");
    names.push_back(std::move(n));
  }
  if (!seen.count("point name"))
    throw ConfigError(file + " row " + std::to_string(header.line) + ": no 'Point Name' column");
  if (!seen.count("writable"))
    throw ConfigError(file + " row " + std::to_string(header.line) + ": no 'Writable' column");
  return names;
}

// Its type: what its own Type column says, else what it means (a coil is a
// bool, a scaled integer register a float).
void set_type(Point& p, const std::string& at) {
  // Modbus registries name the type in "Data Type"; plain ones in "Type".
  // (A Data Type its driver does not know is the driver's to refuse, by its own name.)
  const bool own_type = !p.column("type").empty();
  const std::string type_text = own_type ? p.column("type") : p.column("data type");
  const auto type = parse_type(type_text);
  if (!type && own_type) throw ConfigError(at + "Type '" + type_text + "' is not one of int, float, bool");
  p.type = type.value_or(PointType::floating);
  const auto reg_type = lower(p.column("register type"));
  if (reg_type == "coil" || reg_type == "discrete") p.type = PointType::boolean;
  std::string scale = p.column("scale");
  if (scale.empty()) scale = p.column("multiplier");
  // A scaled value is a float, whatever the Type column says: 23.4 from a
  // register of 234 would not survive as an int, and one series of a
  // historian would mix integers and floats.
  if (p.type != PointType::boolean && !scale.empty() && parse_number(scale) != std::optional<double>(1.0))
    p.type = PointType::floating;
}

// The value it starts with, from Starting Value or Default Value, checked
// against its type.
void set_default(Point& p, const std::string& at) {
  std::string start = p.column("starting value");
  const char* start_column = "Starting Value";
  if (start.empty()) {
    start = p.column("default value");
    start_column = "Default Value";
  }
  if (start.empty()) return;
  if (p.type == PointType::boolean) {
    const auto b = parse_bool(start);
    if (!b) throw ConfigError(at + start_column + " '" + start + "' must be TRUE or FALSE for a bool point");
    p.default_value = *b ? 1.0 : 0.0;
    return;
  }
  const auto v = parse_number(start);
  if (!v) throw ConfigError(at + start_column + " '" + start + "' is not a number");
  if (p.type == PointType::integer && std::trunc(*v) != *v)
    throw ConfigError(at + start_column + " '" + start + "' is not a whole number for an int point");
  p.default_value = *v;
}

}  // namespace

Registry parse_registry(std::string_view text, const std::string& file) {
  const auto records = parse_csv(text, file);
  if (records.empty()) throw ConfigError(file + ": empty registry (a header row and one row per point)");
  const auto names = column_names(records.front(), file);
  Registry reg;
  reg.file = file;
  std::set<std::string> point_names;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    const std::string at = file + " row " + std::to_string(rec.line) + ": ";
    if (rec.fields.size() != names.size())
      throw ConfigError(at + std::to_string(rec.fields.size()) + " fields, the header has " +
                        std::to_string(names.size()));
    Point p;
    p.row = rec.line;
    for (std::size_t c = 0; c < names.size(); ++c) p.columns[names[c]] = rec.fields[c];
    p.reference = p.column("point name");
    if (p.reference.empty()) throw ConfigError(at + "Point Name is empty");
    p.name = p.column("volttron point name");
    if (p.name.empty()) p.name = p.reference;
    if (p.name.find('/') != std::string::npos || p.name.find_first_of("+#") != std::string::npos)
      throw ConfigError(at + "point name '" + p.name + "' is not a topic segment (no / + #)");
    if (!point_names.insert(p.name).second) throw ConfigError(at + "point '" + p.name + "' appears twice");
    p.units = p.column("units");
    p.units_details = p.column("units details");
    p.notes = p.column("notes");
    const auto writable = parse_bool(p.column("writable"));
    if (!writable) throw ConfigError(at + "Writable must be TRUE or FALSE");
    p.writable = *writable;
    set_type(p, at);
    set_default(p, at);
    reg.points.push_back(std::move(p));
  }
  if (reg.points.empty()) throw ConfigError(file + ": no points (a header row and one row per point)");
  return reg;
}

}  // namespace watt::driver
