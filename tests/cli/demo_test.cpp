// `cowork demo`: the example builds green, each injected fault makes exactly its own tests fail (or its model error),
// restore makes it green again, and the workspace refuses what would damage a folder.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "demo/demo.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "util/files.hpp"

namespace cowork::testing {
namespace {

namespace fs = std::filesystem;

const fs::path k_example = fs::path(COWORK_SOURCE_DIR) / "examples" / "airbnb";

ProcessResult cowork(std::vector<std::string> args, const fs::path& cwd) {
  args.insert(args.begin(), cowork_binary());
  return run_process(args, {"NO_COLOR=1"}, cwd.string());
}

std::string slurp(const fs::path& path) {
  auto text = read_file(path);
  return text ? *text : std::string();
}

// unique_id -> status of the last run in the workspace.
std::map<std::string, std::string> statuses(const fs::path& workspace) {
  const auto json = nlohmann::json::parse(slurp(workspace / "target" / "run_results.json"));
  std::map<std::string, std::string> out;
  for (const auto& result : json["results"]) out[result["unique_id"]] = result["status"];
  return out;
}

// The nodes that failed or errored, as "test.airbnb.<name prefix>" matches are easier to read than hashes.
std::set<std::string> broken(const fs::path& workspace) {
  std::set<std::string> out;
  for (const auto& [id, status] : statuses(workspace))
    if (status == "fail" || status == "error") out.insert(id);
  return out;
}

const std::string k_room_type =
    "test.airbnb.accepted_values_dim_listings_cleansed_room_type__Entire_home_apt__Private_room__Shared_room__Hotel_"
    "room";
const std::string k_null_host = "test.airbnb.not_null_dim_listings_cleansed_host_id";
const std::string k_min_nights = "test.airbnb.positive_value_dim_listings_cleansed_minimum_nights";
const std::string k_unique_listing = "test.airbnb.unique_dim_listings_cleansed_listing_id";
const std::string k_orphans = "test.airbnb.relationships_fct_reviews_listing_id__listing_id__ref_dim_listings_cleansed_";
const std::string k_hosts_model = "model.airbnb.dim_hosts_cleansed";

// What a node's id starts with; test unique ids end in a hash of their arguments in some dbt versions, not here.
std::set<std::string> strip(const std::set<std::string>& ids) {
  std::set<std::string> out;
  for (const auto& id : ids) {
    const auto dot = id.rfind('.');
    const std::string tail = id.substr(dot + 1);
    const bool hashed = tail.size() == 10 && std::all_of(tail.begin(), tail.end(), ::isxdigit) && id.starts_with("test.");
    out.insert(hashed ? id.substr(0, dot) : id);
  }
  return out;
}

// The status of the node whose id (without a test's hash suffix) is `id`.
std::string status_of(const fs::path& workspace, const std::string& id) {
  for (const auto& [node, status] : statuses(workspace))
    if (*strip({node}).begin() == id) return status;
  return "(not run)";
}

class DemoWorkspace : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_root = new TempDir();
    auto init = cowork({"demo", "init", "ws"}, s_root->path());
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  }
  static void TearDownTestSuite() {
    delete s_root;
    s_root = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(s_root, nullptr);
    // Every test starts from a green workspace.
    auto restore = cowork({"demo", "restore", "--project-dir", ws().string()}, s_root->path());
    ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
    ASSERT_TRUE(broken(ws()).empty());
  }
  static fs::path ws() { return s_root->path() / "ws"; }

  void expect_inject_breaks(const std::vector<std::string>& faults, const std::set<std::string>& expected) {
    std::vector<std::string> args = {"demo", "inject"};
    args.insert(args.end(), faults.begin(), faults.end());
    auto result = cowork(args, ws());
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(strip(broken(ws())), expected) << result.out;
  }

  static TempDir* s_root;
};
TempDir* DemoWorkspace::s_root = nullptr;

TEST_F(DemoWorkspace, InitBuildsEveryTestGreenAndCommitsTheProject) {
  const auto all = statuses(ws());
  EXPECT_EQ(all.size(), 34u);
  for (const auto& [id, status] : all) EXPECT_TRUE(status == "pass" || status == "success") << id << " " << status;
  auto log = run_process({"git", "log", "--format=%an|%s"}, {}, ws().string());
  EXPECT_NE(log.out.find("Airbnb Analytics|Airbnb analytics: dbt project"), std::string::npos) << log.out;
  EXPECT_TRUE(fs::exists(ws() / "knowledge_base" / "data_quality_policies.md"));
  EXPECT_FALSE(fs::exists(ws() / ".cowork" / "demo" / "baseline" / "target"));
}

TEST_F(DemoWorkspace, NewRoomTypeFailsOnlyTheAcceptedValuesTest) {
  expect_inject_breaks({"new_room_type"}, {k_room_type});
}
TEST_F(DemoWorkspace, NullHostIdsFailOnlyNotNull) {
  expect_inject_breaks({"null_host_ids"}, {k_null_host});
}
TEST_F(DemoWorkspace, ZeroMinimumNightsFailOnlyTheCustomGenericTest) {
  expect_inject_breaks({"zero_minimum_nights"}, {k_min_nights});
}
TEST_F(DemoWorkspace, DuplicateListingsFailOnlyUnique) {
  expect_inject_breaks({"duplicate_listings"}, {k_unique_listing});
  // The failing test of dim_listings_cleansed stops what is built on it, as in dbt build.
  EXPECT_EQ(status_of(ws(), "model.airbnb.dim_listings_w_hosts"), "skipped");
}
TEST_F(DemoWorkspace, OrphanReviewsFailOnlyRelationshipsAndRestoreRemovesTheLoadedRows) {
  expect_inject_breaks({"orphan_reviews"}, {k_orphans});
  // fct_reviews is incremental: the orphans were appended to it, and only restore's full refresh removes them.
  auto restore = cowork({"demo", "restore"}, ws());
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  EXPECT_TRUE(broken(ws()).empty());
  auto build = cowork({"build"}, ws());
  EXPECT_EQ(build.exit_code, 0) << build.out;
}
TEST_F(DemoWorkspace, RenamedColumnIsACommitThatBreaksTheModel) {
  expect_inject_breaks({"renamed_column"}, {k_hosts_model});
  EXPECT_EQ(status_of(ws(), "test.airbnb.unique_dim_hosts_cleansed_host_id"), "skipped");
  auto log = run_process({"git", "log", "-1", "--format=%an|%s", "--", "models/src/src_hosts.sql"}, {}, ws().string());
  EXPECT_EQ(log.out, "Jamie Rivera|Rename host_name to host_full_name in src_hosts\n");
  EXPECT_NE(slurp(ws() / "models/src/src_hosts.sql").find("host_full_name"), std::string::npos);

  auto restore = cowork({"demo", "restore"}, ws());
  ASSERT_EQ(restore.exit_code, 0) << restore.out;
  auto head = run_process({"git", "log", "-1", "--format=%B"}, {}, ws().string());
  EXPECT_NE(head.out.find("This reverts commit"), std::string::npos) << head.out;
  auto status = run_process({"git", "status", "--porcelain"}, {}, ws().string());
  EXPECT_EQ(status.out, "");
}

TEST_F(DemoWorkspace, AllFaultsAtOnceBreakTheUnionAndRestoreMakesItGreen) {
  expect_inject_breaks({}, {k_room_type, k_null_host, k_min_nights, k_unique_listing, k_orphans, k_hosts_model});
  auto status = cowork({"demo", "status"}, ws());
  EXPECT_EQ(std::count(status.out.begin(), status.out.end(), '\n') >= 7, true);
  EXPECT_EQ(status.out.find("[        ]"), std::string::npos) << status.out;

  auto restore = cowork({"demo", "restore"}, ws());
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  EXPECT_TRUE(broken(ws()).empty());
  EXPECT_EQ(slurp(ws() / "seeds/raw_listings.csv"), slurp(k_example / "seeds/raw_listings.csv"));
  EXPECT_EQ(slurp(ws() / "seeds/raw_reviews.csv"), slurp(k_example / "seeds/raw_reviews.csv"));
}

TEST_F(DemoWorkspace, InjectingTwiceChangesNothing) {
  auto first = cowork({"demo", "inject", "--no-build", "null_host_ids"}, ws());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string after_first = slurp(ws() / "seeds/raw_listings.csv");
  auto second = cowork({"demo", "inject", "--no-build", "null_host_ids"}, ws());
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_NE(second.out.find("null_host_ids is already injected"), std::string::npos) << second.out;
  EXPECT_EQ(slurp(ws() / "seeds/raw_listings.csv"), after_first);
}

TEST_F(DemoWorkspace, RestoreUndoesHandEditsToo) {
  auto model = ws() / "models/dim/dim_listings_cleansed.sql";
  ASSERT_TRUE(write_file_atomic(model, "select 1 as broken"));
  auto restore = cowork({"demo", "restore", "--no-build"}, ws());
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_NE(restore.out.find("models/dim/dim_listings_cleansed.sql"), std::string::npos);
  EXPECT_EQ(slurp(model), slurp(k_example / "models/dim/dim_listings_cleansed.sql"));
  auto again = cowork({"demo", "restore", "--no-build"}, ws());
  EXPECT_NE(again.out.find("already as `cowork demo init` left it"), std::string::npos) << again.out;
}

TEST_F(DemoWorkspace, RefusesWhatWouldDamageAFolder) {
  auto unknown = cowork({"demo", "inject", "no_such_fault"}, ws());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown fault 'no_such_fault'; the faults are: new_room_type"), std::string::npos);

  auto again = cowork({"demo", "init", "ws"}, s_root->path());
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already a demo workspace"), std::string::npos) << again.err;

  auto nested = cowork({"demo", "init", "inner"}, ws());
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_NE(nested.err.find("is inside the demo workspace"), std::string::npos) << nested.err;
  EXPECT_FALSE(fs::exists(ws() / "inner"));
}

TEST(Demo, OutsideAWorkspaceSaysHowToMakeOne) {
  TempDir dir;
  auto result = cowork({"demo", "inject"}, dir.path());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("is not a demo workspace"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("cowork demo init"), std::string::npos) << result.err;
}

TEST(Demo, InitRefusesAFolderWithOtherFiles) {
  TempDir dir;
  dir.write("mine/notes.txt", "keep me");
  auto result = cowork({"demo", "init", "mine", "--no-build"}, dir.path());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("is not empty and is not a demo workspace"), std::string::npos) << result.err;
  EXPECT_EQ(slurp(dir.path() / "mine/notes.txt"), "keep me");
}

TEST(Demo, DamagedStateIsNamed) {
  TempDir dir;
  dir.write(".cowork/demo/state.json", "{not json");
  auto state = demo::load_workspace(dir.path());
  ASSERT_FALSE(state);
  EXPECT_NE(state.error().message.find("state.json is damaged"), std::string::npos) << state.error().message;
}

// The data edits on their own: the counts the help text promises, order independence, and an exact round trip.
class DemoData : public ::testing::Test {
 protected:
  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  std::string listings = slurp(k_example / "seeds/raw_listings.csv");
  std::string reviews = slurp(k_example / "seeds/raw_reviews.csv");
};

TEST_F(DemoData, NoFaultsWritesTheFileBackByteForByte) {
  EXPECT_EQ(*demo::apply_listing_faults(listings, {}, reviews), listings);
  EXPECT_EQ(*demo::apply_review_faults(reviews, {}), reviews);
}

TEST_F(DemoData, EachFaultChangesAsManyRowsAsItsSummarySays) {
  using demo::Fault;
  const auto base = lines(listings);
  auto changed_rows = [&](Fault fault) {
    const auto edited = lines(*demo::apply_listing_faults(listings, {fault}, reviews));
    std::size_t changed = 0;
    for (std::size_t i = 0; i < base.size(); ++i) changed += edited[i] != base[i];
    return std::pair{changed, edited.size() - base.size()};
  };
  EXPECT_EQ(changed_rows(Fault::new_room_type), (std::pair<std::size_t, std::size_t>{37, 0}));
  EXPECT_EQ(changed_rows(Fault::null_host_ids), (std::pair<std::size_t, std::size_t>{25, 0}));
  // The listings that lose their host are those nobody reviewed: they cannot be booked.
  const auto edited = lines(*demo::apply_listing_faults(listings, {Fault::null_host_ids}, reviews));
  for (std::size_t i = 1; i < base.size(); ++i) {
    if (edited[i] == base[i]) continue;
    const std::string id = base[i].substr(0, base[i].find(','));
    EXPECT_EQ(reviews.find("\n" + id + ","), std::string::npos) << "listing " << id << " has reviews";
  }
  EXPECT_EQ(changed_rows(Fault::zero_minimum_nights), (std::pair<std::size_t, std::size_t>{25, 0}));
  EXPECT_EQ(changed_rows(Fault::duplicate_listings), (std::pair<std::size_t, std::size_t>{0, 15}));
  EXPECT_EQ(lines(*demo::apply_review_faults(reviews, {Fault::orphan_reviews})).size(), lines(reviews).size() + 50);
  for (const auto& fault : demo::all_faults()) {
    EXPECT_NE(std::string(fault.summary).find(fault.fault == Fault::new_room_type          ? "37"
                                              : fault.fault == Fault::duplicate_listings   ? "15"
                                              : fault.fault == Fault::orphan_reviews       ? "50"
                                              : fault.fault == Fault::renamed_column       ? "host_full_name"
                                                                                           : "25"),
              std::string::npos)
        << fault.name;
  }
}

TEST_F(DemoData, TheOrderOfInjectionDoesNotMatter) {
  using demo::Fault;
  const auto one = demo::apply_listing_faults(listings, {Fault::duplicate_listings, Fault::null_host_ids,
                                                         Fault::new_room_type, Fault::zero_minimum_nights},
                                              reviews);
  const auto two = demo::apply_listing_faults(listings, {Fault::zero_minimum_nights, Fault::new_room_type,
                                                         Fault::null_host_ids, Fault::duplicate_listings},
                                              reviews);
  ASSERT_TRUE(one && two) << (one ? two.error().message : one.error().message);
  EXPECT_EQ(*one, *two);
}

TEST_F(DemoData, AMalformedSeedIsNamed) {
  auto result = demo::apply_listing_faults("id,room_type\n1,\"unterminated\n", {demo::Fault::new_room_type});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("raw_listings.csv"), std::string::npos) << result.error().message;
  auto missing = demo::apply_listing_faults("id,name\n1,x\n", {demo::Fault::new_room_type});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("has no column room_type"), std::string::npos) << missing.error().message;
}

}  // namespace
}  // namespace cowork::testing
