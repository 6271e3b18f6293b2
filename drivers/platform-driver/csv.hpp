// A small CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF) that keeps
// the line each record starts on, so registry errors can name their row.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace watt::driver {

struct CsvRecord {
  std::size_t line = 0;  // 1-based line of the file where the record starts
  std::vector<std::string> fields;
};

// Blank lines are skipped (their line numbers still count). Throws ConfigError
// naming `file` and the line for an unterminated quoted field.
std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& file);

}  // namespace watt::driver
