// The manifest the native engine writes reads back through the artifact reader with every node, edge, test
// metadata and compiled query intact: what `cowork incidents` and dbt tooling rely on after `cowork build`.
#include "dbt/artifact_writer.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "dbt/compiler.hpp"
#include "dbt/manifest.hpp"
#include "dbt/project.hpp"
#include "support/temp_dir.hpp"
#include "util/files.hpp"

namespace cowork::dbt {
namespace {

std::unique_ptr<Compiler> example_compiler() {
  auto project = load_project(std::filesystem::path(COWORK_SOURCE_DIR) / "examples" / "airbnb");
  EXPECT_TRUE(project) << project.error().message;
  ProfileTarget target;
  target.profile = "airbnb";
  target.target = "dev";
  target.type = "duckdb";
  target.schema = "main";
  target.database = "airbnb";
  auto compiler = Compiler::create(std::move(*project), target);
  EXPECT_TRUE(compiler) << compiler.error().message;
  return std::move(*compiler);
}

TEST(ManifestWriter, RoundTripsThroughTheReader) {
  auto compiler = example_compiler();
  ProjectNode* fct = nullptr;
  for (auto& node : compiler->nodes())
    if (node.unique_id == "model.airbnb.fct_reviews") fct = &node;
  ASSERT_NE(fct, nullptr);
  ASSERT_TRUE(compiler->compile(*fct));

  ArtifactContext context{"00000000-0000-4000-8000-000000000000", "2026-11-28T10:00:00.000000Z", "duckdb", "airbnb"};
  testing::TempDir dir;
  const auto path = dir.path() / "target" / "manifest.json";
  ASSERT_TRUE(write_manifest(path, *compiler, context));

  ManifestOptions options;
  options.read_parent_map = true;
  auto manifest = load_manifest(path, options);
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->metadata.schema_version, 12);
  EXPECT_TRUE(manifest->warnings.empty());
  std::map<std::string, const Node*> read;
  for (const auto& node : manifest->nodes) read[std::string(node.unique_id)] = &node;
  EXPECT_EQ(read.size(), compiler->nodes().size());
  for (const auto& node : compiler->nodes()) {
    ASSERT_TRUE(read.contains(node.unique_id)) << node.unique_id;
    const Node& back = *read[node.unique_id];
    EXPECT_EQ(back.resource_type, node.resource_type) << node.unique_id;
    std::vector<std::string> deps(back.depends_on.begin(), back.depends_on.end());
    EXPECT_EQ(deps, node.depends_on) << node.unique_id;
    ASSERT_TRUE(manifest->parent_map);
    EXPECT_EQ(manifest->parent_map->at(node.unique_id).size(), node.depends_on.size()) << node.unique_id;
  }
  const Node& compiled = *read["model.airbnb.fct_reviews"];
  EXPECT_NE(compiled.compiled_code.str().find(".\"main\".\"src_reviews\""), std::string::npos)
      << compiled.compiled_code.str();
  EXPECT_EQ(read["model.airbnb.dim_listings_cleansed"]->compiled_code.str(), "");

  // Tests keep dbt's metadata: the generic test's name, its column and the model it is attached to.
  bool found = false;
  for (const auto& [id, node] : read) {
    if (!id.starts_with("test.airbnb.relationships_fct_reviews_listing_id")) continue;
    found = true;
    ASSERT_TRUE(node->test.has_value());
    EXPECT_EQ(node->test->name, "relationships");
    EXPECT_EQ(node->test->column_name, "listing_id");
    EXPECT_EQ(node->test->attached_node, "model.airbnb.fct_reviews");
  }
  EXPECT_TRUE(found);

  // child_map is the inverse of parent_map, sorted.
  const auto json = nlohmann::json::parse(*read_file(path));
  std::set<std::pair<std::string, std::string>> down, up;
  for (const auto& [child, parents] : json["parent_map"].items())
    for (const auto& parent : parents) up.emplace(parent.get<std::string>(), child);
  for (const auto& [parent, children] : json["child_map"].items()) {
    EXPECT_TRUE(std::is_sorted(children.begin(), children.end()));
    for (const auto& child : children) down.emplace(parent, child.get<std::string>());
  }
  EXPECT_EQ(down, up);
  EXPECT_EQ(json["metadata"]["invocation_id"], context.invocation_id);
  EXPECT_TRUE(json["unit_tests"].is_object());
}

}  // namespace
}  // namespace cowork::dbt
