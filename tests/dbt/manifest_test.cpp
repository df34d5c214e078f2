#include "dbt/manifest.hpp"

#include <gtest/gtest.h>

#include "support/artifacts_builder.hpp"
#include "support/process.hpp"
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
  EXPECT_EQ(model->raw_code.str(), "select 1");
  EXPECT_EQ(model->materialized, "view");
  EXPECT_EQ(model->depends_on, std::vector<std::string_view>{"model.shop.stg_orders"});

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
  EXPECT_FALSE(manifest->parent_map.has_value());  // not read unless asked for

  ManifestOptions options;
  options.read_parent_map = true;
  auto with_map = load_manifest(dir.path() / "manifest.json", options);
  ASSERT_TRUE(with_map);
  ASSERT_TRUE(with_map->parent_map.has_value());
  EXPECT_EQ(with_map->parent_map->at("model.shop.orders"), std::vector<std::string_view>{"model.shop.stg_orders"});
}

TEST(Manifest, OldVersionsKeepCodeInRawSql) {
  TempDir dir;
  auto manifest = load_manifest(ManifestBuilder(4).model("a").write(dir.path()));
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->nodes[0].raw_code.str(), "select 1");
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

TEST(Manifest, TextWithEscapesIsDecodedAndOutlivesTheParser) {
  TempDir dir;
  auto json = ManifestBuilder(12).model("a").build();
  auto& node = json["nodes"]["model.shop.a"];
  node["raw_code"] = "select \"id\"\n  from {{ ref('x') }} -- caf\u00e9";
  node["description"] = "Line one\nTab\there \"quoted\" \u2603";
  json["nodes"]["model.shop.b\"odd"] = node;
  json["nodes"]["model.shop.b\"odd"]["unique_id"] = "model.shop.b\"odd";
  auto manifest = load_manifest(dir.write("manifest.json", json.dump()));
  ASSERT_TRUE(manifest) << manifest.error().message;
  Manifest moved = std::move(*manifest);  // views stay valid across a move
  const Node* a = find(moved, "model.shop.a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->raw_code.str(), "select \"id\"\n  from {{ ref('x') }} -- caf\u00e9");
  EXPECT_EQ(a->description, "Line one\nTab\there \"quoted\" \u2603");
  EXPECT_NE(find(moved, "model.shop.b\"odd"), nullptr);
}

}  // namespace
}  // namespace cowork::dbt

namespace cowork::dbt {
namespace {

// What a load produced, in a form two loads can be compared by.
std::vector<std::string> fingerprint(const Manifest& manifest) {
  std::vector<std::string> out;
  out.push_back(manifest.metadata.schema_url);
  for (const auto& node : manifest.nodes) {
    std::string line = std::string(node.unique_id) + "|" + std::string(node.name) + "|" +
                       std::string(to_string(node.resource_type)) + "|" + std::string(node.original_file_path) + "|" +
                       node.raw_code.str() + "|" + node.compiled_code.str() + "|" + node.meta.dump() + "|";
    for (auto parent : node.depends_on) line += std::string(parent) + ",";
    for (const auto& column : node.columns)
      line += std::string(column.name) + ":" + std::string(column.description) + ",";
    if (node.test)
      line += std::string(node.test->name) + "/" + std::string(node.test->column_name) + "/" + node.test->kwargs.dump();
    out.push_back(std::move(line));
  }
  for (const auto& macro : manifest.macros) out.push_back(std::string(macro.unique_id) + macro.macro_sql.str());
  for (auto id : manifest.disabled) out.emplace_back(id);
  return out;
}

ManifestOptions parallel_options(std::vector<double> split_at = {}) {
  ManifestOptions options;
  options.threads = 2;
  options.parallel_min_bytes = 0;
  options.split_at = std::move(split_at);
  return options;
}

ManifestOptions sequential_options() {
  ManifestOptions options;
  options.threads = 1;
  return options;
}

TEST(ManifestParallel, EveryCorpusManifestReadsTheSameInPiecesAsInOne) {
  const std::filesystem::path corpus = std::filesystem::path(testing::fixtures_dir()) / "corpus";
  std::size_t split = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(corpus)) {
    const auto name = entry.path().filename().string();
    if (!entry.is_regular_file() || !name.starts_with("manifest") || !name.ends_with(".json")) continue;
    auto sequential = load_manifest(entry.path(), sequential_options());
    ASSERT_TRUE(sequential) << sequential.error().message;
    for (unsigned threads : {2u, 3u}) {
      ManifestOptions options = parallel_options();
      options.threads = threads;
      auto parallel = load_manifest(entry.path(), options);
      ASSERT_TRUE(parallel) << parallel.error().message;
      EXPECT_EQ(fingerprint(*parallel), fingerprint(*sequential)) << entry.path();
      EXPECT_EQ(parallel->warnings, sequential->warnings);
      if (parallel->pieces > 1) ++split;
    }
  }
  EXPECT_GT(split, 20u) << "most corpus manifests have the layout dbt writes and should have been cut";
}

TEST(ManifestParallel, CutsAnywhereGiveTheSequentialResult) {
  const auto path = std::filesystem::path(testing::fixtures_dir()) /
                    "corpus/fivetran__dbt_hubspot__package-docs-manifest-v1-to-v12/2024-07-24_dbt-1.8.3/manifest.json";
  auto sequential = load_manifest(path, sequential_options());
  ASSERT_TRUE(sequential);
  const auto expected = fingerprint(*sequential);
  for (double at = 0.02; at < 1.0; at += 0.07) {
    auto parallel = load_manifest(path, parallel_options({at}));
    ASSERT_TRUE(parallel) << at << ": " << parallel.error().message;
    EXPECT_EQ(fingerprint(*parallel), expected) << "cut near " << at;
  }
}

TEST(ManifestParallel, ACutInsideANodeIsDetectedAndReadSequentially) {
  TempDir dir;
  ManifestBuilder builder(12);
  for (int i = 0; i < 40; ++i)
    builder.model("m" + std::to_string(i),
                  i > 0 ? std::vector<std::string>{"m" + std::to_string(i - 1)} : std::vector<std::string>{});
  auto json = builder.build();
  // A column whose name looks like a node id: `}, "model.` appears inside a node, a tempting place to cut.
  json["nodes"]["model.shop.m20"]["columns"] = {{"a", {{"name", "a"}}},
                                                {"model.shop.fake", {{"name", "model.shop.fake"}}}};
  // Write it the way dbt does: metadata first, then nodes, with ", " separators.
  nlohmann::ordered_json ordered;
  ordered["metadata"] = json["metadata"];
  ordered["nodes"] = json["nodes"];
  ordered["sources"] = json["sources"];
  ordered["macros"] = json["macros"];
  const std::string text = ordered.dump(-1, ' ', false);
  std::string spaced;  // nlohmann writes "," and ":"; dbt (Python) writes ", " and ": "
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    spaced += c;
    if (c == '"' && (i == 0 || text[i - 1] != '\\')) in_string = !in_string;
    if (!in_string && (c == ',' || c == ':')) spaced += ' ';
  }
  auto path = dir.write("manifest.json", spaced);
  const double at = static_cast<double>(spaced.find("\"model.shop.fake\"") - 8) / spaced.size();
  auto sequential = load_manifest(path, sequential_options());
  ASSERT_TRUE(sequential) << sequential.error().message;
  auto parallel = load_manifest(path, parallel_options({at}));
  ASSERT_TRUE(parallel) << parallel.error().message;
  EXPECT_EQ(parallel->pieces, 1u);  // the cut was refused
  EXPECT_EQ(fingerprint(*parallel), fingerprint(*sequential));
  EXPECT_EQ(parallel->nodes.size(), 40u);

  // Aimed elsewhere, the same file is cut and still reads the same.
  auto elsewhere = load_manifest(path, parallel_options({0.2}));
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->pieces, 2u);
  EXPECT_EQ(fingerprint(*elsewhere), fingerprint(*sequential));
}

TEST(ManifestParallel, BrokenFilesGiveTheSequentialErrors) {
  TempDir dir;
  ManifestBuilder builder(12);
  for (int i = 0; i < 30; ++i) builder.model("m" + std::to_string(i));
  std::string text = builder.build().dump();
  auto bad = text;
  bad.replace(bad.find("\"name\":\"m17\""), 12, "\"name\":17");
  auto path = dir.write("manifest.json", bad);
  auto sequential = load_manifest(path, sequential_options());
  auto parallel = load_manifest(path, parallel_options({0.5}));
  ASSERT_FALSE(sequential);
  ASSERT_FALSE(parallel);
  EXPECT_EQ(parallel.error().message, sequential.error().message);
  EXPECT_NE(parallel.error().message.find("$.nodes[\"model.shop.m17\"].name: expected a string, found a number"),
            std::string::npos);
}

}  // namespace
}  // namespace cowork::dbt
