// Every real artifact of tests/fixtures/corpus (public dbt projects, manifest v1 to v12 and Fusion's v20, run results
// v1 to v6) loads, and what the loaders read agrees with an independent parse of the same file.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "dbt/artifacts.hpp"
#include "incidents/incident.hpp"
#include "support/process.hpp"

namespace cowork::dbt {
namespace {

namespace fs = std::filesystem;

fs::path corpus_dir() {
  return fs::path(testing::fixtures_dir()) / "corpus";
}

std::vector<std::string> corpus_files() {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(corpus_dir()))
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      files.push_back(fs::relative(entry.path(), corpus_dir()).string());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> corpus_folders_with_results() {
  std::vector<std::string> folders;
  for (const auto& entry : fs::recursive_directory_iterator(corpus_dir()))
    if (entry.is_regular_file() && entry.path().filename() == "run_results.json" &&
        fs::exists(entry.path().parent_path() / "manifest.json"))
      folders.push_back(fs::relative(entry.path().parent_path(), corpus_dir()).string());
  std::sort(folders.begin(), folders.end());
  return folders;
}

nlohmann::json parse(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::string test_name(const std::string& path) {
  std::string name = path;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

bool failing(const std::string& status) {
  return status == "fail" || status == "error" || status == "warn" || status == "runtime error" ||
         status == "partial success";
}

std::vector<std::string> sorted_unique(std::vector<std::string> list) {
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
  return list;
}

class CorpusFile : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusFile, LoadsAndAgreesWithTheFile) {
  const fs::path path = corpus_dir() / GetParam();
  const nlohmann::json file = parse(path);
  const std::string schema = file["metadata"]["dbt_schema_version"];

  if (schema.find("/manifest/") != std::string::npos) {
    auto manifest = load_manifest(path);
    ASSERT_TRUE(manifest) << manifest.error().message;
    EXPECT_TRUE(manifest->warnings.empty()) << manifest->warnings.front();
    std::size_t expected = 0;
    for (const char* section :
         {"nodes", "sources", "exposures", "metrics", "semantic_models", "saved_queries", "unit_tests", "functions"})
      if (file.contains(section) && file[section].is_object()) expected += file[section].size();
    EXPECT_EQ(manifest->nodes.size(), expected);

    // Lineage computed from depends_on alone must agree with the parent_map and child_map dbt wrote.
    auto shared = std::make_shared<const Manifest>(std::move(*manifest));
    Graph graph = Graph::build(shared, GraphOptions{.use_parent_map = false});
    ASSERT_TRUE(file.contains("parent_map"));
    for (const auto& [id, parents] : file["parent_map"].items()) {
      auto node = graph.find(id);
      ASSERT_TRUE(node.has_value()) << id;
      std::vector<std::string> ours;
      for (NodeId p : graph.parents(*node)) ours.emplace_back(graph.node(p).unique_id);
      EXPECT_EQ(sorted_unique(ours), sorted_unique(parents.get<std::vector<std::string>>())) << "parents of " << id;
    }
    if (file.contains("child_map") && file["child_map"].is_object()) {
      for (const auto& [id, children] : file["child_map"].items()) {
        auto node = graph.find(id);
        ASSERT_TRUE(node.has_value()) << id;
        std::vector<std::string> ours;
        for (NodeId c : graph.children(*node)) ours.emplace_back(graph.node(c).unique_id);
        EXPECT_EQ(sorted_unique(ours), sorted_unique(children.get<std::vector<std::string>>())) << "children of " << id;
      }
    }
    // The graph built from the file's own parent_map is the same graph.
    ManifestOptions with_map;
    with_map.read_parent_map = true;
    auto mapped = load_manifest(path, with_map);
    ASSERT_TRUE(mapped) << mapped.error().message;
    Graph from_map = Graph::build(std::make_shared<const Manifest>(std::move(*mapped)));
    EXPECT_TRUE(from_map.edges_from_parent_map());
    EXPECT_EQ(from_map.size(), graph.size());
  } else if (schema.find("/run-results/") != std::string::npos) {
    auto run = load_run_results(path);
    ASSERT_TRUE(run) << run.error().message;
    ASSERT_EQ(run->results.size(), file["results"].size());
    std::size_t expected_failing = 0, ours = 0;
    for (const auto& result : file["results"])
      if (result["status"].is_string() && failing(result["status"].get<std::string>())) ++expected_failing;
    for (const auto& result : run->results) ours += is_failure(result.status) ? 1 : 0;
    EXPECT_EQ(ours, expected_failing);
    for (std::size_t i = 0; i < run->results.size(); ++i)
      EXPECT_NE(run->results[i].status, RunStatus::unknown) << run->results[i].status_text;
  } else if (schema.find("/catalog/") != std::string::npos) {
    auto catalog = load_catalog(path);
    ASSERT_TRUE(catalog) << catalog.error().message;
    std::set<std::string> ids;
    for (const char* section : {"nodes", "sources"})
      for (const auto& [id, entry] : file[section].items()) ids.insert(id);
    EXPECT_EQ(catalog->entries.size(), ids.size());
  } else if (schema.find("/sources/") != std::string::npos) {
    auto freshness = load_freshness(path);
    ASSERT_TRUE(freshness) << freshness.error().message;
    EXPECT_EQ(freshness->results.size(), file["results"].size());
  } else {
    FAIL() << "unexpected schema " << schema;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusFile, ::testing::ValuesIn(corpus_files()),
                         [](const auto& info) { return test_name(info.param); });

class CorpusFolder : public ::testing::TestWithParam<std::string> {};

// Every failing result of the folder is in exactly one incident; every skipped node is in at most one incident or
// listed as unattributed; no incident is made of skipped nodes alone.
TEST_P(CorpusFolder, IncidentsAccountForEveryFailure) {
  const fs::path dir = corpus_dir() / GetParam();
  ArtifactRequest request;
  request.run_results = Need::required;
  request.freshness = Need::optional;
  request.catalog = Need::optional;
  auto artifacts = load_artifacts(dir, request);
  ASSERT_TRUE(artifacts) << artifacts.error().message;
  const auto report = incidents::build_incidents(*artifacts);

  std::multiset<std::string> expected_failures, expected_skips;
  const nlohmann::json run_file = parse(dir / "run_results.json");
  for (const auto& result : run_file["results"]) {
    const std::string status = result["status"];
    if (failing(status)) expected_failures.insert(result["unique_id"].get<std::string>());
    if (status == "skipped") expected_skips.insert(result["unique_id"].get<std::string>());
  }
  if (fs::exists(dir / "sources.json")) {
    const nlohmann::json sources_file = parse(dir / "sources.json");
    for (const auto& result : sources_file["results"])
      if (failing(result["status"].get<std::string>()))
        expected_failures.insert(result["unique_id"].get<std::string>());
  }

  std::multiset<std::string> failures, skips(report.unattributed_skips.begin(), report.unattributed_skips.end());
  std::set<std::string> incident_ids;
  for (const auto& incident : report.incidents) {
    EXPECT_FALSE(incident.failures.empty()) << incident.id;
    EXPECT_TRUE(incident_ids.insert(incident.id).second) << "duplicate id " << incident.id;
    EXPECT_EQ(incident.id.size(), 12u);
    for (const auto& failure : incident.failures) failures.insert(failure.unique_id);
    skips.insert(incident.skipped.begin(), incident.skipped.end());
    EXPECT_FALSE(incident.title.empty());
    EXPECT_FALSE(incident.root_candidates.empty());
  }
  EXPECT_EQ(failures, expected_failures);
  EXPECT_EQ(skips, expected_skips);

  // Building twice gives the same ids: they are stable.
  const auto again = incidents::build_incidents(*artifacts);
  ASSERT_EQ(again.incidents.size(), report.incidents.size());
  for (std::size_t i = 0; i < report.incidents.size(); ++i) EXPECT_EQ(again.incidents[i].id, report.incidents[i].id);
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusFolder, ::testing::ValuesIn(corpus_folders_with_results()),
                         [](const auto& info) { return test_name(info.param); });

}  // namespace
}  // namespace cowork::dbt
