// CSV records with their line numbers (see csv.hpp).
#include "csv.hpp"

#include "config_error.hpp"

namespace watt::driver {

std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& file) {
  std::vector<CsvRecord> out;
  std::size_t i = 0;
  std::size_t line = 1;
  // A UTF-8 byte order mark, as spreadsheets like to write, is not a column name.
  if (text.starts_with("\xEF\xBB\xBF")) i = 3;
  while (i < text.size()) {
    CsvRecord rec;
    rec.line = line;
    std::string field;
    bool any = false;
    for (;;) {
      if (i < text.size() && text[i] == '"') {
        const std::size_t opened = line;
        ++i;
        for (;;) {
          if (i >= text.size())
            throw ConfigError(file + " row " + std::to_string(opened) + ": a quoted field is never closed");
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        any = true;
      }
      while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        field += text[i++];
        any = true;
      }
      if (i < text.size() && text[i] == ',') {
        rec.fields.push_back(std::move(field));
        field.clear();
        any = true;
        ++i;
        continue;
      }
      break;
    }
    rec.fields.push_back(std::move(field));
    if (i < text.size() && text[i] == '\r') ++i;
    if (i < text.size() && text[i] == '\n') ++i;
    ++line;
    if (any) out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace watt::driver
