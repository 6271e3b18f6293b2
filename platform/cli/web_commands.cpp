// watt web user add|remove|passwd|role|list: the web view's users
// (docs/web.md). They live in $WATT_HOME/web/users.yml, which the web agent
// reads again when it changes: no restart, and a removed user's or a changed
// password's sessions end at once.
#include "cli_context.hpp"
#include "table.hpp"

#include <watt/web/users.hpp>

#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace watt::cli {
namespace {

// The password from standard input: one line, not echoed at a terminal.
std::string read_password(bool from_stdin) {
  const bool tty = !from_stdin && ::isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::cerr << "password: " << std::flush;
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

// Loads the users, lets `change` alter them, saves them; a UserError is the
// command's one-line failure.
template <class F>
void change_users(Context& ctx, F change) {
  try {
    const auto file = web::users_file(ctx.home());
    auto users = web::Users::load(file);
    change(users);
    users.save(file);
  } catch (const web::UserError& e) {
    throw Failure{e.what()};
  }
}

}  // namespace

void add_web_commands(CLI::App& app, Context& ctx) {
  auto* web = app.add_subcommand("web", "the web view (docs/web.md)");
  web->require_subcommand(1);
  auto* user = web->add_subcommand("user", "who may log in to the web view, and with which role");
  user->require_subcommand(1);
  struct Args {
    std::string name, role = "viewer";
    bool password_stdin = false;
  };
  auto a = std::make_shared<Args>();

  auto* add = user->add_subcommand("add", "add a user; asks for the password");
  add->add_option("name", a->name)->required();
  add->add_option("--role", a->role, "viewer (default), operator or admin");
  add->add_flag("--password-stdin", a->password_stdin, "read the password from standard input, unprompted");
  add->callback(guarded([&ctx, a] {
    change_users(ctx, [&](web::Users& u) {
      const auto role = web::role_from_string(a->role);
      u.add(a->name, role, read_password(a->password_stdin));
    });
    std::cout << "added " << a->name << " (" << a->role << ")\n";
  }));

  auto* passwd = user->add_subcommand("passwd", "set a user's password; their sessions end");
  passwd->add_option("name", a->name)->required();
  passwd->add_flag("--password-stdin", a->password_stdin, "read the password from standard input, unprompted");
  passwd->callback(guarded([&ctx, a] {
    change_users(ctx, [&](web::Users& u) {
      if (u.find(a->name) == nullptr) throw web::UserError("no user '" + a->name + "'");
      u.set_password(a->name, read_password(a->password_stdin));
    });
    std::cout << "changed the password of " << a->name << "\n";
  }));

  auto* role = user->add_subcommand("role", "change a user's role; their sessions end");
  role->add_option("name", a->name)->required();
  role->add_option("role", a->role, "viewer, operator or admin")->required();
  role->callback(guarded([&ctx, a] {
    change_users(ctx, [&](web::Users& u) { u.set_role(a->name, web::role_from_string(a->role)); });
    std::cout << a->name << " is now " << a->role << "\n";
  }));

  auto* remove = user->add_subcommand("remove", "remove a user; their sessions end");
  remove->add_option("name", a->name)->required();
  remove->callback(guarded([&ctx, a] {
    change_users(ctx, [&](web::Users& u) { u.remove(a->name); });
    std::cout << "removed " << a->name << "\n";
  }));

  auto* list = user->add_subcommand("list", "the users and their roles (never a password or its hash)");
  list->callback(guarded([&ctx] {
    try {
      Table t({"user", "role"});
      for (const auto& u : web::Users::load(web::users_file(ctx.home())).all()) t.row({u.name, web::to_string(u.role)});
      t.print(std::cout);
    } catch (const web::UserError& e) {
      throw Failure{e.what()};
    }
  }));
}

}  // namespace watt::cli
