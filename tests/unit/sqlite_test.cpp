// The one SQLite wrapper: statements, transactions, and files it refuses.
#include "temp_dir.hpp"

#include <watt/sqlite/database.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <string>

using watt::sqlite::Database;
using watt::sqlite::Statement;
using watt::sqlite::Transaction;

TEST_CASE("sqlite: statements bind and read, and a transaction left uncommitted rolls back") {
  watt::test::TempDir dir("sqlite");
  Database db(dir.file("a.db"), {});
  db.exec("CREATE TABLE t (k TEXT, v REAL)");
  Statement insert(db, "INSERT INTO t VALUES (?, ?)");
  insert.bind(1, std::string("one")).bind(2, 1.5).run();
  insert.bind(1, std::string("none")).bind(2, std::optional<double>()).run();
  {
    Transaction tx(db);
    insert.bind(1, std::string("lost")).bind(2, 9.0).run();
  }
  {
    Transaction tx(db);
    insert.bind(1, std::string("kept")).bind(2, 2.5).run();
    tx.commit();
  }
  Statement read(db, "SELECT k, v FROM t ORDER BY rowid");
  std::string seen;
  while (read.step()) seen += read.text(0) + "=" + (read.is_null(1) ? "null" : std::to_string(read.real(1))) + " ";
  CHECK(seen == "one=1.500000 none=null kept=2.500000 ");
  CHECK_THROWS_WITH_AS(Statement(db, "SELECT nothing FROM nowhere"), doctest::Contains("a.db: prepare"),
                       watt::sqlite::Error);
}

TEST_CASE("sqlite: a file that is not a database is refused, named, and left as it was") {
  watt::test::TempDir dir("sqlite");
  const std::string file = dir.file("junk.db");
  std::ofstream(file) << std::string(4096, 'x');
  CHECK_THROWS_WITH_AS(Database(file, {.check_first = true}), doctest::Contains("junk.db"), watt::sqlite::Error);
  std::ifstream in(file);
  const std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(after == std::string(4096, 'x'));
  try {
    Database missing(dir.file("missing.db"), {.create = false});
    FAIL("opened a file that does not exist");
  } catch (const watt::sqlite::Error& e) {
    CHECK(e.kind == watt::sqlite::Error::Kind::open);
  }
}
