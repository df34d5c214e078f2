#include "dbt/manifest.hpp"

#include <gtest/gtest.h>

#include "support/artifacts_builder.hpp"
#include "support/temp_dir.hpp"

namespace cowork::dbt {
namespace {

using testing::ManifestBuilder;
using testing::TempDir;

const Node* find(const Manifest& manifest, std::string_view id) {
  for (const auto& node : manifest.nodes)
    if (node.unique_id == id) return &node;
  return nullptr;
}

TEST(Manifest, ReadsModelsTestsSourcesAndExposures) {
  TempDir dir;
  ManifestBuilder builder(12);
  builder.source("raw", "orders").model("stg_orders", {"source:raw.orders"}).model("orders", {"stg_orders"});
  builder.test("accepted_values", "stg_orders", "status").exposure("weekly", {"orders"});
  auto manifest = load_manifest(builder.write(dir.path()));
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->metadata.schema_version, 12);
  EXPECT_EQ(manifest->nodes.size(), 5u);

  const Node* model = find(*manifest, "model.shop.orders");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->resource_type, ResourceType::model);
  EXPECT_EQ(model->raw_code, "select 1");
  EXPECT_EQ(model->materialized, "view");
  EXPECT_EQ(model->depends_on, std::vector<std::string>{"model.shop.stg_orders"});

  const Node* test = find(*manifest, "test.shop.accepted_values_stg_orders_status");
  ASSERT_NE(test, nullptr);
  ASSERT_TRUE(test->test.has_value());
  EXPECT_EQ(test->test->name, "accepted_values");
  EXPECT_EQ(test->test->column_name, "status");
  EXPECT_EQ(test->test->attached_node, "model.shop.stg_orders");
  EXPECT_EQ(test->test->severity, "ERROR");

  const Node* source = find(*manifest, "source.shop.raw.orders");
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->source_name, "raw");
  const Node* exposure = find(*manifest, "exposure.shop.weekly");
  ASSERT_NE(exposure, nullptr);
  EXPECT_EQ(exposure->exposure_type, "dashboard");
  EXPECT_EQ(exposure->owner, "Analytics");
  ASSERT_TRUE(manifest->parent_map.has_value());
  EXPECT_EQ(manifest->parent_map->at("model.shop.orders"), std::vector<std::string>{"model.shop.stg_orders"});
}

TEST(Manifest, OldVersionsKeepCodeInRawSql) {
  TempDir dir;
  auto manifest = load_manifest(ManifestBuilder(4).model("a").write(dir.path()));
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->nodes[0].raw_code, "select 1");
}

TEST(Manifest, FusionNullsAndMissingFieldsAreTolerated) {
  TempDir dir;
  // dbt Fusion writes null meta, null severity and puts column_name only in kwargs.
  auto path = dir.write("manifest.json", R"({
    "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v20.json", "dbt_version": "2.0.0-preview.92",
                 "project_name": null, "adapter_type": "snowflake"},
    "nodes": {
      "model.a.m": {"resource_type": "model", "unique_id": "model.a.m", "name": "m", "meta": null, "tags": null,
                    "config": {"meta": null, "materialized": "view", "enabled": null},
                    "depends_on": {"macros": [], "nodes": [], "nodes_with_ref_location": [["x", {"line": 1}]]}},
      "test.a.t.1": {"resource_type": "test", "unique_id": "test.a.t.1", "name": "t", "column_name": null,
                     "attached_node": "model.a.m", "config": {"severity": null, "warn_if": "!= 0"},
                     "test_metadata": {"name": "not_null", "kwargs": {"column_name": "ID"}},
                     "depends_on": {"nodes": ["model.a.m"]}}
    },
    "sources": {}, "parent_map": {"model.a.m": [], "test.a.t.1": ["model.a.m"]}
  })");
  auto manifest = load_manifest(path);
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_TRUE(manifest->metadata.fusion);
  const Node* test = find(*manifest, "test.a.t.1");
  ASSERT_NE(test, nullptr);
  EXPECT_EQ(test->test->column_name, "ID");
  EXPECT_EQ(test->test->severity, "ERROR");
  EXPECT_TRUE(find(*manifest, "model.a.m")->enabled);
}

TEST(Manifest, UnknownFieldsAndSectionsAreIgnored) {
  TempDir dir;
  auto json = ManifestBuilder(12).model("a").build();
  json["brand_new_section"] = {{"x", {1, 2, 3}}};
  json["nodes"]["model.shop.a"]["a_future_field"] = {{"nested", true}};
  auto path = dir.write("manifest.json", json.dump());
  auto manifest = load_manifest(path);
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->nodes.size(), 1u);
}

TEST(Manifest, UnknownNewerVersionLoadsWithAWarning) {
  TempDir dir;
  auto json = ManifestBuilder(12).model("a").build();
  json["metadata"]["dbt_schema_version"] = "https://schemas.getdbt.com/dbt/manifest/v14.json";
  auto manifest = load_manifest(dir.write("manifest.json", json.dump()));
  ASSERT_TRUE(manifest) << manifest.error().message;
  ASSERT_EQ(manifest->warnings.size(), 1u);
  EXPECT_NE(manifest->warnings[0].find("manifest schema v14 is newer"), std::string::npos);
}

struct BadInput {
  const char* name;
  std::string content;   // empty with `directory` set: a folder instead of a file
  std::string expected;  // the error message, after "<path>"
  friend void PrintTo(const BadInput& input, std::ostream* os) { *os << input.name; }
};

class MalformedManifest : public ::testing::TestWithParam<BadInput> {};

TEST_P(MalformedManifest, IsAnErrorNamingTheFileAndWhere) {
  TempDir dir;
  const BadInput& input = GetParam();
  std::filesystem::path path = dir.path() / "manifest.json";
  if (std::string(input.name) == "directory") {
    std::filesystem::create_directories(path);
  } else if (std::string(input.name) != "missing") {
    dir.write("manifest.json", input.content);
  }
  auto manifest = load_manifest(path);
  ASSERT_FALSE(manifest) << input.name;
  EXPECT_EQ(manifest.error().message, path.string() + input.expected) << input.name;
}

const std::string k_meta = R"("metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"})";

INSTANTIATE_TEST_SUITE_P(
    BadInputs, MalformedManifest,
    ::testing::Values(
        BadInput{"missing", "", ": no such file"}, BadInput{"directory", "", ": is a directory, not a file"},
        BadInput{"empty", "", ": the file is empty"},
        BadInput{"truncated", "{" + k_meta + R"(, "nodes": {"model.a.b": {"name": "b", "depends_on": {"nodes": ["x")",
                 ": invalid JSON: the document ends before all its objects and arrays are closed, or has content "
                 "after the end (a truncated or concatenated file?)"},
        BadInput{"not an object", "[]", ": expected a JSON object at the top level, found an array"},
        BadInput{"nodes is a list", "{" + k_meta + R"(, "nodes": []})",
                 ": $.nodes: expected an object, found an array"},
        BadInput{"depends_on wrong type",
                 "{" + k_meta + R"(, "nodes": {"model.a.b": {"depends_on": {"nodes": "model.a.c"}}}})",
                 ": $.nodes[\"model.a.b\"].depends_on.nodes: expected an array, found a string"},
        BadInput{"name is a number", "{" + k_meta + R"(, "nodes": {"model.a.b": {"name": 7}}})",
                 ": $.nodes[\"model.a.b\"].name: expected a string, found a number"},
        BadInput{"node is a string", "{" + k_meta + R"(, "nodes": {"model.a.b": "oops"}})",
                 ": $.nodes[\"model.a.b\"]: expected an object, found a string"},
        BadInput{"missing metadata", R"({"nodes": {}})", ": $.metadata is missing; is this a dbt manifest file?"},
        BadInput{"metadata is a string", R"({"metadata": "v12", "nodes": {}})",
                 ": $.metadata: expected an object, found a string"},
        BadInput{
            "run results instead",
            R"({"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"}, "results": []})",
            ": this is a dbt run-results artifact (https://schemas.getdbt.com/dbt/run-results/v6.json), not a "
            "manifest"},
        BadInput{"unknown version scheme",
                 R"({"metadata": {"dbt_schema_version": "https://example.com/manifest/latest.json"}})",
                 ": $.metadata.dbt_schema_version: unrecognised schema 'https://example.com/manifest/latest.json' "
                 "(expected a URL like https://schemas.getdbt.com/dbt/manifest/v12.json)"}),
    [](const ::testing::TestParamInfo<BadInput>& info) {
      std::string name = info.param.name;
      for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return name;
    });

TEST(Manifest, KeepCodeOffDropsSqlButKeepsTheGraph) {
  TempDir dir;
  ManifestOptions options;
  options.keep_code = false;
  auto manifest = load_manifest(ManifestBuilder(12).model("a").model("b", {"a"}).write(dir.path()), options);
  ASSERT_TRUE(manifest);
  for (const auto& node : manifest->nodes) EXPECT_TRUE(node.raw_code.empty());
  EXPECT_EQ(find(*manifest, "model.shop.b")->depends_on.size(), 1u);
}

}  // namespace
}  // namespace cowork::dbt
