// Historian: the SQLite back end.
#include "backend_checks.hpp"
#include "sqlite_backend.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

using namespace watt::historian;

namespace {
std::unique_ptr<Backend> fresh(const watt::test::TempDir& dir) {
  return open_sqlite_backend({.file = dir.str() + "/history.sqlite", .synchronous = "NORMAL"});
}
}  // namespace

TEST_CASE("sqlite back end: values of every kind round-trip, metadata kept and updated") {
  watt::test::TempDir dir;
  watt::test::check_round_trip(*fresh(dir));
}

TEST_CASE("sqlite back end: a replayed batch makes no duplicates") {
  watt::test::TempDir dir;
  watt::test::check_no_duplicates(*fresh(dir));
}

TEST_CASE("sqlite back end: ranges, order, count and every aggregate") {
  watt::test::TempDir dir;
  watt::test::check_queries(*fresh(dir));
}

TEST_CASE("sqlite back end: retention prunes exactly what is older") {
  watt::test::TempDir dir;
  watt::test::check_prune(*fresh(dir));
}

TEST_CASE("sqlite back end: what was stored is there after reopening, and a second reader sees it") {
  watt::test::TempDir dir;
  auto writer = fresh(dir);
  writer->store(std::vector<Record>{watt::test::number_record("devices/a/b", 5, 1.5)});
  auto reader = fresh(dir);
  CHECK(reader->query({.topic = "devices/a/b"}).size() == 1);
  writer.reset();
  CHECK(fresh(dir)->query({.topic = "devices/a/b"}).size() == 1);
}

TEST_CASE("sqlite back end: a file that cannot be opened or is not a database is a BackendError") {
  watt::test::TempDir dir;
  CHECK_THROWS_AS(open_sqlite_backend({.file = dir.str() + "/missing/dir/h.sqlite"}), BackendError);
  {
    std::FILE* f = std::fopen((dir.str() + "/junk.sqlite").c_str(), "w");
    std::fputs("this is not an SQLite database, not even close to one, but long enough to have a header", f);
    std::fclose(f);
  }
  CHECK_THROWS_AS(open_sqlite_backend({.file = dir.str() + "/junk.sqlite"}), BackendError);
}

TEST_CASE("sqlite back end: the file's mode is set when asked, for a dashboard's group to read") {
  watt::test::TempDir dir;
  const std::string file = dir.str() + "/history.sqlite";
  auto backend = open_sqlite_backend({.file = file, .file_mode = 0640});
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
}
