// A table for the terminal: each column as wide as its widest cell, two
// spaces apart, so that a long identity or state never runs into the next
// column. The last column is not padded.
#pragma once

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

namespace watt::cli {

class Table {
public:
  explicit Table(std::vector<std::string> headers) { rows_.push_back(std::move(headers)); }

  Table& row(std::vector<std::string> cells) {
    rows_.push_back(std::move(cells));
    return *this;
  }

  void print(std::ostream& out) const {
    std::vector<std::size_t> width;
    for (const auto& r : rows_) {
      if (width.size() < r.size()) width.resize(r.size(), 0);
      for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    }
    for (const auto& r : rows_) {
      std::string line;
      for (std::size_t i = 0; i < r.size(); ++i) {
        line += r[i];
        if (i + 1 < r.size()) line.append(width[i] - r[i].size() + 2, ' ');
      }
      out << line << "\n";
    }
  }

private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace watt::cli
