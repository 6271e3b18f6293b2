// watt keys [create NAME] | watt auth add|update|list|remove
#include "cli_context.hpp"
#include "table.hpp"

#include <watt/platform/auth_entry.hpp>

#include <watt/keys.hpp>

#include <iomanip>
#include <iostream>

namespace fs = std::filesystem;

namespace watt::cli {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out.empty() ? "-" : out;
}

}  // namespace

void add_security_commands(CLI::App& app, Context& ctx) {
  auto* keys =
      app.add_subcommand("keys", "the platform's public key for TCP clients; `keys create NAME` makes a client's pair");
  keys->callback(guarded([&ctx, keys] {
    if (!keys->get_subcommands().empty()) return;
    const auto file = ctx.home() / "keys" / "server.key";
    if (!fs::exists(file))
      throw Failure{"no server key yet: set broker.tcp in " + (ctx.home() / "config.yml").string() +
                    " and start the platform"};
    std::cout << read_key_file(file).public_key << "\n";  // never the secret
  }));
  struct Create {
    std::string name, dir = ".";
  };
  auto c = std::make_shared<Create>();
  auto* create = keys->add_subcommand("create", "make a key pair for a TCP client: NAME.key (keep it secret)");
  create->add_option("name", c->name)->required();
  create->add_option("--out", c->dir, "folder for NAME.key (default: here)");
  create->callback(guarded([c] {
    const auto pair = make_key_pair();
    const auto file = fs::path(c->dir) / (c->name + ".key");
    write_key_file(file, pair);
    std::cout << "wrote " << file.string() << " (mode 0600); public key:\n" << pair.public_key << "\n";
  }));

  auto* auth = app.add_subcommand("auth", "which TCP clients may connect, and what each may do");
  auth->require_subcommand(1);
  auto e = std::make_shared<broker::AuthEntry>();
  auto entry_options = [e](CLI::App* sub) {
    sub->add_option("name", e->name, "a name for the key (shown in logs)")->required();
    sub->add_option("--key", e->key, "the client's public key (40 characters)")->required();
    sub->add_option("--identity", e->identities, "identity it may claim (repeat; * = any, watt-cli-* = that prefix)")
        ->required();
    sub->add_option("--publish", e->publish, "topic pattern it may publish to (repeat)");
    sub->add_option("--call", e->call, "PEER/METHOD pattern it may call, e.g. platform/list or meter1/# (repeat)");
    sub->add_option("--subscribe", e->subscribe, "topic pattern it may subscribe within (repeat; default: none)");
  };
  auto* add = auth->add_subcommand("add", "allow a client key");
  entry_options(add);
  add->callback(guarded([&ctx, e] {
    auto client = ctx.connect();
    ctx.control(*client, "auth_add", Value::of(std::make_tuple(*e)));
    std::cout << "allowed " << e->name << "\n";
  }));
  auto* update = auth->add_subcommand("update", "change what a client key may do");
  entry_options(update);
  update->callback(guarded([&ctx, e] {
    auto client = ctx.connect();
    ctx.control(*client, "auth_update", Value::of(std::make_tuple(*e)));
    std::cout << "updated " << e->name << "\n";
  }));
  auto name = std::make_shared<std::string>();
  auto* remove = auth->add_subcommand("remove", "refuse a client key from now on");
  remove->add_option("name", *name)->required();
  remove->callback(guarded([&ctx, name] {
    auto client = ctx.connect();
    ctx.control(*client, "auth_remove", Value::of(std::make_tuple(*name)));
    std::cout << "removed " << *name << "\n";
  }));
  auth->add_subcommand("list", "the allowed keys")->callback(guarded([&ctx] {
    auto client = ctx.connect();
    const auto entries =
        ctx.control(*client, "auth_list", Value::of(std::make_tuple())).as<std::vector<broker::AuthEntry>>();
    Table t({"NAME", "KEY", "IDENTITIES", "PUBLISH", "SUBSCRIBE", "CALL"});
    for (const auto& x : entries)
      t.row({x.name, x.local ? "(installed agent, ipc)" : x.key, join(x.identities), join(x.publish), join(x.subscribe),
             join(x.call)});
    t.print(std::cout);
  }));
}

}  // namespace watt::cli
