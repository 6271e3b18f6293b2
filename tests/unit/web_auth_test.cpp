// The web view's users, sessions and login limits.
#include <watt/web/sessions.hpp>
#include <watt/web/users.hpp>

#include "process.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

using watt::web::Role;
using watt::web::UserError;
using watt::web::Users;

TEST_CASE("web users: Argon2id hashes in a file of mode 0600, never the password") {
  watt::test::TempDir dir("web-users");
  const auto file = watt::web::users_file(dir.path());
  auto users = Users::load(file);
  CHECK(users.empty());
  users.add("alice", Role::admin, "correct horse");
  users.save(file);
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const auto text = watt::test::read_file(file);
  CHECK(text.find("correct horse") == std::string::npos);
  CHECK(text.find("$argon2id$") != std::string::npos);
  const auto again = Users::load(file);
  REQUIRE(again.find("alice") != nullptr);
  CHECK(again.find("alice")->role == Role::admin);
  CHECK(Users::verify(*again.find("alice"), "correct horse"));
  CHECK_FALSE(Users::verify(*again.find("alice"), "correct horsf"));
}

TEST_CASE("web users: bad names, short passwords, unknown users and roles are refused by name") {
  Users users;
  CHECK_THROWS_WITH_AS(users.add("a b", Role::viewer, "long enough"), doctest::Contains("bad user name 'a b'"),
                       UserError);
  CHECK_THROWS_WITH_AS(users.add("bob", Role::viewer, "short"), doctest::Contains("at least 8"), UserError);
  users.add("bob", Role::viewer, "long enough");
  CHECK_THROWS_WITH_AS(users.add("bob", Role::viewer, "long enough"), doctest::Contains("exists already"), UserError);
  CHECK_THROWS_WITH_AS(users.remove("carol"), doctest::Contains("no user 'carol'"), UserError);
  CHECK_THROWS_WITH_AS(watt::web::role_from_string("root"), doctest::Contains("viewer, operator or admin"), UserError);
}

TEST_CASE("web users: a damaged file is refused naming it") {
  watt::test::TempDir dir("web-users-bad");
  const auto file = dir.path() / "users.yml";
  std::ofstream(file) << "alice: {role: king, hash: x}\n";
  CHECK_THROWS_WITH_AS(Users::load(file), doctest::Contains("unknown role 'king'"), UserError);
  std::ofstream(file) << "alice: {role: admin}\n";
  CHECK_THROWS_WITH_AS(Users::load(file), doctest::Contains("users.yml: user 'alice' needs a role and a hash"),
                       UserError);
  std::ofstream(file) << "[1, 2\n";
  CHECK_THROWS_AS(Users::load(file), UserError);
}

TEST_CASE("web sessions: random tokens, each with its own CSRF token, ended on demand") {
  watt::web::Sessions s(std::chrono::seconds(60));
  const auto a = s.open("alice", Role::admin, "h1");
  const auto b = s.open("bob", Role::viewer, "h2");
  CHECK(a.size() == 64);
  CHECK(a != b);
  REQUIRE(s.find(a) != nullptr);
  CHECK(s.find(a)->csrf != s.find(b)->csrf);
  CHECK(s.find("nope") == nullptr);
  s.close_if([](const watt::web::Session& x) { return x.user == "bob"; });
  CHECK(s.find(b) == nullptr);
  s.close(a);
  CHECK(s.size() == 0);
}

TEST_CASE("web sessions: an idle session ends") {
  watt::web::Sessions s(std::chrono::seconds(0));
  const auto a = s.open("alice", Role::admin, "h");
  CHECK(s.find(a) == nullptr);
}

TEST_CASE("web login limits: past the failures a key waits, a success clears it, others are not held") {
  watt::web::LoginLimiter l({3, std::chrono::seconds(300), std::chrono::seconds(60)});
  l.failed("user:ann");
  l.failed("user:ann");
  CHECK(l.wait("user:ann").count() == 0);
  l.failed("user:ann");
  CHECK(l.wait("user:ann").count() > 0);
  CHECK(l.wait("user:otto").count() == 0);
  l.succeeded("user:ann");
  CHECK(l.wait("user:ann").count() == 0);
}
