#include "knowledge/knowledge_base.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <ctime>
#include <iostream>

#include <fmt/format.h>

#include "support/temp_dir.hpp"

namespace cowork::knowledge {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const KnowledgeBase& airbnb() {
  static const KnowledgeBase kb = [] {
    auto loaded = KnowledgeBase::load(COWORK_AIRBNB_KB_DIR);
    if (!loaded) throw std::runtime_error(loaded.error().message);
    return std::move(*loaded);
  }();
  return kb;
}

// "path > heading" of the best hit, for readable failures.
std::string top(const std::vector<Hit>& hits) {
  return hits.empty() ? "(no hits)" : hits[0].chunk.path + " > " + hits[0].chunk.heading;
}

TEST(KnowledgeBase, LoadsTheDemoProjectsRules) {
  const KnowledgeBase& kb = airbnb();
  EXPECT_TRUE(kb.warnings().empty());
  EXPECT_EQ(kb.file_count(), 5u);
  ASSERT_FALSE(kb.chunks().empty());
  EXPECT_EQ(kb.chunks().front().path, "knowledge_base/business_rules.md");
  EXPECT_EQ(kb.chunks().back().path, "knowledge_base/privacy_policy.md");
  bool found = false;
  for (const Chunk& chunk : kb.chunks()) {
    if (chunk.heading != "Data quality policies > Room types (DQ-114)") continue;
    found = true;
    EXPECT_EQ(chunk.path, "knowledge_base/data_quality_policies.md");
    EXPECT_EQ(chunk.line, 14u);
    EXPECT_TRUE(chunk.text.starts_with("The approved room types are exactly:"));
  }
  EXPECT_TRUE(found);
}

struct RealisticQuery {
  std::string query;
  std::string path;
  std::string heading;
};

TEST(KnowledgeBase, RealisticQueriesFindTheRuleThatDecides) {
  const std::vector<RealisticQuery> cases = {
      {"accepted_values room_type Entire place", "knowledge_base/data_quality_policies.md",
       "Data quality policies > Room types (DQ-114)"},
      {"relationships fct_reviews listing_id", "knowledge_base/incident_playbook.md",
       "Incident playbook > Late-arriving data"},
      {"minimum_nights 0", "knowledge_base/data_quality_policies.md",
       "Data quality policies > Minimum nights (DQ-087)"},
      {"duplicate listing_id unique", "knowledge_base/data_quality_policies.md",
       "Data quality policies > Duplicate listings (DQ-131)"},
      {"host_id null", "knowledge_base/data_quality_policies.md",
       "Data quality policies > Listings without a host (DQ-201)"},
      {"host_name renamed", "knowledge_base/naming_conventions.md", "Naming conventions > Columns"},
      {"DQ-114", "knowledge_base/data_quality_policies.md", "Data quality policies > Room types (DQ-114)"},
      {"price zero discount", "knowledge_base/data_quality_policies.md", "Data quality policies > Prices"},
      {"model failed after a merge revert", "knowledge_base/incident_playbook.md",
       "Incident playbook > Broken builds after a code change"},
      {"reviewer_name personal data", "knowledge_base/privacy_policy.md",
       "Privacy policy for analytics > Personal data in the Airbnb models"},
  };
  for (const RealisticQuery& c : cases) {
    const auto hits = airbnb().search(c.query, 3);
    ASSERT_FALSE(hits.empty()) << c.query;
    EXPECT_EQ(hits[0].chunk.path, c.path) << c.query << " -> " << top(hits);
    EXPECT_EQ(hits[0].chunk.heading, c.heading) << c.query << " -> " << top(hits);
    EXPECT_GT(hits[0].score, 0);
    EXPECT_FALSE(hits[0].excerpt.empty()) << c.query;
    EXPECT_LE(hits[0].excerpt.size(), 300u) << c.query;
    for (std::size_t i = 1; i < hits.size(); ++i) EXPECT_GE(hits[i - 1].score, hits[i].score);
  }
}

TEST(KnowledgeBase, ExcerptsQuoteTheDecision) {
  auto hits = airbnb().search("accepted_values room_type Entire place", 1);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].excerpt,
            "Do not add `Entire place` to the accepted values: it would split the dashboards' largest group in two. "
            "Any other new room type is a real change and must be approved by Data Governance before it is accepted.");
  // With the model among the incident's names, the sentence that names it comes in.
  hits = airbnb().search("accepted_values room_type", 1, {"src_listings", "Entire place"});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].excerpt.find("map `Entire place` to `Entire home/apt` in `src_listings`"), std::string::npos)
      << hits[0].excerpt;

  hits = airbnb().search("relationships fct_reviews listing_id", 1);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].excerpt.find("`relationships` test from `fct_reviews.listing_id`"), std::string::npos)
      << hits[0].excerpt;
}

TEST(KnowledgeBase, IncidentBoostsDecideBetweenRules) {
  // Plain words that several rules share: the incident's names pick the rule.
  const std::string query = "fix the failing test without filtering";
  const auto plain = airbnb().search(query, 3);
  ASSERT_FALSE(plain.empty());
  const auto room_types = airbnb().search(query, 3, {"src_listings", "room_type", "Entire place"});
  ASSERT_FALSE(room_types.empty());
  EXPECT_EQ(room_types[0].chunk.heading, "Data quality policies > Room types (DQ-114)") << top(room_types);
  const auto late = airbnb().search(query, 3, {"fct_reviews", "listing_id", "relationships"});
  ASSERT_FALSE(late.empty());
  EXPECT_EQ(late[0].chunk.heading, "Incident playbook > Late-arriving data") << top(late);
  const auto nights = airbnb().search(query, 3, {"dim_listings_cleansed", "minimum_nights", "0"});
  ASSERT_FALSE(nights.empty());
  EXPECT_EQ(nights[0].chunk.heading, "Data quality policies > Minimum nights (DQ-087)") << top(nights);
  // The boosted phrase counts as one: the rule that names the value beats one with its words apart.
  EXPECT_GT(room_types[0].score, plain[0].score);
}

TEST(KnowledgeBase, SearchIsDeterministicAndHandlesEmptyQueries) {
  const auto first = airbnb().search("listings hosts reviews", 10);
  const auto second = airbnb().search("listings hosts reviews", 10);
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].chunk.path, second[i].chunk.path);
    EXPECT_EQ(first[i].chunk.line, second[i].chunk.line);
    EXPECT_EQ(first[i].score, second[i].score);
    EXPECT_EQ(first[i].excerpt, second[i].excerpt);
  }
  EXPECT_TRUE(airbnb().search("the of and", 5).empty());
  EXPECT_TRUE(airbnb().search("", 5).empty());
  EXPECT_TRUE(airbnb().search("zyxxyz", 5).empty());
  EXPECT_TRUE(airbnb().search("listings", 0).empty());
}

TEST(KnowledgeBase, EqualScoresGoByPathThenLine) {
  const std::string rule = "Never delete a listing.";
  const KnowledgeBase kb = KnowledgeBase::from_files({
      {"kb/b.md", "# B\n\n" + rule + "\n\n## Again\n\n" + rule + "\n"},
      {"kb/a.md", "# B\n\n" + rule + "\n"},
  });
  const auto hits = kb.search("delete listing", 10);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].chunk.path, "kb/a.md");
  EXPECT_EQ(hits[1].chunk.path, "kb/b.md");
  EXPECT_EQ(hits[1].chunk.line, 1u);
  EXPECT_EQ(hits[0].score, hits[1].score);
  EXPECT_EQ(hits[2].chunk.path, "kb/b.md");  // "Again" is a different heading, so a different score
}

TEST(KnowledgeBase, AMissingFolderSaysHowToCreateOne) {
  TempDir dir;
  const auto kb = KnowledgeBase::load(dir.path() / "knowledge_base");
  ASSERT_FALSE(kb);
  EXPECT_EQ(kb.error().code, ErrorCode::not_found);
  EXPECT_NE(kb.error().message.find((dir.path() / "knowledge_base").string()), std::string::npos) << kb.error().message;
  EXPECT_NE(kb.error().message.find("create it"), std::string::npos) << kb.error().message;
  EXPECT_NE(kb.error().message.find("cowork.yml"), std::string::npos) << kb.error().message;

  const auto file = KnowledgeBase::load(dir.write("rules.md", "# Rules\n"));
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(file.error().message.find("is a file"), std::string::npos) << file.error().message;
}

TEST(KnowledgeBase, AFolderWithoutMarkdownIsEmptyWithAWarning) {
  TempDir dir;
  fs::create_directories(dir.path() / "knowledge_base");
  auto kb = KnowledgeBase::load(dir.path() / "knowledge_base");
  ASSERT_TRUE(kb) << kb.error().message;
  EXPECT_TRUE(kb->empty());
  EXPECT_EQ(kb->file_count(), 0u);
  ASSERT_EQ(kb->warnings().size(), 1u);
  EXPECT_NE(kb->warnings()[0].find("no markdown files"), std::string::npos) << kb->warnings()[0];
  EXPECT_NE(kb->warnings()[0].find("knowledge_base"), std::string::npos) << kb->warnings()[0];
  EXPECT_TRUE(kb->search("anything at all", 5).empty());

  dir.write("knowledge_base/notes.txt", "Not markdown.");
  kb = KnowledgeBase::load(dir.path() / "knowledge_base");
  ASSERT_TRUE(kb) << kb.error().message;
  EXPECT_TRUE(kb->empty());
  EXPECT_EQ(kb->warnings().size(), 1u);
}

TEST(KnowledgeBase, LoadsRecursivelyInPathOrderAndSkipsHiddenFolders) {
  TempDir dir;
  dir.write("knowledge_base/z.md", "# Z\n\nzeta rule\n");
  dir.write("knowledge_base/sub/b.md", "# B\n\nbeta rule\n");
  dir.write("knowledge_base/a.MD", "# A\n\nalpha rule\n");
  dir.write("knowledge_base/.git/c.md", "# C\n\nhidden rule\n");
  dir.write("knowledge_base/readme.txt", "not markdown rule\n");
  const auto kb = KnowledgeBase::load(dir.path() / "knowledge_base");
  ASSERT_TRUE(kb) << kb.error().message;
  EXPECT_TRUE(kb->warnings().empty());
  EXPECT_EQ(kb->file_count(), 3u);
  std::vector<std::string> paths;
  for (const Chunk& chunk : kb->chunks()) paths.push_back(chunk.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"knowledge_base/a.MD", "knowledge_base/sub/b.md", "knowledge_base/z.md"}));
  EXPECT_EQ(kb->search("rule", 10).size(), 3u);
}

TEST(KnowledgeBase, PathsAreRelativeToTheProject) {
  TempDir dir;
  dir.write("docs/rules/prices.md", "# Prices\n\nNo discounts.\n");
  LoadOptions options;
  options.project_dir = dir.path();
  auto kb = KnowledgeBase::load(dir.path() / "docs/rules/", options);
  ASSERT_TRUE(kb) << kb.error().message;
  ASSERT_EQ(kb->chunks().size(), 1u);
  EXPECT_EQ(kb->chunks()[0].path, "docs/rules/prices.md");

  // A folder outside the project: relative to the folder's parent.
  TempDir other;
  other.write("team_rules/prices.md", "# Prices\n\nNo discounts.\n");
  kb = KnowledgeBase::load(other.path() / "team_rules", options);
  ASSERT_TRUE(kb) << kb.error().message;
  EXPECT_EQ(kb->chunks()[0].path, "team_rules/prices.md");
}

TEST(KnowledgeBase, FilesThatAreNotUtf8OrCannotBeReadAreSkippedByName) {
  TempDir dir;
  dir.write("knowledge_base/good.md", "# Good\n\nA rule.\n");
  dir.write("knowledge_base/latin1.md", "# Caf\xE9\n\nLine two.\n");
  fs::create_symlink(dir.path() / "nowhere.md", dir.path() / "knowledge_base/broken.md");
  const auto kb = KnowledgeBase::load(dir.path() / "knowledge_base");
  ASSERT_TRUE(kb) << kb.error().message;
  EXPECT_EQ(kb->file_count(), 1u);
  ASSERT_EQ(kb->warnings().size(), 2u);
  EXPECT_NE(kb->warnings()[0].find("knowledge_base/broken.md"), std::string::npos) << kb->warnings()[0];
  EXPECT_NE(kb->warnings()[1].find("knowledge_base/latin1.md"), std::string::npos) << kb->warnings()[1];
  EXPECT_NE(kb->warnings()[1].find("not UTF-8"), std::string::npos) << kb->warnings()[1];
  EXPECT_NE(kb->warnings()[1].find("line 1"), std::string::npos) << kb->warnings()[1];
  EXPECT_EQ(kb->search("rule", 5).size(), 1u);
}

TEST(KnowledgeBase, FrontMatterIsNotSearched) {
  TempDir dir;
  dir.write("kb/rules.md", "---\nowner: zebra-team\n---\n# Rules\n\nKeep listings.\n");
  const auto kb = KnowledgeBase::load(dir.path() / "kb");
  ASSERT_TRUE(kb) << kb.error().message;
  EXPECT_TRUE(kb->search("zebra", 5).empty());
  const auto hits = kb->search("listings", 5);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].chunk.line, 4u);
}

TEST(KnowledgeBase, TheFolderComesFromCoworkYml) {
  TempDir dir;
  auto folder = resolve_knowledge_base_dir(dir.path());
  ASSERT_TRUE(folder) << folder.error().message;
  EXPECT_EQ(*folder, dir.path() / "knowledge_base");

  dir.write("cowork.yml", "# settings\nknowledge_base: docs/rules\n");
  folder = resolve_knowledge_base_dir(dir.path());
  ASSERT_TRUE(folder) << folder.error().message;
  EXPECT_EQ(*folder, dir.path() / "docs/rules");

  dir.write("cowork.yml", "knowledge_base: /srv/team/rules\n");
  folder = resolve_knowledge_base_dir(dir.path());
  ASSERT_TRUE(folder) << folder.error().message;
  EXPECT_EQ(*folder, fs::path("/srv/team/rules"));

  dir.write("cowork.yml", "llm: none\n");
  folder = resolve_knowledge_base_dir(dir.path());
  ASSERT_TRUE(folder) << folder.error().message;
  EXPECT_EQ(*folder, dir.path() / "knowledge_base");

  dir.write("cowork.yml", "");
  EXPECT_EQ(*resolve_knowledge_base_dir(dir.path()), dir.path() / "knowledge_base");
}

TEST(KnowledgeBase, ABrokenCoworkYmlIsAnErrorNamingTheLine) {
  TempDir dir;
  dir.write("cowork.yml", "llm: none\nknowledge_base: [docs, rules]\n");
  auto folder = resolve_knowledge_base_dir(dir.path());
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(folder.error().message.find("cowork.yml:2:"), std::string::npos) << folder.error().message;
  EXPECT_NE(folder.error().message.find("knowledge_base"), std::string::npos) << folder.error().message;

  dir.write("cowork.yml", "knowledge_base: [docs\n");
  folder = resolve_knowledge_base_dir(dir.path());
  ASSERT_FALSE(folder);
  EXPECT_NE(folder.error().message.find("cowork.yml:"), std::string::npos) << folder.error().message;
  EXPECT_NE(folder.error().message.find("invalid YAML"), std::string::npos) << folder.error().message;

  dir.write("cowork.yml", "- a\n- b\n");
  folder = resolve_knowledge_base_dir(dir.path());
  ASSERT_FALSE(folder);
  EXPECT_NE(folder.error().message.find("mapping"), std::string::npos) << folder.error().message;
}

// 10,000 sections of generated rules: indexing well under a second, a query well under a millisecond.
TEST(KnowledgeBase, TenThousandChunksIndexFastAndSearchFaster) {
  std::uint64_t state = 42;
  const auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  };
  const char* syllables[] = {"lis", "ting", "host", "re",  "view", "pri", "ce",   "night", "room", "ty",   "pe",
                             "da",  "ta",   "mo",   "del", "col",  "umn", "fact", "dim",   "src",  "mart", "ly"};
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 3000; ++i) {
    std::string word;
    for (int s = 0, count = 2 + static_cast<int>(next() % 3); s < count; ++s) word += syllables[next() % 22];
    if (i % 10 == 0) word += "_id";
    vocabulary.push_back(word);
  }
  std::vector<MarkdownFile> files;
  std::size_t bytes = 0;
  for (int f = 0; f < 100; ++f) {
    std::string text = fmt::format("# Rules {}\n\n", f);
    for (int s = 0; s < 100; ++s) {
      text += fmt::format("## Rule {}-{} {}\n\n", f, s, vocabulary[next() % vocabulary.size()]);
      for (int w = 0; w < 110; ++w) {
        // Zipf-like: small indices far more often.
        const std::size_t index = static_cast<std::size_t>(next() % 3000) * (next() % 3000) / 3000;
        text += vocabulary[index];
        text += w % 12 == 11 ? ".\n" : " ";
      }
      text += "\n\n";
    }
    bytes += text.size();
    files.push_back({fmt::format("kb/rules_{:03}.md", f), std::move(text)});
  }

  // CPU time of this process, so a busy machine (two cores shared with other builds) does not fail the test.
  const auto cpu_ms = [] {
    timespec now{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
  };
  const double start = cpu_ms();
  const KnowledgeBase kb = KnowledgeBase::from_files(std::move(files));
  const double indexed = cpu_ms();
  EXPECT_EQ(kb.chunks().size(), 10000u);

  int found = 0;
  const int queries = 200;
  for (int q = 0; q < queries; ++q) {
    const std::string query = vocabulary[next() % 300] + " " + vocabulary[next() % 3000] + " " + vocabulary[q];
    found += kb.search(query, 5, {vocabulary[next() % 3000]}).empty() ? 0 : 1;
  }
  const double searched = cpu_ms();
  const double index_ms = indexed - start;
  const double query_ms = (searched - indexed) / queries;
  std::cout << fmt::format("indexed 10,000 chunks ({:.1f} MB) in {:.0f} ms of CPU; {:.3f} ms a query with excerpts\n",
                           static_cast<double>(bytes) / 1e6, index_ms, query_ms);
  EXPECT_GT(found, queries / 2);
#if !defined(__SANITIZE_ADDRESS__) && defined(__OPTIMIZE__)
  EXPECT_LT(index_ms, 1000);
  EXPECT_LT(query_ms, 2);
#endif
}

}  // namespace
}  // namespace cowork::knowledge
