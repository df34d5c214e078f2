// open_context: what it needs, and how it degrades when the project cannot reach a warehouse.
#include "tools/context.hpp"

#include <gtest/gtest.h>

#include "demo_workspace.hpp"
#include "support/temp_dir.hpp"

namespace cowork::tools {
namespace {

namespace fs = std::filesystem;
using testing::demo_dir;
using testing::TempDir;

// A copy of the demo project without its profiles.yml and database: the artifacts alone.
void copy_without_profile(const fs::path& to) {
  for (const char* item : {"dbt_project.yml", "models", "target", "tests", "macros", "seeds", "knowledge_base"})
    fs::copy(demo_dir() / item, to / item, fs::copy_options::recursive);
}

TEST(OpenContext, LoadsTheArtifactsAndTheIncidents) {
  ContextOptions options;
  options.project_dir = demo_dir();
  auto context = open_context(options);
  ASSERT_TRUE(context) << context.error().message;
  EXPECT_TRUE(context->project_dir.is_absolute());
  ASSERT_NE(context->artifacts.graph, nullptr);
  EXPECT_TRUE(context->artifacts.run_results.has_value());
  EXPECT_FALSE(context->report.incidents.empty());
  EXPECT_EQ(context->dialect, sql::Dialect::duckdb);
  auto warehouse = context->warehouse();
  ASSERT_TRUE(warehouse) << warehouse.error().message;
  auto again = context->warehouse();
  ASSERT_TRUE(again);
  EXPECT_EQ(*warehouse, *again) << "the connection is opened once";
  EXPECT_NE((*warehouse)->describe().find("read"), std::string::npos) << (*warehouse)->describe();
}

TEST(OpenContext, AProjectWithoutAManifestSaysHowToMakeOne) {
  TempDir dir;
  dir.write("dbt_project.yml", "name: x\nprofile: x\n");
  ContextOptions options;
  options.project_dir = dir.path();
  auto context = open_context(options);
  ASSERT_FALSE(context);
  EXPECT_EQ(context.error().code, ErrorCode::not_found);
  EXPECT_NE(context.error().message.find("manifest.json"), std::string::npos) << context.error().message;
}

TEST(OpenContext, AMissingProjectFolderIsAnError) {
  ContextOptions options;
  options.project_dir = "/nonexistent/cowork/project";
  auto context = open_context(options);
  ASSERT_FALSE(context);
  EXPECT_NE(context.error().message.find("/nonexistent/cowork/project"), std::string::npos);
}

TEST(OpenContext, WithoutAProfileWarehouseToolsFailClearlyAndLineageStillWorks) {
  TempDir dir;
  copy_without_profile(dir.path());
  TempDir empty_profiles;
  ContextOptions options;
  options.project_dir = dir.path();
  options.profiles_dir = empty_profiles.path().string();
  auto context = open_context(options);
  ASSERT_TRUE(context) << context.error().message;

  const auto& tools = builtin_tools();
  const ToolCall profile =
      tools.call(*context, "column_profile", {{"model", "dim_listings_cleansed"}, {"column", "room_type"}});
  ASSERT_FALSE(profile.ok());
  EXPECT_NE(profile.error->message.find("no warehouse for the project"), std::string::npos) << profile.summary();
  EXPECT_NE(profile.error->message.find("profiles.yml"), std::string::npos) << profile.summary();
  const ToolCall sql = tools.call(*context, "run_sql", {{"sql", "select 1"}});
  ASSERT_FALSE(sql.ok());
  EXPECT_EQ(sql.error->message, profile.error->message) << "the error is kept, not retried differently";

  const ToolCall lineage = tools.call(*context, "lineage", {{"node", "dim_listings_cleansed"}, {"direction", "up"}});
  ASSERT_TRUE(lineage.ok()) << lineage.summary();
  EXPECT_FALSE(lineage.output->result["nodes"].empty());
  // The manifest has the compiled SQL, so column lineage needs neither compiler nor warehouse.
  const ToolCall column =
      tools.call(*context, "column_lineage", {{"model", "dim_listings_cleansed"}, {"column", "room_type"}});
  ASSERT_TRUE(column.ok()) << column.summary();
  EXPECT_EQ(column.output->result["sources"][0]["node"], "source.airbnb.airbnb.listings");
}

TEST(OpenContext, AWarehouseThatCannotBeOpenedIsAToolErrorNamingIt) {
  TempDir dir;
  copy_without_profile(dir.path());
  dir.write("profiles.yml",
            "airbnb:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
            "      path: gone/missing.duckdb\n      schema: main\n");
  ContextOptions options;
  options.project_dir = dir.path();
  auto context = open_context(options);
  ASSERT_TRUE(context) << context.error().message;
  const ToolCall call = builtin_tools().call(*context, "run_sql", {{"sql", "select 1"}});
  ASSERT_FALSE(call.ok());
  EXPECT_NE(call.error->message.find("missing.duckdb"), std::string::npos) << call.summary();
  EXPECT_NE(call.error->message.find("read-only"), std::string::npos) << call.summary();
  EXPECT_FALSE(fs::exists(dir.path() / "gone" / "missing.duckdb")) << "a read-only open never creates a database";
}

TEST(OpenContext, AMissingKnowledgeBaseIsAToolErrorNamingTheFolder) {
  TempDir dir;
  copy_without_profile(dir.path());
  fs::remove_all(dir.path() / "knowledge_base");
  ContextOptions options;
  options.project_dir = dir.path();
  auto context = open_context(options);
  ASSERT_TRUE(context) << context.error().message;
  const ToolCall call = builtin_tools().call(*context, "kb_search", {{"query", "room type"}});
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error->code, ErrorCode::not_found);
  EXPECT_NE(call.error->message.find("knowledge_base"), std::string::npos) << call.summary();
}

}  // namespace
}  // namespace cowork::tools
