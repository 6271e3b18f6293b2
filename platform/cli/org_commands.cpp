// watt org create|add|list|show|remove|apply: organizations of agents
// (docs/organizations.md).
#include "cli_context.hpp"
#include "table.hpp"

#include <watt/platform/org_types.hpp>

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace watt::cli {
namespace {

using platform::OrgInfo;

std::map<std::string, OrgInfo> all_orgs(const Context& ctx, Client& c) {
  std::map<std::string, OrgInfo> out;
  for (auto& o : ctx.control(c, "org_list", args()).as<std::vector<OrgInfo>>()) out[o.name] = std::move(o);
  return out;
}

std::string roles_of(const OrgInfo& o) {
  std::string out;
  for (const auto& m : o.members) out += (out.empty() ? "" : ", ") + m.role + " " + m.id;
  if (o.holder("ip").empty()) out += (out.empty() ? "" : ", ") + std::string("NO IP: it cannot speak to others");
  return out;
}

void draw(const std::map<std::string, OrgInfo>& orgs, const OrgInfo& o, const std::string& lead, bool last, bool root,
          std::ostream& out) {
  out << (root ? "" : lead + (last ? "└── " : "├── ")) << o.name << " (" << o.kind << ")  " << roles_of(o) << "\n";
  std::vector<const OrgInfo*> kids;
  for (const auto& [name, k] : orgs)
    if (k.parent == o.name) kids.push_back(&k);
  const std::string next = root ? "" : lead + (last ? "    " : "│   ");
  for (std::size_t i = 0; i < kids.size(); ++i) draw(orgs, *kids[i], next, i + 1 == kids.size(), false, out);
}

void add_org_changes(CLI::App* org, Context& ctx) {
  struct Create {
    std::string name, kind, parent;
  };
  auto create = std::make_shared<Create>();
  auto* c = org->add_subcommand("create", "a new organization, under a parent or at the top");
  c->add_option("name", create->name)->required();
  c->add_option("--kind", create->kind, "disco, aggregator or end-user")->required();
  c->add_option("--parent", create->parent, "the organization that holds it");
  c->callback(guarded([&ctx, create] {
    auto cl = ctx.connect();
    ctx.control(*cl, "org_create", args(create->name, create->kind, create->parent));
    std::cout << "created organization " << create->name << "\n";
  }));
  struct Add {
    std::string name, id, role;
  };
  auto add = std::make_shared<Add>();
  auto* a = org->add_subcommand("add", "an agent to an organization, in a role");
  a->add_option("name", add->name)->required();
  a->add_option("id", add->id, "the agent's identity")->required();
  a->add_option("--role", add->role, "ip, pe, dms or member")->required();
  a->callback(guarded([&ctx, add] {
    auto cl = ctx.connect();
    ctx.control(*cl, "org_add", args(add->name, add->id, add->role));
    std::cout << "added " << add->id << " to " << add->name << " as " << add->role << "\n";
  }));
  auto* r = org->add_subcommand("remove", "an organization (once nothing is under it), or one of its members");
  r->add_option("name", add->name)->required();
  r->add_option("id", add->id, "only this member");
  r->callback(guarded([&ctx, add] {
    auto cl = ctx.connect();
    ctx.control(*cl, "org_remove", args(add->name, add->id));
    std::cout << "removed " << (add->id.empty() ? "organization " + add->name : add->id + " from " + add->name) << "\n";
  }));
  auto file = std::make_shared<std::string>();
  auto* ap = org->add_subcommand("apply", "organizations from a file: each created, or replaced whole");
  ap->add_option("file", *file)->required()->check(CLI::ExistingFile);
  ap->callback(guarded([&ctx, file] {
    std::ifstream in(*file);
    std::stringstream text;
    text << in.rdbuf();
    auto cl = ctx.connect();
    const auto n = ctx.control(*cl, "org_apply", args(text.str(), *file)).as<std::size_t>();
    std::cout << "applied " << n << " organization" << (n == 1 ? "" : "s") << " from " << *file << "\n";
  }));
}

}  // namespace

void add_org_commands(CLI::App& app, Context& ctx) {
  auto* org = app.add_subcommand("org", "organizations of agents: end-users, aggregators, a DisCo");
  org->require_subcommand(1);
  org->add_subcommand("list", "every organization, its kind, parent and members")->callback(guarded([&ctx] {
    auto c = ctx.connect();
    Table t({"ORGANIZATION", "KIND", "PARENT", "IP", "MEMBERS"});
    for (const auto& [name, o] : all_orgs(ctx, *c)) {
      const auto ip = o.holder("ip");
      t.row({name, o.kind, o.parent.empty() ? "-" : o.parent, ip.empty() ? "NONE" : ip,
             std::to_string(o.members.size())});
    }
    t.print(std::cout);
  }));
  auto name = std::make_shared<std::string>();
  auto* show = org->add_subcommand("show", "an organization and everything under it, as a tree");
  show->add_option("name", *name)->required();
  show->callback(guarded([&ctx, name] {
    auto c = ctx.connect();
    const auto orgs = all_orgs(ctx, *c);
    const auto it = orgs.find(*name);
    if (it == orgs.end()) throw Failure{"no organization '" + *name + "'"};
    draw(orgs, it->second, "", true, true, std::cout);
  }));
  add_org_changes(org, ctx);
}

}  // namespace watt::cli
