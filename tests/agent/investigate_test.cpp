// `cowork investigate`, `dry-run`, `apply` and `revert` end to end through the binary, on a demo workspace per
// fault: the asserted root node, category and recommended option, verified in the sandbox; after `cowork apply`,
// `cowork build` is green. Then bad input: an unknown incident, a stale fix, a file edited since, a warehouse that
// is gone, a knowledge base that is missing or empty.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/demo_workspace.hpp"

namespace cowork::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

ProcessResult cowork(const std::vector<std::string>& args, const fs::path& project) { return run_cowork(args, project); }

std::string slurp(const fs::path& path) { return read_whole_file(path); }

// A demo workspace with some faults injected and built, investigated through the binary.
struct Workspace : DemoWorkspace {
  fs::path dir;
  explicit Workspace(const std::vector<std::string>& faults) : DemoWorkspace(faults), dir(DemoWorkspace::dir()) {}
  json investigate(const std::string& id, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"investigate", id, "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto run = cowork(args, dir);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    return json::parse(run.out, nullptr, false);
  }
};

const json* recommended(const json& report) {
  const json* found = nullptr;
  int count = 0;
  for (const auto& fix : report["fixes"])
    if (fix["recommended"].get<bool>()) {
      found = &fix;
      ++count;
    }
  EXPECT_EQ(count, 1) << "exactly one option is recommended";
  return found;
}

struct FaultCase {
  std::string fault;
  std::string root_node;
  std::string category;
  std::string strategy;  // of the recommended option
  std::string rule;      // the rule the recommendation cites ("" for none)
  std::string edited;    // the file the recommended option edits
};

void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.fault; }

class EachFault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(EachFault, InvestigateFindsTheCauseAndTheRecommendedFixIsVerifiedAppliedAndGreen) {
  const FaultCase& c = GetParam();
  Workspace workspace({c.fault});
  const auto ids = workspace.incident_ids();
  ASSERT_EQ(ids.size(), 1u) << "one fault, one incident";
  const json report = workspace.investigate(ids[0]);
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["engine"], "playbook");
  const auto& root = report["diagnosis"]["root_cause"];
  EXPECT_EQ(root["node"], c.root_node) << root.dump(2);
  EXPECT_EQ(root["category"], c.category) << root.dump(2);
  EXPECT_GE(report["fixes"].size(), 3u);
  EXPECT_LE(report["fixes"].size(), 5u);
  const json* fix = recommended(report);
  ASSERT_NE(fix, nullptr);
  EXPECT_EQ((*fix)["strategy"], c.strategy) << report["fixes"].dump(2);
  EXPECT_EQ((*fix)["verification"]["status"], "verified") << (*fix)["verification"].dump(2);
  if (!c.rule.empty()) {
    const auto& refs = (*fix)["kb_refs"];
    EXPECT_NE(std::find(refs.begin(), refs.end(), c.rule), refs.end()) << refs.dump();
  }
  ASSERT_EQ((*fix)["edits"].size(), 1u);
  EXPECT_EQ((*fix)["edits"][0]["path"], c.edited);
  for (const auto& option : report["fixes"]) {
    // An option that weakens a test is never low risk; every option says why.
    if (option["strategy"] == "warn_severity" || option["strategy"] == "approve_values") {
      EXPECT_NE(option["risk"], "low");
    }
    EXPECT_FALSE(option["rationale"].get<std::string>().empty());
    EXPECT_FALSE(option["pros"].empty());
    EXPECT_FALSE(option["cons"].empty());
  }
  // Every step is there, each with its agent and duration.
  ASSERT_FALSE(report["steps"].empty());
  for (const auto& step : report["steps"]) {
    EXPECT_FALSE(step["agent"].get<std::string>().empty());
    EXPECT_TRUE(step["ms"].is_number());
  }

  // The project is untouched by the investigation, then the fix is applied and the build is green.
  const std::string before = slurp(workspace.dir / c.edited);
  auto applied = cowork({"apply", (*fix)["id"], "--format", "json"}, workspace.dir);
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_NE(slurp(workspace.dir / c.edited), before);
  auto build = cowork({"build"}, workspace.dir);
  EXPECT_EQ(build.exit_code, 0) << build.out << build.err;
  EXPECT_NE(build.out.find("ERROR=0"), std::string::npos) << build.out;

  // And revert restores the file byte for byte.
  const std::string apply_id = json::parse(applied.out)["apply_id"];
  auto reverted = cowork({"revert", apply_id}, workspace.dir);
  ASSERT_EQ(reverted.exit_code, 0) << reverted.out << reverted.err;
  EXPECT_EQ(slurp(workspace.dir / c.edited), before);
}

INSTANTIATE_TEST_SUITE_P(
    Demo, EachFault,
    ::testing::Values(
        FaultCase{"new_room_type", "model.airbnb.src_listings", "data", "map_values", "DQ-114",
                  "models/src/src_listings.sql"},
        FaultCase{"null_host_ids", "model.airbnb.src_listings", "data", "filter_rows", "DQ-201",
                  "models/dim/dim_listings_cleansed.sql"},
        FaultCase{"zero_minimum_nights", "model.airbnb.src_listings", "data", "clamp_values", "DQ-087",
                  "models/dim/dim_listings_cleansed.sql"},
        FaultCase{"duplicate_listings", "model.airbnb.src_listings", "data", "dedupe_latest", "DQ-131",
                  "models/src/src_listings.sql"},
        FaultCase{"orphan_reviews", "model.airbnb.src_reviews", "config", "warn_severity", "IR-2024-07",
                  "models/schema.yml"},
        FaultCase{"renamed_column", "model.airbnb.src_hosts", "code", "revert_commit", "",
                  "models/src/src_hosts.sql"}),
    [](const ::testing::TestParamInfo<FaultCase>& info) { return info.param.fault; });

// One workspace for the bad-input cases.
class Investigate : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s_workspace = new Workspace({"new_room_type"}); }
  static void TearDownTestSuite() {
    delete s_workspace;
    s_workspace = nullptr;
  }
  static Workspace* s_workspace;
};
Workspace* Investigate::s_workspace = nullptr;

TEST_F(Investigate, AnUnknownIncidentIsAClearError) {
  auto run = cowork({"investigate", "inc_00000000"}, s_workspace->dir);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("inc_00000000"), std::string::npos) << run.err;
}

TEST_F(Investigate, NdjsonStreamsEventsThenTheReport) {
  const auto id = s_workspace->incident_ids().at(0);
  auto run = cowork({"investigate", id, "--format", "ndjson", "--no-verify"}, s_workspace->dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::istringstream lines(run.out);
  std::string line;
  std::vector<json> parsed;
  while (std::getline(lines, line)) parsed.push_back(json::parse(line));
  ASSERT_GT(parsed.size(), 5u);
  EXPECT_EQ(parsed.back()["type"], "report");
  std::int64_t seq = 0;
  bool saw_tool = false;
  for (std::size_t i = 0; i + 1 < parsed.size(); ++i) {
    EXPECT_EQ(parsed[i]["type"], "event");
    EXPECT_GT(parsed[i]["seq"].get<std::int64_t>(), seq);
    seq = parsed[i]["seq"];
    saw_tool = saw_tool || parsed[i]["tool"] == "column_profile";
  }
  EXPECT_TRUE(saw_tool);
  for (const auto& fix : parsed.back()["report"]["fixes"]) EXPECT_EQ(fix["verification"]["status"], "unverified");
}

TEST_F(Investigate, AFileEditedSinceTheFixWasMadeIsRefusedByApplyAndDryRun) {
  const auto id = s_workspace->incident_ids().at(0);
  const json report = s_workspace->investigate(id, {"--no-verify"});
  const json* fix = recommended(report);
  ASSERT_NE(fix, nullptr);
  const fs::path file = s_workspace->dir / (*fix)["edits"][0]["path"].get<std::string>();
  const std::string original = slurp(file);
  std::ofstream(file, std::ios::app) << "\n-- a teammate's edit\n";
  auto dry = cowork({"dry-run", (*fix)["id"]}, s_workspace->dir);
  EXPECT_EQ(dry.exit_code, 2);
  EXPECT_NE(dry.err.find("changed since"), std::string::npos) << dry.err;
  auto apply = cowork({"apply", (*fix)["id"]}, s_workspace->dir);
  EXPECT_EQ(apply.exit_code, 2);
  EXPECT_NE(apply.err.find("changed since"), std::string::npos) << apply.err;
  EXPECT_EQ(slurp(file), original + "\n-- a teammate's edit\n") << "nothing written";
  std::ofstream(file, std::ios::trunc | std::ios::binary) << original;
}

TEST_F(Investigate, AnUnknownFixIsAClearError) {
  auto run = cowork({"apply", "fix_00000000"}, s_workspace->dir);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("fix_00000000"), std::string::npos) << run.err;
}

TEST_F(Investigate, AWarehouseThatIsGoneStillGivesAReport) {
  Workspace gone({"new_room_type"});
  const auto id = gone.incident_ids().at(0);
  fs::rename(gone.dir / "airbnb.duckdb", gone.dir / "moved.duckdb");
  const json report = gone.investigate(id);
  ASSERT_TRUE(report.is_object());
  bool failed_step = false;
  for (const auto& step : report["steps"]) failed_step = failed_step || !step["ok"].get<bool>();
  EXPECT_TRUE(failed_step) << "the warehouse tools fail as steps";
  EXPECT_NE(report["diagnosis"]["root_cause"]["summary"].get<std::string>().find("warehouse"), std::string::npos)
      << report["diagnosis"]["root_cause"].dump(2);
  ASSERT_FALSE(report["fixes"].empty());
  for (const auto& fix : report["fixes"]) EXPECT_NE(fix["verification"]["status"], "verified") << fix.dump(2);
  EXPECT_NE(recommended(report), nullptr);
}

TEST_F(Investigate, WithoutAKnowledgeBaseNoRuleIsCitedAndWeakeningIsNotRecommended) {
  Workspace bare({"new_room_type"});
  fs::remove_all(bare.dir / "knowledge_base");
  const json report = bare.investigate(bare.incident_ids().at(0));
  ASSERT_TRUE(report.is_object());
  EXPECT_TRUE(report["diagnosis"]["knowledge"].empty());
  const json* fix = recommended(report);
  ASSERT_NE(fix, nullptr);
  EXPECT_TRUE((*fix)["kb_refs"].empty());
  EXPECT_NE((*fix)["strategy"], "warn_severity");
  EXPECT_EQ((*fix)["verification"]["status"], "verified");
  // An empty knowledge base folder is the same.
  fs::create_directories(bare.dir / "knowledge_base");
  const json again = bare.investigate(bare.incident_ids().at(0), {"--no-verify"});
  EXPECT_TRUE(again["diagnosis"]["knowledge"].empty());
}

}  // namespace
}  // namespace cowork::testing
