#include "dbt/graph.hpp"

#include <gtest/gtest.h>

#include "support/artifacts_builder.hpp"
#include "support/temp_dir.hpp"

namespace cowork::dbt {
namespace {

using testing::ManifestBuilder;
using testing::TempDir;

// raw_orders (seed) -> stg_orders -> orders -> customer_ltv, orders -> dashboard (exposure)
// raw.customers (source) -> stg_customers -> orders
ManifestBuilder shop(int version = 12) {
  ManifestBuilder builder(version);
  builder.seed("raw_orders").source("raw", "customers");
  builder.model("stg_orders", {"raw_orders"}).model("stg_customers", {"source:raw.customers"});
  builder.model("orders", {"stg_orders", "stg_customers"}).model("customer_ltv", {"orders"});
  builder.test("unique", "stg_orders", "id").test("not_null", "orders", "customer_id");
  builder.test("relationships", "orders", "customer_id", {"stg_customers"});
  builder.singular_test("assert_totals", {"orders", "stg_orders"});
  builder.exposure("dashboard", {"orders"});
  return builder;
}

Graph load(const ManifestBuilder& builder, GraphOptions options = {}) {
  TempDir dir;
  ManifestOptions manifest_options;
  manifest_options.read_parent_map = true;
  auto manifest = load_manifest(builder.write(dir.path()), manifest_options);
  EXPECT_TRUE(manifest) << manifest.error().message;
  return Graph::build(std::make_shared<const Manifest>(std::move(*manifest)), options);
}

std::vector<std::string> ids(const Graph& graph, std::span<const NodeId> nodes) {
  std::vector<std::string> out;
  for (NodeId id : nodes) out.emplace_back(graph.node(id).unique_id);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Graph, ParentsAndChildren) {
  Graph graph = load(shop());
  EXPECT_TRUE(graph.edges_from_parent_map());
  NodeId orders = *graph.find("model.shop.orders");
  EXPECT_EQ(ids(graph, graph.parents(orders)),
            (std::vector<std::string>{"model.shop.stg_customers", "model.shop.stg_orders"}));
  EXPECT_EQ(ids(graph, graph.children(orders)),
            (std::vector<std::string>{"exposure.shop.dashboard", "model.shop.customer_ltv", "test.shop.assert_totals",
                                      "test.shop.not_null_orders_customer_id",
                                      "test.shop.relationships_orders_customer_id"}));
}

TEST(Graph, EdgesComputedFromDependsOnWhenTheManifestHasNoParentMap) {
  Graph with_map = load(shop());
  Graph without_map = load(shop().without_parent_map());
  EXPECT_FALSE(without_map.edges_from_parent_map());
  ASSERT_EQ(with_map.size(), without_map.size());
  for (NodeId id = 0; id < with_map.size(); ++id) {
    NodeId other = *without_map.find(with_map.node(id).unique_id);
    EXPECT_EQ(ids(with_map, with_map.parents(id)), ids(without_map, without_map.parents(other)));
    EXPECT_EQ(ids(with_map, with_map.children(id)), ids(without_map, without_map.children(other)));
  }
}

TEST(Graph, WalkReportsShortestDepthOncePerNode) {
  Graph graph = load(shop());
  NodeId ltv = *graph.find("model.shop.customer_ltv");
  auto up = graph.walk(ltv, Direction::up);
  std::vector<std::pair<std::string, int>> got;
  for (const auto& r : up) got.emplace_back(graph.node(r.node).unique_id, r.depth);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, int>>{{"model.shop.orders", 1},
                                                           {"model.shop.stg_customers", 2},
                                                           {"model.shop.stg_orders", 2},
                                                           {"seed.shop.raw_orders", 3},
                                                           {"source.shop.raw.customers", 3}}));
  EXPECT_EQ(graph.walk(ltv, Direction::up, 1).size(), 1u);
  EXPECT_TRUE(graph.walk(ltv, Direction::up, 0).empty());
  EXPECT_TRUE(graph.walk(ltv, Direction::down).empty());
  EXPECT_TRUE(graph.is_upstream(*graph.find("seed.shop.raw_orders"), ltv));
  EXPECT_FALSE(graph.is_upstream(ltv, *graph.find("seed.shop.raw_orders")));
}

TEST(Graph, TestsAttachToTheirModelAndColumn) {
  for (int version : {4, 12}) {  // v4 has no attached_node: it comes from the ref() in kwargs.model
    Graph graph = load(shop(version));
    NodeId orders = *graph.find("model.shop.orders");
    EXPECT_EQ(ids(graph, graph.tests_of(orders)),
              (std::vector<std::string>{"test.shop.not_null_orders_customer_id",
                                        "test.shop.relationships_orders_customer_id"}))
        << "v" << version;
    NodeId rel = *graph.find("test.shop.relationships_orders_customer_id");
    EXPECT_EQ(graph.node(*graph.attached_node(rel)).unique_id, "model.shop.orders");
    EXPECT_EQ(graph.node(rel).test->column_name, "customer_id");
    // A singular test reading two models is attached to neither.
    EXPECT_FALSE(graph.attached_node(*graph.find("test.shop.assert_totals")).has_value());
  }
}

TEST(Graph, ResolveNamesIdsAndSources) {
  Graph graph = load(shop());
  EXPECT_EQ(graph.node(*graph.resolve("orders")).unique_id, "model.shop.orders");
  EXPECT_EQ(graph.node(*graph.resolve("model.shop.orders")).unique_id, "model.shop.orders");
  EXPECT_EQ(graph.node(*graph.resolve("raw.customers")).unique_id, "source.shop.raw.customers");
  auto missing = graph.resolve("ordrs");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  auto partial = graph.resolve("stg");
  ASSERT_FALSE(partial);
  EXPECT_NE(partial.error().message.find("did you mean: model.shop.stg_customers, model.shop.stg_orders"),
            std::string::npos)
      << partial.error().message;
}

TEST(Graph, AmbiguousNameListsTheCandidates) {
  ManifestBuilder builder;
  builder.source("raw", "orders").source("legacy", "orders");
  Graph graph = load(builder);
  auto result = graph.resolve("orders");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "'orders' names 2 nodes; give a unique id: source.shop.legacy.orders, source.shop.raw.orders");
}

TEST(Graph, EdgesToMissingNodesBecomePlaceholdersWithAWarning) {
  ManifestBuilder builder;
  builder.model("a", {"ghost"});
  Graph graph = load(builder.without_parent_map());
  auto ghost = graph.find("model.shop.ghost");
  ASSERT_TRUE(ghost.has_value());
  EXPECT_TRUE(graph.node(*ghost).placeholder);
  ASSERT_EQ(graph.warnings().size(), 1u);
  EXPECT_NE(graph.warnings()[0].find("1 edge(s) name nodes the manifest does not have (first: model.shop.ghost)"),
            std::string::npos);
}

TEST(Graph, ParseTestTarget) {
  auto ref = parse_test_target("{{ get_where_subquery(ref('orders')) }}");
  EXPECT_FALSE(ref.is_source);
  EXPECT_EQ(ref.name, "orders");
  auto pkg = parse_test_target("{{ ref(\"pkg\", \"orders\", v=2) }}");
  EXPECT_EQ(pkg.package_or_source, "pkg");
  EXPECT_EQ(pkg.name, "orders");
  auto source = parse_test_target("{{ get_where_subquery(source('raw', 'orders')) }}");
  EXPECT_TRUE(source.is_source);
  EXPECT_EQ(source.package_or_source, "raw");
  EXPECT_EQ(source.name, "orders");
  EXPECT_TRUE(parse_test_target("{{ my_ref('x') }}").name.empty());
}

}  // namespace
}  // namespace cowork::dbt
