// A device's registry: its points, read from a VOLTTRON-style CSV (Point Name,
// Volttron Point Name, Units, Units Details, Writable, Starting Value, Type,
// Notes) plus whatever protocol columns its driver reads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace watt::driver {

enum class PointType { boolean, integer, floating };

std::string_view to_string(PointType t) noexcept;  // "bool", "int", "float"

struct Point {
  std::string name;       // Volttron Point Name: what the bus and RPC see
  std::string reference;  // Point Name: what the device calls it
  std::string units;
  std::string units_details;
  bool writable = false;
  std::optional<double> default_value;  // Starting Value / Default Value
  PointType type = PointType::floating;
  std::string notes;
  std::size_t row = 0;  // line of the CSV, for the driver's own error messages
  // Every column by its lower-case header, for the protocol columns.
  std::map<std::string, std::string> columns;

  // The trimmed value of a protocol column, empty when absent.
  std::string column(const std::string& lower_name) const;
};

struct Registry {
  std::string file;  // e.g. meter1.csv
  std::vector<Point> points;
  const Point* find(std::string_view name) const;
};

// Throws ConfigError as "<file> row N: <column> …" for the first bad row.
Registry parse_registry(std::string_view text, const std::string& file);

// "TRUE"/"FALSE" (any case, also 1/0 and yes/no); nullopt otherwise.
std::optional<bool> parse_bool(std::string_view s);
// A whole number or decimal, nothing after it; nullopt otherwise.
std::optional<double> parse_number(std::string_view s);
std::string trim(std::string_view s);
std::string lower(std::string_view s);

}  // namespace watt::driver
