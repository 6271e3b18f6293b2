// Economic dispatch: run configurations — the 16-node example, every
// refusal naming its node and field, the YAML round trip and the planner
// that splits a run into per-agent files.
#include "ed_cases.hpp"

#include <watt/ed/error.hpp>

#include <cmath>
#include <string>

using namespace ed_test;

namespace {

RunConfig parse(const std::string& yaml) { return parse_run_config(YAML::Load(yaml)); }

std::string refusal(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not an ed::Error: ") + e.what();
  }
  return "";
}

const std::string three_nodes = R"(
run: t
nodes:
  - {id: L1, role: consumer, w: 12.0, s: 0.04, pmax: 80}
  - {id: L2, role: consumer, w: 11.0, s: 0.05, pmax: 60, demand: 5}
  - {id: DG1, role: generator, a: 0.02, b: 3.0, c: 10.0, pmax: 150}
)";

// The three-node run with one node entry replaced.
std::string with_node(const std::string& entry) {
  return "run: t\nnodes:\n  - {id: L1, role: consumer, w: 12.0, s: 0.04, pmax: 80}\n  - " + entry + "\n";
}

}  // namespace

TEST_CASE("ed run config: the 16-node example reads as a complete graph with automatic epsilon") {
  const auto c = load_run_file(ed16_path());
  CHECK(c.run == "ed16");
  CHECK(c.graph.kind == GraphSpec::Kind::complete);
  CHECK(c.epsilon == 0);
  CHECK(c.k_max == 1000);
  CHECK(c.mismatch_tol == 0.1);
  CHECK(c.lambda_tol == 0.001);
  CHECK(c.neighbour_timeout.count() == 3000);
  REQUIRE(c.nodes.size() == 16);
  CHECK(c.members.size() == 16);
  CHECK(c.members.front() == "L1");
  CHECK(c.nodes[10].id == "DG1");
  CHECK(c.nodes[10].a == 0.0205);
  CHECK(c.nodes[10].c == 10.0);
  const auto g = c.graph_of_members();
  CHECK(g.edge_count() == 120);
  const auto stats = step_stats(c.nodes);
  CHECK(c.epsilon_for(g) == doctest::Approx(1 / (3 * stats.c_max)));
}

TEST_CASE("ed run config: every key is read") {
  const auto c = parse(R"(
run: r7
graph: {type: random, degree: 3, seed: 9}
epsilon: 0.004
k_max: 500
stop: {mismatch_kw: 0.2, lambda_spread: 0.01}
neighbour_timeout_ms: 750
members: [L1, L2, DG1, DG2]
step: {c_max: 14.1, c_mean: 11.3}
nodes:
  - {id: L2, role: consumer, w: 11.0, s: 0.05, pmax: 60, demand: 5}
)");
  CHECK(c.run == "r7");
  CHECK(c.graph.kind == GraphSpec::Kind::random);
  CHECK(c.graph.degree == 3);
  CHECK(c.graph.seed == 9);
  CHECK(c.epsilon == 0.004);
  CHECK(c.k_max == 500);
  CHECK(c.mismatch_tol == 0.2);
  CHECK(c.lambda_tol == 0.01);
  CHECK(c.neighbour_timeout.count() == 750);
  CHECK(c.members == std::vector<std::string>{"L1", "L2", "DG1", "DG2"});
  REQUIRE(c.step);
  CHECK(c.step->c_max == 14.1);
  CHECK(c.step->c_mean == 11.3);
  REQUIRE(c.nodes.size() == 1);
  CHECK(c.nodes[0].demand == 5);
  CHECK(c.epsilon_for(c.graph_of_members()) == 0.004);

  // Automatic ε from the given statistics when this file holds only some nodes.
  const auto partial = parse(R"(
run: r7
graph: ring
members: [L1, L2, DG1, DG2]
step: {c_max: 14.1, c_mean: 11.3}
nodes: [{id: L2, role: consumer, w: 11.0, s: 0.05, pmax: 60}]
)");
  const double gap = 2.0 / 3 * (1 - std::cos(2 * 3.14159265358979323846 / 4));
  CHECK(partial.epsilon_for(partial.graph_of_members()) == doctest::Approx(std::min(1 / (3 * 14.1), gap / 11.3)));

  const auto grid = parse("run: g\ngraph: {type: grid, rows: 1, cols: 3}\nmembers: [A, B, C]\nepsilon: 0.1\n");
  CHECK(grid.graph.kind == GraphSpec::Kind::grid);
  CHECK(grid.graph_of_members().edge_count() == 2);
  const auto edges = parse("run: e\ngraph: {type: edges, edges: [[A, B], [B, C]]}\nmembers: [A, B, C]\nepsilon: 0.1\n");
  CHECK(edges.graph.edges.size() == 2);
}

TEST_CASE("ed run config: node mistakes are refused with the node and the field named") {
  CHECK(refusal(three_nodes).empty());
  CHECK(refusal(with_node("{id: L3, role: battery, w: 1, s: 1, pmax: 1}")) ==
        "node L3: role must be generator or consumer (got 'battery')");
  CHECK(refusal(with_node("{id: L3, w: 1, s: 1, pmax: 1}")) == "node L3: role is missing (generator or consumer)");
  CHECK(refusal(with_node("{id: DG3, role: generator, b: 3, pmax: 1}")) ==
        "node DG3: a is missing (a generator needs a, b and pmax)");
  CHECK(refusal(with_node("{id: DG3, role: generator, a: 0.1, pmax: 1}")) ==
        "node DG3: b is missing (a generator needs a, b and pmax)");
  CHECK(refusal(with_node("{id: L3, role: consumer, s: 0.1, pmax: 1}")) ==
        "node L3: w is missing (a consumer needs w, s and pmax)");
  CHECK(refusal(with_node("{id: L3, role: consumer, w: 9, pmax: 1}")) ==
        "node L3: s is missing (a consumer needs w, s and pmax)");
  CHECK(refusal(with_node("{id: L3, role: consumer, w: 9, s: 0.1}")) ==
        "node L3: pmax is missing (a consumer needs w, s and pmax)");
  CHECK(refusal(with_node("{id: DG3, role: generator, a: -1, b: 3, pmax: 1}")) == "node DG3: a must be > 0 (got -1)");
  CHECK(refusal(with_node("{id: DG3, role: generator, a: 0, b: 3, pmax: 1}")) == "node DG3: a must be > 0 (got 0)");
  CHECK(refusal(with_node("{id: L3, role: consumer, w: 9, s: -0.5, pmax: 1}")) == "node L3: s must be > 0 (got -0.5)");
  CHECK(refusal(with_node("{id: L3, role: consumer, w: 9, s: 0.1, pmax: -2}")) ==
        "node L3: pmax must be >= 0 (got -2)");
  CHECK(refusal(with_node("{id: L3, role: consumer, w: 9, s: 0.1, pmax: lots}")) == "node L3: pmax must be a number");
  CHECK(refusal(with_node("{id: L3, role: consumer, w: [9], s: 0.1, pmax: 1}")) == "node L3: w must be a number");
  CHECK(refusal(with_node("{id: L3, role: consumer, w: .nan, s: 0.1, pmax: 1}")) ==
        "node L3: w must be a finite number");
  CHECK(refusal(with_node("{id: L3, role: consumer, w: 9, s: 0.1, pmax: 1, a: 2}")) ==
        "node L3: a does not apply to a consumer");
  CHECK(refusal(with_node("{id: DG3, role: generator, a: 1, b: 3, pmax: 1, s: 2}")) ==
        "node DG3: s does not apply to a generator");
  CHECK(refusal(with_node("{id: L3, role: consumer, w: 9, s: 0.1, pmax: 1, colour: red}"))
            .starts_with("node L3: unknown key 'colour' (known: "));
  CHECK(refusal(with_node("{role: consumer, w: 9, s: 0.1, pmax: 1}")) == "nodes[1]: id is missing");
  CHECK(refusal(with_node("{id: [x], role: consumer, w: 9, s: 0.1, pmax: 1}")) == "nodes[1]: id must be a string");
  CHECK(refusal(with_node("{id: a/b, role: consumer, w: 9, s: 0.1, pmax: 1}"))
            .starts_with("nodes[1]: node id 'a/b' must be one topic segment"));
  CHECK(refusal(with_node("{id: status, role: consumer, w: 9, s: 0.1, pmax: 1}"))
            .starts_with("nodes[1]: node id 'status' is reserved"));
  CHECK(refusal(with_node("{id: L1, role: consumer, w: 9, s: 0.1, pmax: 1}")) ==
        "duplicate node id 'L1' (nodes[0] and nodes[1])");
  CHECK(refusal(with_node("just text")) == "nodes[1] must be a map");
}

TEST_CASE("ed run config: run-wide mistakes are refused with the field named") {
  CHECK(refusal("run: t\ncolour: red\n" + three_nodes.substr(7)).starts_with("unknown key 'colour' (known: "));
  CHECK(refusal("nodes: []") == "run is missing (the run's name, one topic segment)");
  CHECK(refusal("run: a/b\nmembers: [A]\nepsilon: 1\n").starts_with("run: 'a/b' must be one non-empty topic segment"));
  CHECK(refusal("run: t\nmembers: []\n") == "the run has no members (give members or nodes)");
  CHECK(refusal(three_nodes + "k_max: -3\n") == "k_max must be > 0 (got -3)");
  CHECK(refusal(three_nodes + "k_max: 1.5\n") == "k_max must be a whole number");
  CHECK(refusal(three_nodes + "epsilon: fast\n") == "epsilon must be a number");
  CHECK(refusal(three_nodes + "epsilon: 0\n") == "epsilon must be > 0 (got 0)");
  CHECK(refusal(three_nodes + "neighbour_timeout_ms: soon\n") == "neighbour_timeout_ms must be a whole number");
  CHECK(refusal(three_nodes + "stop: {mismatch_kw: -1}\n") == "stop: mismatch_kw must be > 0 (got -1)");
  CHECK(refusal(three_nodes + "stop: {lambda: 1}\n").starts_with("stop: unknown key 'lambda'"));
  CHECK(refusal(three_nodes + "step: {c_max: 3}\n") == "step: needs both c_max and c_mean");
  CHECK(refusal(three_nodes + "members: [L1, L2]\n") == "node DG1: not in members");
  CHECK(refusal(three_nodes + "members: [L1, L2, DG1, L1]\n") == "duplicate member 'L1' (members[0] and members[3])");
  CHECK(refusal(three_nodes + "members: [L1, L2, DG1, X9]\n") ==
        "epsilon auto needs step: {c_max, c_mean} or every member's parameters (node X9 has none here)");
  CHECK(refusal(three_nodes + "graph: star\n") ==
        "graph: type must be complete, ring, grid, random or edges (got 'star')");
  CHECK(refusal(three_nodes + "graph: {type: grid, rows: 2, cols: 2}\n") ==
        "graph: a grid of 2 rows x 2 cols holds 4 nodes, but the run has 3");
  CHECK(refusal(three_nodes + "graph: {type: grid, rows: 3}\n") == "graph: grid needs rows and cols");
  CHECK(refusal(three_nodes + "graph: {type: ring, seed: 3}\n").starts_with("graph: unknown key 'seed'"));
  CHECK(refusal(three_nodes + "graph: {type: random, seed: -3}\n") == "graph: seed must be a whole number >= 0");
  CHECK(refusal(three_nodes + "graph: {type: random, degree: many}\n") == "graph: degree must be a number");
  CHECK(refusal(three_nodes + "graph: {type: edges, edges: [[L1, L2], [L2, X9]]}\n") ==
        "node L2: neighbour 'X9' does not exist");
  CHECK(refusal(three_nodes + "graph: {type: edges, edges: [[L1, L2, DG1]]}\n") ==
        "graph: edges[0] must be a pair of node ids [from, to]");
  CHECK(refusal(three_nodes + "graph: {type: edges, edges: [[L1, L2]]}\n") ==
        "graph is disconnected: DG1 cannot reach L1");
  CHECK(refusal(three_nodes + "graph: {type: edges, edges: [[L1, L1]]}\n") ==
        "node L1: an edge to itself is not allowed");
  try {
    load_run_file("/nonexistent/run.yml");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "/nonexistent/run.yml: cannot read the file");
  }
}

TEST_CASE("ed run config: to_yaml reads back to the same configuration") {
  auto c = parse(three_nodes + "graph: {type: random, degree: 2.5, seed: 11}\nstep: {c_max: 14.1, c_mean: 11.3}\n");
  c.epsilon = 0.0123;
  const auto back = parse_run_config(YAML::Load(YAML::Dump(to_yaml(c))));
  CHECK(back.run == c.run);
  CHECK(back.members == c.members);
  CHECK(back.graph.kind == c.graph.kind);
  CHECK(back.graph.degree == c.graph.degree);
  CHECK(back.graph.seed == c.graph.seed);
  CHECK(back.epsilon == c.epsilon);
  CHECK(back.k_max == c.k_max);
  CHECK(back.step->c_mean == c.step->c_mean);
  REQUIRE(back.nodes.size() == c.nodes.size());
  for (std::size_t i = 0; i < c.nodes.size(); ++i) {
    CHECK(back.nodes[i].id == c.nodes[i].id);
    CHECK(back.nodes[i].role == c.nodes[i].role);
    CHECK(back.nodes[i].a == c.nodes[i].a);
    CHECK(back.nodes[i].w == c.nodes[i].w);
    CHECK(back.nodes[i].s == c.nodes[i].s);
    CHECK(back.nodes[i].pmax == c.nodes[i].pmax);
    CHECK(back.nodes[i].demand == c.nodes[i].demand);
  }
  // Shortest exact text, not 17 digits.
  CHECK(YAML::Dump(to_yaml(c)).find("a: 0.02,") != std::string::npos);
}

TEST_CASE("ed run config: split_run gives each agent only its own nodes and the same epsilon") {
  const auto c = load_run_file(ed16_path());
  const double epsilon = c.epsilon_for(c.graph_of_members());
  const auto agents = split_run(c, 1);
  REQUIRE(agents.size() == 16);
  CHECK(agents[0].first == "node-L1");
  CHECK(agents[15].first == "node-DG6");
  for (const auto& [name, yaml] : agents) {
    const auto part = parse_run_config(yaml);
    REQUIRE(part.nodes.size() == 1);
    CHECK(name == "node-" + part.nodes[0].id);
    CHECK(part.members == c.members);
    CHECK(part.run == "ed16");
    CHECK(part.step);
    CHECK(part.epsilon_for(part.graph_of_members()) == doctest::Approx(epsilon).epsilon(1e-14));
    // Nobody else's private parameters leak into this file.
    const auto text = YAML::Dump(yaml);
    for (const auto& other : c.nodes)
      if (other.id != part.nodes[0].id) CHECK(text.find("id: " + other.id + ",") == std::string::npos);
  }
  const auto groups = split_run(c, 5);
  REQUIRE(groups.size() == 4);
  CHECK(groups[0].first == "group-0");
  CHECK(groups[3].first == "group-3");
  CHECK(parse_run_config(groups[0].second).nodes.size() == 5);
  CHECK(parse_run_config(groups[3].second).nodes.size() == 1);
  CHECK_THROWS_AS(split_run(c, 0), Error);

  auto partial = c;
  partial.nodes.pop_back();
  try {
    split_run(partial, 1);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "split_run: node DG6 has no parameters to hand to its agent");
  }
}
