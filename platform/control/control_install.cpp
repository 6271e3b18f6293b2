// ControlAgent: installing agents, one or many at a time. A library is
// checked (loaded in a child process) once per request however many agents
// use it, and the allow-list is rewritten once per request.
#include "control_agent.hpp"

#include "spawn.hpp"

#include <watt/container.hpp>
#include <watt/identity.hpp>

#include <yaml-cpp/yaml.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace watt::platform {

namespace {

// The library a request names: the file, or the one .so in a folder.
fs::path library_of(const std::string& source) {
  fs::path library(source);
  if (fs::is_directory(library)) {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(library))
      if (e.path().extension() == ".so") found.push_back(e.path());
    if (found.size() != 1)
      throw Error(source + " holds " + std::to_string(found.size()) + " .so files; expected exactly one");
    library = found.front();
  }
  if (!fs::is_regular_file(library)) throw Error("no such agent library: " + source);
  return library;
}

}  // namespace

std::string ControlAgent::check_library(const fs::path& library) const {
  // Loaded in a child, never in wattd: a library's static constructors are
  // its own business, and a crash there must not take the platform down.
  const fs::path out = options_.home / "run" / ("check-" + std::to_string(::getpid()) + ".out");
  SpawnOptions o;
  o.output = out;
  o.append = false;
  const pid_t pid = spawn({options_.supervisor.runner.string(), library.string(), "--check"}, o);
  // A library whose constructors never return must not freeze the platform.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      fs::remove(out);
      throw Error("loading " + library.string() + " did not finish within 10 s (a static constructor that hangs?)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  fs::remove(out);
  std::string result = text.str();
  while (!result.empty() && (result.back() == '\n' || result.back() == '\r')) result.pop_back();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string prefix = "watt-agent: ";
    if (result.rfind(prefix, 0) == 0) result = result.substr(prefix.size());
    throw Error(result.empty() ? "the library could not be loaded" : result);
  }
  return result;  // the agent's class name
}

ControlAgent::Prepared ControlAgent::prepare(const InstallRequest& r, std::map<fs::path, std::string>& checked) {
  if (auto err = identity_error(r.identity); !err.empty()) throw Error(err);
  if (r.identity == "platform") throw Error("identity 'platform' is reserved");
  if (registry_.find(r.identity) != nullptr)
    throw Error("an agent '" + r.identity + "' is already installed; remove it first");
  (void)restart_policy_from_string(r.restart);
  Prepared p;
  p.library = library_of(r.source);
  if (!r.config.empty()) {
    try {
      (void)YAML::Load(r.config);
    } catch (const YAML::Exception& e) {
      throw Error(std::string("the configuration is not valid YAML: ") + e.what());
    }
  }
  if (!r.container.empty()) {
    if (auto err = identity_error(container_identity(r.container)); !err.empty())
      throw Error("container name '" + r.container + "': " + err);
    if (registry_.find(container_identity(r.container)) != nullptr)
      throw Error("container name '" + r.container + "' clashes with an installed agent's identity");
  }
  p.agent.identity = r.identity;
  auto& class_name = checked[fs::absolute(p.library)];
  if (class_name.empty()) class_name = check_library(p.library);
  p.agent.class_name = class_name;
  p.agent.restart = r.restart;
  p.agent.container = r.container;
  // What it may do on the bus, checked before anything is installed.
  p.grant.name = r.identity;
  p.grant.local = true;
  p.grant.identities = {r.identity};
  p.grant.publish = r.publish;
  p.grant.call = r.call;
  p.grant.subscribe = r.subscribe;
  if (auto err = broker::auth_entry_error(p.grant); !err.empty()) throw Error(err);
  p.config = r.config;
  return p;
}

void ControlAgent::commit(const std::vector<Prepared>& prepared) {
  std::size_t done = 0;
  std::string failure;
  for (const auto& p : prepared) {
    try {
      registry_.install(p.agent, p.library);
      ++done;
      // Leftovers of an earlier agent of this name would surprise the new one.
      configs_.remove_all(p.agent.identity);
      if (!p.config.empty()) configs_.set(p.agent.identity, "config", p.config);
    } catch (const std::exception& e) {
      failure = "'" + p.agent.identity + "': " + e.what();
      break;
    }
  }
  // The grants of those installed, whatever became of the rest.
  change_allow_list([&](broker::AllowList& l) {
    for (std::size_t i = 0; i < done; ++i) l.put(prepared[i].grant);
  });
  for (std::size_t i = 0; i < done; ++i)
    log().info("installed '{}' ({}) from {}", prepared[i].agent.identity, prepared[i].agent.class_name,
               prepared[i].library.string());
  if (!failure.empty())
    throw Error("installed " + std::to_string(done) + " of " + std::to_string(prepared.size()) + " agents; " + failure);
}

std::string ControlAgent::install(const InstallRequest& r) {
  if (shutting_down_) throw Error("the platform is shutting down");
  std::map<fs::path, std::string> checked;
  std::vector<Prepared> p{prepare(r, checked)};
  commit(p);
  return p.front().agent.class_name;
}

// All or nothing up to the disk: every request is checked before the first
// is installed, and a refusal names the agent (and its place in the list).
// With `check_only`, nothing is installed: a list too long for one message
// is checked whole this way, part by part, before it is installed. `first`:
// the place of the first request in the whole list, for the messages.
std::vector<std::string> ControlAgent::install_many(const std::vector<InstallRequest>& requests, bool check_only,
                                                    std::uint64_t first) {
  if (shutting_down_) throw Error("the platform is shutting down");
  if (requests.empty()) throw Error("no agents to install");
  std::map<fs::path, std::string> checked;
  std::set<std::string> identities;
  std::vector<Prepared> prepared;
  prepared.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    const std::string which = "agent " + std::to_string(first + i) + " ('" + r.identity + "')";
    if (!identities.insert(r.identity).second) throw Error(which + ": listed twice");
    try {
      prepared.push_back(prepare(r, checked));
    } catch (const std::exception& e) {
      throw Error(which + ": " + e.what());
    }
  }
  if (!check_only) commit(prepared);
  std::vector<std::string> classes;
  classes.reserve(prepared.size());
  for (const auto& p : prepared) classes.push_back(p.agent.class_name);
  return classes;
}

}  // namespace watt::platform
