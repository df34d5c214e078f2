// git_history: the teammate's commit behind the renamed column, and projects without git.
#include <gtest/gtest.h>

#include "demo_workspace.hpp"
#include "support/temp_dir.hpp"
#include "tools/context.hpp"

namespace cowork::testing {
namespace {

namespace fs = std::filesystem;

TEST(GitHistory, ShowsTheCommitThatRenamedTheColumn) {
  const auto out = call_ok("git_history", {{"path", "models/src/src_hosts.sql"}});
  const auto& commits = out.result["commits"];
  ASSERT_GE(commits.size(), 2u) << out.result.dump(2);
  EXPECT_EQ(commits[0]["author"], "Jamie Rivera");
  EXPECT_TRUE(commits[0]["message"].get<std::string>().starts_with("Rename host_name to host_full_name"));
  const std::string diff = commits[0]["diff"];
  EXPECT_NE(diff.find("-    name as host_name,"), std::string::npos) << diff;
  EXPECT_NE(diff.find("+    name as host_full_name,"), std::string::npos) << diff;
  EXPECT_EQ(commits[0]["sha"].get<std::string>().size(), 40u);
  EXPECT_NE(out.summary.find("Jamie Rivera"), std::string::npos) << out.summary;
}

TEST(GitHistory, AModelNameStandsForItsFileAndTheLimitHolds) {
  const auto out = call_ok("git_history", {{"path", "src_hosts"}, {"limit", 1}});
  ASSERT_EQ(out.result["commits"].size(), 1u);
  EXPECT_EQ(out.result["commits"][0]["author"], "Jamie Rivera");
}

TEST(GitHistory, RefusesPathsOutsideTheProject) {
  const Error error = call_error("git_history", {{"path", "../../etc/passwd"}});
  EXPECT_EQ(error.code, ErrorCode::invalid_argument);
}

TEST(GitHistory, AProjectOutsideGitIsANoteNotAnError) {
  TempDir dir;
  fs::copy(demo_dir() / "dbt_project.yml", dir.path() / "dbt_project.yml");
  fs::copy(demo_dir() / "target", dir.path() / "target", fs::copy_options::recursive);
  tools::ContextOptions options;
  options.project_dir = dir.path();
  auto context = tools::open_context(options);
  ASSERT_TRUE(context) << context.error().message;
  const tools::ToolCall call =
      tools::builtin_tools().call(*context, "git_history", {{"path", "models/src/src_hosts.sql"}});
  ASSERT_TRUE(call.ok()) << call.summary();
  EXPECT_TRUE(call.output->result["commits"].empty());
  EXPECT_EQ(call.output->result["note"], "not a git repository");
}

}  // namespace
}  // namespace cowork::testing
