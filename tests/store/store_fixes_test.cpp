#include <gtest/gtest.h>

#include "store/store.hpp"
#include "store_test_support.hpp"

namespace cowork::store {
namespace {

using testing::at;

class FixStoreTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    testing::StoreTest::SetUp();
    m_incident = add_incident();
    m_investigation = *store().start_investigation(m_incident, "playbook");
  }

  FixRecord make_fix(const std::string& title, bool recommended = false) {
    FixRecord fix;
    fix.investigation_id = m_investigation;
    fix.title = title;
    fix.strategy = "add_accepted_value";
    fix.category = FixCategory::config;
    fix.risk = FixRisk::low;
    fix.recommended = recommended;
    fix.detail_json = R"({"pros":["one line"],"cons":[],"kb_refs":["rules.md#room-types"]})";
    fix.edits.push_back({"models/staging/schema.yml", "5d41402abc4b2a76b9719d911017c592",
                         "version: 2\nmodels:\n  - name: stg_listings # keep\n",
                         "--- a/models/staging/schema.yml\n+++ b/models/staging/schema.yml\n@@ -1 +1 @@\n-a\n+b\n"});
    fix.edits.push_back({"macros/new_macro.sql", "", "{% macro m() %}1{% endmacro %}\n", "+new file\n"});
    return fix;
  }

  std::string m_incident;
  std::string m_investigation;
};

TEST_F(FixStoreTest, AFixRoundTrips) {
  auto id = store().save_fix(make_fix("Add 'Hotel room' to accepted values", true));
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_TRUE(id->starts_with("fix_")) << *id;
  auto fix = store().get_fix(*id);
  ASSERT_TRUE(fix) << fix.error().message;
  const FixRecord expected = make_fix("Add 'Hotel room' to accepted values", true);
  EXPECT_EQ(fix->id, *id);
  EXPECT_EQ(fix->investigation_id, m_investigation);
  EXPECT_EQ(fix->incident_id, m_incident);
  EXPECT_EQ(fix->title, expected.title);
  EXPECT_EQ(fix->strategy, "add_accepted_value");
  EXPECT_EQ(fix->category, FixCategory::config);
  EXPECT_EQ(fix->risk, FixRisk::low);
  EXPECT_TRUE(fix->recommended);
  EXPECT_EQ(fix->detail_json, expected.detail_json);
  EXPECT_EQ(fix->verification_status, VerificationStatus::unverified);
  EXPECT_TRUE(fix->verification_json.empty());
  EXPECT_EQ(fix->created_at, "2024-05-01T12:00:00.000Z");
  ASSERT_EQ(fix->edits.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(fix->edits[i].path, expected.edits[i].path);
    EXPECT_EQ(fix->edits[i].original_hash, expected.edits[i].original_hash);
    EXPECT_EQ(fix->edits[i].new_content, expected.edits[i].new_content);
    EXPECT_EQ(fix->edits[i].diff, expected.edits[i].diff);
  }
  EXPECT_EQ(store().get_fix(id->substr(0, 7))->id, *id);  // by prefix
  EXPECT_EQ(store().get_fix(id->substr(4))->id, *id);     // without "fix_"

  const auto json = to_json(*fix);
  EXPECT_EQ(json["category"], "config");
  EXPECT_EQ(json["detail"]["kb_refs"][0], "rules.md#room-types");
  EXPECT_EQ(json["edits"][0]["path"], "models/staging/schema.yml");
}

TEST_F(FixStoreTest, FixesListInTheOrderSavedAndOneIsRecommended) {
  auto a = store().save_fix(make_fix("map values in staging", true));
  auto b = store().save_fix(make_fix("accept the value"));
  auto c = store().save_fix(make_fix("warn instead"));
  ASSERT_TRUE(a && b && c);
  auto second = store().save_fix(make_fix("also recommended", true));
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("already recommends " + *a), std::string::npos) << second.error().message;

  ASSERT_TRUE(store().set_recommended(*c));
  auto fixes = store().list_fixes(m_investigation);
  ASSERT_TRUE(fixes) << fixes.error().message;
  ASSERT_EQ(fixes->size(), 3u);
  EXPECT_EQ((*fixes)[0].id, *a);
  EXPECT_EQ((*fixes)[1].id, *b);
  EXPECT_EQ((*fixes)[2].id, *c);
  EXPECT_FALSE((*fixes)[0].recommended);
  EXPECT_TRUE((*fixes)[2].recommended);
}

TEST_F(FixStoreTest, VerificationIsUpdatedAndItsStatusRead) {
  auto id = store().save_fix(make_fix("accept the value"));
  ASSERT_TRUE(id);
  m_now = at("2024-05-01T12:01:00Z");
  const std::string verification =
      R"({"status":"verified","detail":"test passes, 0 failures","tests":[{"unique_id":"test.x","before":"fail","after":"pass","failures_before":3,"failures_after":0}]})";
  auto updated = store().update_verification(*id, verification);
  ASSERT_TRUE(updated) << updated.error().message;
  auto fix = store().get_fix(*id);
  EXPECT_EQ(fix->verification_status, VerificationStatus::verified);
  EXPECT_EQ(fix->verification_json, verification);
  EXPECT_EQ(fix->verified_at, "2024-05-01T12:01:00.000Z");

  auto bad_status = store().update_verification(*id, R"({"status":"probably"})");
  ASSERT_FALSE(bad_status);
  EXPECT_NE(bad_status.error().message.find("probably"), std::string::npos) << bad_status.error().message;
  EXPECT_FALSE(store().update_verification(*id, "{oops"));
  EXPECT_FALSE(store().update_verification(*id, R"(["verified"])"));
  EXPECT_EQ(store().get_fix(*id)->verification_status, VerificationStatus::verified);
}

TEST_F(FixStoreTest, RefusesFixesThatDoNotFit) {
  FixRecord orphan = make_fix("orphan");
  orphan.investigation_id = "inv_00000000";
  auto missing = store().save_fix(orphan);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);

  FixRecord wrong_incident = make_fix("wrong incident");
  wrong_incident.incident_id = "inc_ffffffff";
  EXPECT_FALSE(store().save_fix(wrong_incident));

  FixRecord bad_detail = make_fix("bad detail");
  bad_detail.detail_json = "{";
  EXPECT_FALSE(store().save_fix(bad_detail));

  FixRecord no_path = make_fix("no path");
  no_path.edits[1].path.clear();
  EXPECT_FALSE(store().save_fix(no_path));
  EXPECT_TRUE(store().list_fixes(m_investigation)->empty());  // nothing half-saved

  FixRecord given_id = make_fix("given id");
  given_id.id = "fix_00c0ffee";
  EXPECT_EQ(*store().save_fix(given_id), "fix_00c0ffee");
  EXPECT_FALSE(store().save_fix(given_id));
}

TEST_F(FixStoreTest, AppliesRoundTripAndAreRevertedOnce) {
  auto fix_id = store().save_fix(make_fix("accept the value", true));
  ASSERT_TRUE(fix_id);
  ApplyRecord apply;
  apply.fix_id = *fix_id;
  apply.applied_by = "ana";
  apply.git_branch = "cowork/inc_0a0b0c0d";
  apply.git_commit = "0123456789abcdef0123456789abcdef01234567";
  apply.files = {{"models/staging/schema.yml", ".cowork/backups/app_x/models/staging/schema.yml", "5d41", "7d79"},
                 {"macros/new_macro.sql", "", "", "abcd"}};
  m_now = at("2024-05-01T12:10:00Z");
  auto id = store().record_apply(apply);
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_TRUE(id->starts_with("app_"));

  auto loaded = store().get_apply(id->substr(0, 8));
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->id, *id);
  EXPECT_EQ(loaded->fix_id, *fix_id);
  EXPECT_EQ(loaded->incident_id, m_incident);
  EXPECT_EQ(loaded->applied_at, "2024-05-01T12:10:00.000Z");
  EXPECT_EQ(loaded->applied_by, "ana");
  EXPECT_EQ(loaded->git_branch, apply.git_branch);
  EXPECT_EQ(loaded->git_commit, apply.git_commit);
  ASSERT_EQ(loaded->files.size(), 2u);
  EXPECT_EQ(loaded->files[0].backup_path, apply.files[0].backup_path);
  EXPECT_EQ(loaded->files[0].before_hash, "5d41");
  EXPECT_EQ(loaded->files[1].after_hash, "abcd");
  EXPECT_FALSE(loaded->reverted());

  ASSERT_TRUE(store().mark_reverted(*id, at("2024-05-01T13:00:00Z"), "bo"));
  auto reverted = store().get_apply(*id);
  EXPECT_TRUE(reverted->reverted());
  EXPECT_EQ(reverted->reverted_at, "2024-05-01T13:00:00.000Z");
  EXPECT_EQ(reverted->reverted_by, "bo");
  auto twice = store().mark_reverted(*id, at("2024-05-01T14:00:00Z"), "bo");
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("already reverted at 2024-05-01T13:00:00.000Z by bo"), std::string::npos)
      << twice.error().message;

  const auto json = to_json(*reverted);
  EXPECT_EQ(json["files"][1]["backup_path"], "");
  EXPECT_EQ(json["reverted_by"], "bo");
}

TEST_F(FixStoreTest, AppliesListByFixAndByIncident) {
  auto fix_a = store().save_fix(make_fix("a", true));
  auto fix_b = store().save_fix(make_fix("b"));
  ASSERT_TRUE(fix_a && fix_b);
  const auto record = [&](const std::string& fix, const char* when) {
    ApplyRecord apply;
    apply.fix_id = fix;
    apply.applied_by = "ana";
    apply.applied_at = when;
    auto id = store().record_apply(apply);
    EXPECT_TRUE(id) << id.error().message;
    return *id;
  };
  const std::string first = record(*fix_a, "2024-05-01T12:10:00Z");
  const std::string second = record(*fix_b, "2024-05-01T12:20:00Z");
  const std::string third = record(*fix_a, "2024-05-01T12:30:00Z");

  ApplyFilter by_fix;
  by_fix.fix_id = *fix_a;
  auto of_a = store().list_applies(by_fix);
  ASSERT_TRUE(of_a) << of_a.error().message;
  ASSERT_EQ(of_a->size(), 2u);
  EXPECT_EQ((*of_a)[0].id, third);  // newest first
  EXPECT_EQ((*of_a)[1].id, first);

  ApplyFilter by_incident;
  by_incident.incident_id = m_incident;
  EXPECT_EQ(store().list_applies(by_incident)->size(), 3u);
  EXPECT_EQ(store().list_applies()->front().id, third);

  const std::string other = add_incident("inc_0e0e0e0e");
  by_incident.incident_id = other;
  EXPECT_TRUE(store().list_applies(by_incident)->empty());
  (void)second;
}

TEST_F(FixStoreTest, AnApplyNeedsAKnownFixAndAPerson) {
  ApplyRecord apply;
  apply.fix_id = "fix_00000000";
  apply.applied_by = "ana";
  auto unknown = store().record_apply(apply);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  auto fix_id = store().save_fix(make_fix("a"));
  apply.fix_id = *fix_id;
  apply.applied_by = "";
  EXPECT_FALSE(store().record_apply(apply));
  EXPECT_EQ(store().get_apply("app_1").error().code, ErrorCode::not_found);
}

TEST(NewIdTest, IdsAreATagAndEightHexDigits) {
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = new_id("inv");
    ASSERT_EQ(id.size(), 12u);
    ASSERT_TRUE(id.starts_with("inv_"));
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef", 4), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_GT(seen.size(), 995u);
}

}  // namespace
}  // namespace cowork::store
