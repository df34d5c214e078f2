#include "dbt/selector.hpp"

#include <gtest/gtest.h>

#include "support/artifacts_builder.hpp"
#include "support/temp_dir.hpp"

namespace cowork::dbt {
namespace {

using testing::ManifestBuilder;
using testing::TempDir;

class SelectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ManifestBuilder builder;
    builder.seed("raw_orders").source("raw", "customers");
    builder.model("stg_orders", {"raw_orders"}).model("stg_customers", {"source:raw.customers"});
    builder.model("orders", {"stg_orders", "stg_customers"}).model("customer_ltv", {"orders"});
    builder.model("unrelated");
    builder.test("unique", "stg_orders", "id").test("not_null", "orders", "customer_id");
    builder.test("relationships", "orders", "customer_id", {"stg_customers"});
    builder.exposure("dashboard", {"orders"});
    auto json = builder.build();
    json["nodes"]["model.shop.orders"]["tags"] = {"nightly", "finance"};
    json["nodes"]["model.shop.orders"]["config"]["materialized"] = "table";
    json["nodes"]["model.shop.orders"]["original_file_path"] = "models/marts/orders.sql";
    json["nodes"]["model.shop.orders"]["fqn"] = {"shop", "marts", "orders"};
    json["nodes"]["model.shop.customer_ltv"]["original_file_path"] = "models/marts/customer_ltv.sql";
    json["nodes"]["model.shop.customer_ltv"]["fqn"] = {"shop", "marts", "customer_ltv"};
    auto path = m_dir.write("manifest.json", json.dump());
    auto manifest = load_manifest(path);
    ASSERT_TRUE(manifest) << manifest.error().message;
    m_graph = std::make_unique<Graph>(Graph::build(std::make_shared<const Manifest>(std::move(*manifest))));
  }

  std::vector<std::string> select(std::vector<std::string> select, std::vector<std::string> exclude = {},
                                  IndirectSelection indirect = IndirectSelection::empty,
                                  const RunResults* run = nullptr) {
    SelectionOptions options;
    options.indirect = indirect;
    options.run_results = run;
    auto result = select_nodes(*m_graph, select, exclude, options);
    EXPECT_TRUE(result) << result.error().message;
    std::vector<std::string> names;
    if (!result) return names;
    for (NodeId id : *result) names.push_back(short_name(m_graph->node(id).unique_id));
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string error_of(std::vector<std::string> select) {
    auto result = select_nodes(*m_graph, select, {}, {});
    return result ? std::string("no error") : result.error().message;
  }

  using Names = std::vector<std::string>;
  TempDir m_dir;
  std::unique_ptr<Graph> m_graph;
};

TEST_F(SelectorTest, BareNameAndGraphOperators) {
  EXPECT_EQ(select({"orders"}), (Names{"orders"}));
  EXPECT_EQ(select({"+orders"}), (Names{"orders", "raw.customers", "raw_orders", "stg_customers", "stg_orders"}));
  EXPECT_EQ(select({"1+orders"}), (Names{"orders", "stg_customers", "stg_orders"}));
  EXPECT_EQ(select({"orders+"}), (Names{"customer_ltv", "dashboard", "not_null_orders_customer_id", "orders",
                                        "relationships_orders_customer_id"}));
  EXPECT_EQ(select({"stg_orders+1"}), (Names{"orders", "stg_orders", "unique_stg_orders_id"}));
  EXPECT_EQ(select({"2+customer_ltv"}), (Names{"customer_ltv", "orders", "stg_customers", "stg_orders"}));
}

TEST_F(SelectorTest, AtOperatorAddsAncestorsOfDescendants) {
  // @stg_orders: stg_orders, everything downstream, and their other parents (stg_customers and its source).
  auto names = select({"@stg_orders"});
  EXPECT_NE(std::find(names.begin(), names.end(), "stg_customers"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "raw.customers"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "unrelated"), names.end());
}

TEST_F(SelectorTest, UnionIntersectionAndExclude) {
  EXPECT_EQ(select({"stg_orders stg_customers"}), (Names{"stg_customers", "stg_orders"}));
  EXPECT_EQ(select({"stg_orders", "unrelated"}), (Names{"stg_orders", "unrelated"}));
  EXPECT_EQ(select({"+orders,tag:nightly"}), (Names{"orders"}));
  EXPECT_EQ(select({"+orders"}, {"stg_customers+"}), (Names{"raw.customers", "raw_orders", "stg_orders"}));
}

TEST_F(SelectorTest, Methods) {
  EXPECT_EQ(select({"tag:nightly"}), (Names{"orders"}));
  EXPECT_EQ(select({"tag:fin*"}), (Names{"orders"}));
  EXPECT_EQ(select({"path:models/marts"}), (Names{"customer_ltv", "orders"}));
  EXPECT_EQ(select({"models/marts/orders.sql"}), (Names{"orders"}));
  EXPECT_EQ(select({"file:orders.sql"}), (Names{"orders"}));
  EXPECT_EQ(select({"marts"}), (Names{"customer_ltv", "orders"}));
  EXPECT_EQ(select({"shop.marts.*"}), (Names{"customer_ltv", "orders"}));
  EXPECT_EQ(select({"stg_*"}), (Names{"stg_customers", "stg_orders"}));
  EXPECT_EQ(select({"source:raw"}), (Names{"raw.customers"}));
  EXPECT_EQ(select({"source:raw.customers+1"}), (Names{"raw.customers", "stg_customers"}));
  EXPECT_EQ(select({"resource_type:seed"}), (Names{"raw_orders"}));
  EXPECT_EQ(select({"config.materialized:table"}), (Names{"orders"}));
  EXPECT_EQ(select({"test_name:not_null"}), (Names{"not_null_orders_customer_id"}));
  EXPECT_EQ(select({"test_type:generic"}).size(), 3u);
  EXPECT_EQ(select({"exposure:dashboard"}), (Names{"dashboard"}));
  EXPECT_EQ(select({"package:shop,resource_type:exposure"}), (Names{"dashboard"}));
}

TEST_F(SelectorTest, IndirectSelectionOfTests) {
  EXPECT_EQ(select({"orders"}, {}, IndirectSelection::eager),
            (Names{"not_null_orders_customer_id", "orders", "relationships_orders_customer_id"}));
  // The relationships test also reads stg_customers, so cautious leaves it out.
  EXPECT_EQ(select({"orders"}, {}, IndirectSelection::cautious), (Names{"not_null_orders_customer_id", "orders"}));
  EXPECT_EQ(select({"orders"}, {}, IndirectSelection::buildable),
            (Names{"not_null_orders_customer_id", "orders", "relationships_orders_customer_id"}));
  EXPECT_EQ(select({"orders"}, {"test_name:relationships"}, IndirectSelection::eager),
            (Names{"not_null_orders_customer_id", "orders"}));
}

TEST_F(SelectorTest, ResultMethodReadsRunResults) {
  RunResults run;
  run.results.push_back({.unique_id = "model.shop.stg_orders", .status = RunStatus::error});
  run.results.push_back({.unique_id = "model.shop.orders", .status = RunStatus::success});
  EXPECT_EQ(select({"result:error"}, {}, IndirectSelection::empty, &run), (Names{"stg_orders"}));
  EXPECT_EQ(select({"result:error+1"}, {}, IndirectSelection::empty, &run),
            (Names{"orders", "stg_orders", "unique_stg_orders_id"}));
  EXPECT_NE(error_of({"result:error"}).find("needs run results"), std::string::npos);
}

TEST_F(SelectorTest, EmptySelectionMeansEverything) {
  EXPECT_EQ(select({}).size(), m_graph->size());
}

TEST_F(SelectorTest, BadSelectorsAreClearErrors) {
  EXPECT_EQ(error_of({"colour:red"}),
            "unknown selector method 'colour' in 'colour:red'; supported: fqn, path, file, tag, source, package, "
            "resource_type, config.<key>, test_name, test_type, exposure, metric, unit_test, semantic_model, "
            "saved_query, result");
  EXPECT_EQ(error_of({"a+b"}), "selector 'a+b': '+' may only lead or trail a selector");
  EXPECT_EQ(error_of({"@+orders"}), "selector '@+orders': '@' cannot be combined with a leading '+'");
  EXPECT_EQ(error_of({"tag:"}), "selector 'tag:': nothing to select");
  EXPECT_EQ(error_of({":x"}), "selector ':x': missing method before ':'");
  EXPECT_EQ(error_of({"0+orders"}), "selector '0+orders': a depth of 0 selects nothing upstream");
  EXPECT_NE(error_of({"config.grants:x"}).find("config.grants cannot be selected on"), std::string::npos);
  EXPECT_NE(error_of({"test_type:weird"}).find("test_type:weird is not a test type"), std::string::npos);
}

TEST(SelectorAtom, Parses) {
  auto atom = parse_selector_atom("3+tag:nightly+2");
  ASSERT_TRUE(atom);
  EXPECT_EQ(atom->parents, 3);
  EXPECT_EQ(atom->children, 2);
  EXPECT_EQ(atom->method, "tag");
  EXPECT_EQ(atom->value, "nightly");
  auto config = parse_selector_atom("config.materialized:incremental");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->method, "config");
  EXPECT_EQ(config->method_arg, "materialized");
  auto at = parse_selector_atom("@orders");
  ASSERT_TRUE(at);
  EXPECT_TRUE(at->at);
}

}  // namespace
}  // namespace cowork::dbt
