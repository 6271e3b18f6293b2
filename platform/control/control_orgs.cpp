// ControlAgent: organizations of agents (docs/organizations.md), kept in
// $WATT_HOME/orgs.yml and handed to the broker, which guards their topics.
#include "control_agent.hpp"

#include <watt/platform/org_tree.hpp>

namespace watt::platform {

void ControlAgent::change_orgs(const std::function<void(OrgTree&)>& change) {
  const auto file = options_.home / "orgs.yml";
  auto tree = OrgTree::load(file);
  change(tree);
  tree.save(file);
  auto r = call("broker", "reload_orgs").get();
  if (!r) throw Error("saved, but the broker did not reload it: " + r.error().what());
  // Whoever keeps organizations' data (a historian) reads them again.
  publish("platform/orgs/changed", tree.orgs().size());
}

void ControlAgent::export_org_methods() {
  export_method("org_list", [this] {
    const auto tree = OrgTree::load(options_.home / "orgs.yml");
    std::vector<OrgInfo> out;
    for (const auto& [name, o] : tree.orgs()) out.push_back(o);
    return out;
  });
  export_method("org_create", [this](const std::string& name, const std::string& kind, const std::string& parent) {
    change_orgs([&](OrgTree& t) { t.create(name, kind, parent); });
  });
  export_method("org_add", [this](const std::string& name, const std::string& id, const std::string& role) {
    change_orgs([&](OrgTree& t) { t.add(name, id, role); });
  });
  // Without an identity, the whole organization.
  export_method("org_remove", [this](const std::string& name, const std::string& id) {
    change_orgs([&](OrgTree& t) { id.empty() ? t.remove(name) : t.remove_member(name, id); });
  });
  export_method("org_apply", [this](const std::string& text, const std::string& source) {
    const auto file = OrgTree::parse(text, source);
    change_orgs([&](OrgTree& t) {
      try {
        t.apply(file);
      } catch (const Error& e) {
        throw Error(source + ": " + e.what());
      }
    });
    return file.orgs().size();
  });
}

}  // namespace watt::platform
