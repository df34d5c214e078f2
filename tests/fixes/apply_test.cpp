#include "fixes/apply.hpp"

#include <gtest/gtest.h>

#include "fix_workspace.hpp"
#include "store_test_support.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "util/strings.hpp"

namespace cowork::fixes {
namespace {

namespace fs = std::filesystem;
using testing::read_bytes;
using testing::snapshot;
using testing::write_bytes;

constexpr const char* k_listings = "models/src/src_listings.sql";
constexpr const char* k_new_macro = "macros/map_room_type.sql";

// A private copy of the demo workspace with a store holding one fix: an edit of src_listings.sql and a new macro.
class ApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_project = testing::copy_workspace(m_dir);
    auto store = store::Store::open_project(m_project);
    ASSERT_TRUE(store) << store.error().message;
    m_store.emplace(std::move(*store));
    const std::string test_id = testing::room_type_test_id(m_project);
    auto synced = m_store->sync_incidents(
        store::testing::make_report({store::testing::make_incident("inc_0a0b0c0d", {test_id})},
                                    "2024-05-01T10:00:01Z"),
        {test_id}, store::testing::at("2024-05-01T12:00:00Z"));
    ASSERT_TRUE(synced) << synced.error().message;
    auto investigation = m_store->start_investigation("inc_0a0b0c0d", "playbook");
    ASSERT_TRUE(investigation) << investigation.error().message;

    m_original = read_bytes(m_project / k_listings);
    m_patched = m_original;
    m_patched.replace(m_patched.find("    room_type,\n"), 15, "    {{ map_room_type('room_type') }} as room_type,\n");
    store::FixRecord fix;
    fix.investigation_id = *investigation;
    fix.title = "Map 'Entire place' to 'Entire home/apt'";
    fix.strategy = "map_value";
    fix.category = store::FixCategory::code;
    fix.edits.push_back({k_listings, content_hash(m_original), m_patched, ""});
    fix.edits.push_back({k_new_macro, "", m_macro, ""});
    auto saved = m_store->save_fix(fix);
    ASSERT_TRUE(saved) << saved.error().message;
    m_fix = *saved;
  }

  std::string git(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"git", "-C", m_project.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = cowork::testing::run_process(argv);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return std::string(trim(result.out));
  }

  // The project's files without cowork's own state (the store and the backups live under .cowork/).
  std::map<std::string, std::string> project_files() {
    auto files = snapshot(m_project);
    std::erase_if(files, [](const auto& entry) { return entry.first.starts_with(".cowork/"); });
    return files;
  }

  cowork::testing::TempDir m_dir;
  fs::path m_project;
  std::optional<store::Store> m_store;
  std::string m_fix;
  std::string m_original, m_patched;
  const std::string m_macro =
      "{% macro map_room_type(column) %}case {{ column }} when 'Entire place' then 'Entire home/apt' else {{ column "
      "}} end{% endmacro %}\n";
};

TEST_F(ApplyTest, ApplyThenRevertRestoresTheBytesExactly) {
  const auto before = project_files();
  auto applied = apply_fix(*m_store, m_fix, {m_project, "", "alice", ""});
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(read_bytes(m_project / k_listings), m_patched);
  EXPECT_EQ(read_bytes(m_project / k_new_macro), m_macro);
  EXPECT_EQ(applied->applied_by, "alice");
  EXPECT_TRUE(applied->git_branch.empty());
  EXPECT_TRUE(applied->git_commit.empty());
  ASSERT_EQ(applied->files.size(), 2u);
  EXPECT_EQ(applied->files[0].path, k_listings);
  EXPECT_EQ(applied->files[0].before_hash, content_hash(m_original));
  EXPECT_EQ(applied->files[0].after_hash, content_hash(m_patched));
  EXPECT_EQ(read_bytes(m_project / applied->files[0].backup_path), m_original);
  EXPECT_TRUE(applied->files[0].backup_path.starts_with(".cowork/backups/" + applied->id + "/"));
  EXPECT_TRUE(applied->files[1].backup_path.empty());  // a new file has nothing to back up

  auto reverted = revert_apply(*m_store, applied->id, {m_project, "bob", false});
  ASSERT_TRUE(reverted) << reverted.error().message;
  EXPECT_TRUE(reverted->reverted());
  EXPECT_EQ(reverted->reverted_by, "bob");
  EXPECT_EQ(project_files(), before);
  EXPECT_FALSE(fs::exists(m_project / k_new_macro));

  auto again = revert_apply(*m_store, applied->id, {m_project, "bob", false});
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already reverted"), std::string::npos) << again.error().message;
}

TEST_F(ApplyTest, AFileChangedSinceTheFixIsRefusedAndNothingIsWritten) {
  write_bytes(m_project / k_listings, m_original + "-- a later hand edit\n");
  const auto before = project_files();
  auto applied = apply_fix(*m_store, m_fix, {m_project, "", "alice", ""});
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().message, "models/src/src_listings.sql changed since the fix was made (" + m_fix +
                                         "); investigate again");
  EXPECT_EQ(project_files(), before);  // not even the new macro, which comes second
  auto applies = m_store->list_applies();
  ASSERT_TRUE(applies);
  EXPECT_TRUE(applies->empty());
}

TEST_F(ApplyTest, AGitBranchGetsOneCommitAndTheRevertIsANewCommit) {
  const std::string start = git({"rev-parse", "HEAD"});
  const std::string status = git({"status", "--porcelain"});  // the injected fault's data edit, not committed
  auto applied = apply_fix(*m_store, m_fix,
                           {m_project, "cowork/fix-room-type", "Alice Analyst <alice@example.com>",
                            "Map 'Entire place' to 'Entire home/apt'\n\nIncident inc_0a0b0c0d, rule DQ-114."});
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(applied->git_branch, "cowork/fix-room-type");
  EXPECT_EQ(git({"rev-parse", "--abbrev-ref", "HEAD"}), "cowork/fix-room-type");
  EXPECT_EQ(git({"rev-parse", "HEAD"}), applied->git_commit);
  EXPECT_EQ(git({"rev-parse", "HEAD~1"}), start);
  EXPECT_EQ(git({"log", "-1", "--format=%an <%ae>"}), "Alice Analyst <alice@example.com>");
  EXPECT_EQ(git({"log", "-1", "--format=%s"}), "Map 'Entire place' to 'Entire home/apt'");
  // Only the edited files are in the commit, and they are all committed.
  EXPECT_EQ(git({"show", "--name-only", "--format=", "HEAD"}), std::string(k_new_macro) + "\n" + k_listings);
  EXPECT_EQ(git({"status", "--porcelain"}), status);

  auto reverted = revert_apply(*m_store, applied->id, {m_project, "Bob <bob@example.com>", false});
  ASSERT_TRUE(reverted) << reverted.error().message;
  EXPECT_EQ(git({"rev-parse", "HEAD~1"}), applied->git_commit);  // history kept, a commit on top
  EXPECT_EQ(git({"log", "-1", "--format=%s"}), "Revert \"Map 'Entire place' to 'Entire home/apt'\"");
  EXPECT_EQ(git({"log", "-1", "--format=%an"}), "Bob");
  EXPECT_EQ(git({"diff", "--quiet", start, "HEAD"}), "");  // the tree is the one we started from
  EXPECT_EQ(git({"status", "--porcelain"}), status);
  EXPECT_EQ(read_bytes(m_project / k_listings), m_original);
}

TEST_F(ApplyTest, GitProblemsAreFoundBeforeAnythingChanges) {
  git({"branch", "taken"});
  const auto before = project_files();
  auto taken = apply_fix(*m_store, m_fix, {m_project, "taken", "alice", "message"});
  ASSERT_FALSE(taken);
  EXPECT_NE(taken.error().message.find("branch taken already exists"), std::string::npos) << taken.error().message;
  EXPECT_EQ(project_files(), before);
  EXPECT_EQ(git({"rev-parse", "--abbrev-ref", "HEAD"}), "main");

  fs::remove_all(m_project / ".git");
  const auto without_git = project_files();
  auto no_repo = apply_fix(*m_store, m_fix, {m_project, "fix-branch", "alice", "message"});
  ASSERT_FALSE(no_repo);
  EXPECT_NE(no_repo.error().message.find("is not a git work tree"), std::string::npos) << no_repo.error().message;
  EXPECT_EQ(project_files(), without_git);
}

TEST_F(ApplyTest, ARevertAfterALaterHandEditNeedsForce) {
  auto applied = apply_fix(*m_store, m_fix, {m_project, "", "alice", ""});
  ASSERT_TRUE(applied) << applied.error().message;
  const std::string hand_edit = m_patched + "-- tweaked by hand after the apply\n";
  write_bytes(m_project / k_listings, hand_edit);

  auto refused = revert_apply(*m_store, applied->id, {m_project, "bob", false});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("models/src/src_listings.sql changed after apply " + applied->id),
            std::string::npos)
      << refused.error().message;
  EXPECT_EQ(read_bytes(m_project / k_listings), hand_edit);  // untouched
  EXPECT_TRUE(fs::exists(m_project / k_new_macro));

  auto forced = revert_apply(*m_store, applied->id, {m_project, "bob", true});
  ASSERT_TRUE(forced) << forced.error().message;
  EXPECT_EQ(read_bytes(m_project / k_listings), m_original);
  EXPECT_FALSE(fs::exists(m_project / k_new_macro));
}

TEST(ContentHash, IsTheMd5OfTheBytes) {
  EXPECT_EQ(content_hash(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(content_hash("hello"), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_NE(content_hash("a\n"), content_hash("a\r\n"));
}

}  // namespace
}  // namespace cowork::fixes
