// The command line's tables: a long cell widens its column instead of
// running into the next one.
#include "cli/table.hpp"

#include <doctest/doctest.h>

#include <sstream>

TEST_CASE("cli table: columns are as wide as their widest cell, two spaces apart") {
  watt::cli::Table t({"IDENTITY", "STATE", "PID"});
  t.row({"an-agent-identity-longer-than-the-header", "failed(127)", "4711"});
  t.row({"m1", "running", "12"});
  std::ostringstream out;
  t.print(out);
  CHECK(out.str() ==
        "IDENTITY                                  STATE        PID\n"
        "an-agent-identity-longer-than-the-header  failed(127)  4711\n"
        "m1                                        running      12\n");
}
