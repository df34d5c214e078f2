#include "dbt/artifacts.hpp"

#include <cstdlib>

#include <gtest/gtest.h>

#include "support/artifacts_builder.hpp"
#include "support/temp_dir.hpp"

namespace cowork::dbt {
namespace {

using testing::ManifestBuilder;
using testing::RunResultsBuilder;
using testing::TempDir;

class ArtifactsTest : public ::testing::Test {
 protected:
  void SetUp() override { ::unsetenv("DBT_TARGET_PATH"); }
  void TearDown() override { ::unsetenv("DBT_TARGET_PATH"); }
};

TEST_F(ArtifactsTest, TargetDirDefaultsToTargetInTheProject) {
  TempDir dir;
  auto target = resolve_target_dir(dir.path(), "");
  ASSERT_TRUE(target);
  EXPECT_EQ(*target, (dir.path() / "target").lexically_normal());
}

TEST_F(ArtifactsTest, TargetDirFollowsDbtProjectYml) {
  TempDir dir;
  dir.write("dbt_project.yml", "name: shop\nconfig-version: 2\ntarget-path: \"build_artifacts\"\n");
  auto target = resolve_target_dir(dir.path(), "");
  ASSERT_TRUE(target);
  EXPECT_EQ(*target, (dir.path() / "build_artifacts").lexically_normal());
}

TEST_F(ArtifactsTest, FlagBeatsEnvironmentBeatsProject) {
  TempDir dir;
  dir.write("dbt_project.yml", "name: shop\ntarget-path: from_project\n");
  ::setenv("DBT_TARGET_PATH", "from_env", 1);
  EXPECT_EQ(*resolve_target_dir(dir.path(), ""), (dir.path() / "from_env").lexically_normal());
  EXPECT_EQ(*resolve_target_dir(dir.path(), "from_flag"), (dir.path() / "from_flag").lexically_normal());
  EXPECT_EQ(*resolve_target_dir(dir.path(), "/abs/path"), std::filesystem::path("/abs/path"));
}

TEST_F(ArtifactsTest, MalformedDbtProjectYmlNamesLineAndColumn) {
  TempDir dir;
  dir.write("dbt_project.yml", "name: shop\ntarget-path: [unclosed\n");
  auto target = resolve_target_dir(dir.path(), "");
  ASSERT_FALSE(target);
  EXPECT_NE(target.error().message.find("dbt_project.yml:3:1: invalid YAML"), std::string::npos)
      << target.error().message;
}

TEST_F(ArtifactsTest, MissingFolderAndMissingFilesSayWhatToDo) {
  TempDir dir;
  ArtifactRequest request;
  auto none = load_artifacts(dir.path() / "target", request);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::not_found);
  EXPECT_NE(none.error().message.find("target: no such folder"), std::string::npos);

  std::filesystem::create_directories(dir.path() / "target");
  auto no_manifest = load_artifacts(dir.path() / "target", request);
  ASSERT_FALSE(no_manifest);
  EXPECT_EQ(no_manifest.error().message,
            "no manifest.json in " + (dir.path() / "target").string() +
                ": run `dbt parse` (or any dbt command) first, or point --target-path at the folder");
}

TEST_F(ArtifactsTest, OptionalFilesMayBeMissingButNotBroken) {
  TempDir dir;
  ManifestBuilder().model("a").write(dir.path());
  ArtifactRequest request;
  request.run_results = Need::optional;
  request.catalog = Need::optional;
  auto set = load_artifacts(dir.path(), request);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_FALSE(set->run_results.has_value());
  EXPECT_NE(set->graph, nullptr);

  dir.write("run_results.json", "{\"metadata\": ");
  auto broken = load_artifacts(dir.path(), request);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("run_results.json"), std::string::npos);
}

TEST_F(ArtifactsTest, ExplicitFilesOverrideTheFolder) {
  TempDir dir;
  auto manifest = ManifestBuilder().model("a").write(dir.path() / "elsewhere");
  auto results = RunResultsBuilder().result("model.shop.a", "error").write(dir.path() / "other");
  ArtifactRequest request;
  request.run_results = Need::required;
  request.manifest_path = manifest;
  request.run_results_path = results;
  auto set = load_artifacts(dir.path() / "no_such_target", request);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->run_results->results.size(), 1u);
}

}  // namespace
}  // namespace cowork::dbt
