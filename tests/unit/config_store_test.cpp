// The config store keeps what it was given: each write reaches config.db
// itself (a copy of the file alone holds it), a consistent backup can be made
// while it is open, and a store that held configurations and opens empty is
// refused rather than started empty.
#include "control/config_store.hpp"

#include "temp_dir.hpp"

#include <watt/error.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using watt::platform::ConfigStore;
namespace fs = std::filesystem;

TEST_CASE("config store: a copy of config.db alone, taken while the store is open, holds every write") {
  watt::test::TempDir dir("config-store");
  ConfigStore store(dir.path() / "config.db");
  store.set("meter1", "config", "rate: 5");
  store.set("meter1", "registry.csv", "a,b\n");
  store.remove("meter1", "registry.csv");
  fs::copy_file(dir.path() / "config.db", dir.path() / "copy.db");  // no -wal beside it
  ConfigStore copy(dir.path() / "copy.db");
  CHECK(copy.get("meter1", "config") == "rate: 5");
  CHECK_FALSE(copy.get("meter1", "registry.csv").has_value());
}

TEST_CASE("config store: a backup is the whole store, made while it is open") {
  watt::test::TempDir dir("config-store");
  ConfigStore store(dir.path() / "config.db");
  store.set("a", "config", "x: 1");
  store.set("b", "config", "y: 2");
  store.backup(dir.path() / "backup.db");
  ConfigStore restored(dir.path() / "backup.db");
  CHECK(restored.count() == 2);
  CHECK(restored.get("b", "config") == "y: 2");
  CHECK_THROWS_WITH_AS(store.backup(dir.path() / "no/such/folder/backup.db"),
                       doctest::Contains("cannot write a backup"), watt::Error);
}

TEST_CASE("config store: one that held configurations and opens empty is refused, and left as it is") {
  watt::test::TempDir dir("config-store");
  const auto file = dir.path() / "config.db";
  {
    ConfigStore store(file);
    store.set("a", "config", "x: 1");
    store.set("b", "config", "y: 2");
  }
  // Emptied: a 0-byte file, its write-ahead log gone.
  std::ofstream(file, std::ios::trunc).close();
  fs::remove(file.string() + "-wal");
  CHECK_THROWS_WITH_AS(ConfigStore{file}, doctest::Contains("holds no configuration, but held 2"), watt::Error);
  // The operator's way out: start empty on purpose.
  fs::remove(file.string() + ".count");
  CHECK(ConfigStore(file).count() == 0);
}

TEST_CASE("config store: emptied by its own removals, it opens empty as it should") {
  watt::test::TempDir dir("config-store");
  const auto file = dir.path() / "config.db";
  {
    ConfigStore store(file);
    store.set("a", "config", "x: 1");
    store.set("a", "other", "y: 2");
    store.set("b", "config", "z: 3");
    CHECK(store.remove_all("a") == 2);
    CHECK(store.remove("b", "config"));
    CHECK_FALSE(store.remove("b", "config"));
  }
  CHECK(ConfigStore(file).count() == 0);
}
