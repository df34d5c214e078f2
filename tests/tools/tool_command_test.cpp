// `cowork tool list` and `cowork tool call`, run as a user would.
#include <gtest/gtest.h>

#include "demo_workspace.hpp"
#include "support/process.hpp"

namespace cowork::testing {
namespace {

ProcessResult cowork(std::vector<std::string> args) {
  args.insert(args.begin(), cowork_binary());
  return run_process(args);
}

TEST(ToolCommand, ListsEveryTool) {
  const ProcessResult result = cowork({"tool", "list", "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto tools = nlohmann::json::parse(result.out);
  ASSERT_EQ(tools.size(), tools::builtin_tools().tools().size());
  EXPECT_EQ(tools[0]["name"], "incident_details");
  EXPECT_TRUE(tools[0]["parameters"].is_object());
}

TEST(ToolCommand, CallsAToolWithJsonArguments) {
  const ProcessResult result =
      cowork({"tool", "call", "column_profile",
              R"({"model": "dim_listings_cleansed", "column": "room_type", "accepted_values": ["Entire home/apt",
                  "Private room", "Shared room", "Hotel room"]})",
              "--project-dir", demo_dir().string(), "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto out = nlohmann::json::parse(result.out);
  EXPECT_TRUE(out["ok"].get<bool>());
  EXPECT_EQ(out["result"]["outside_accepted"][0]["value"], "Entire place");
  EXPECT_NE(out["summary"].get<std::string>().find("37 rows"), std::string::npos);
}

TEST(ToolCommand, TheIncidentFlagFillsIncidentId) {
  const std::string id = demo_context().report.incidents.front().id;
  const ProcessResult result =
      cowork({"tool", "call", "incident_details", "--incident", id, "--project-dir", demo_dir().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find(id), std::string::npos) << result.out;
}

TEST(ToolCommand, BadArgumentsAndRefusalsExitTwoWithTheReason) {
  const ProcessResult not_json = cowork({"tool", "call", "run_sql", "{sql:", "--project-dir", demo_dir().string()});
  EXPECT_EQ(not_json.exit_code, 2);
  EXPECT_NE(not_json.err.find("not JSON"), std::string::npos) << not_json.err;
  const ProcessResult refused = cowork(
      {"tool", "call", "run_sql", R"({"sql": "drop table main.fct_reviews"})", "--project-dir", demo_dir().string()});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("refused"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace cowork::testing
