// Builds small dbt artifacts (manifest.json, run_results.json) in memory for tests, in the shape a given dbt version
// writes, so a test states the lineage and the results it needs in a few lines.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cowork::testing {

class ManifestBuilder {
 public:
  explicit ManifestBuilder(int schema_version = 12, std::string project = "shop");

  // model.<project>.<name>, reading `parents` (names of models/seeds, or "source:src.table").
  ManifestBuilder& model(const std::string& name, const std::vector<std::string>& parents = {},
                         nlohmann::json meta = nlohmann::json::object());
  ManifestBuilder& seed(const std::string& name);
  ManifestBuilder& source(const std::string& source_name, const std::string& table);
  // A generic test `test_name` on `model` (a name) and `column` (may be empty); `extra_parents` for relationships.
  ManifestBuilder& test(const std::string& test_name, const std::string& model, const std::string& column,
                        const std::vector<std::string>& extra_parents = {}, const std::string& severity = "ERROR");
  // A singular test reading `parents`.
  ManifestBuilder& singular_test(const std::string& name, const std::vector<std::string>& parents);
  ManifestBuilder& exposure(const std::string& name, const std::vector<std::string>& parents);
  // Leaves parent_map out, as hand-trimmed manifests do.
  ManifestBuilder& without_parent_map();

  // The unique id of a name given to model(), seed(), source() ("src.table"), test() (its generated name).
  std::string id(const std::string& name) const;
  nlohmann::json build() const;
  std::filesystem::path write(const std::filesystem::path& dir) const;

  // The generated name of a generic test, as dbt names it: <test>_<model>_<column>.
  static std::string test_name(const std::string& test_name, const std::string& model, const std::string& column);

 private:
  std::string resolve(const std::string& reference) const;
  void add_node(nlohmann::json node);

  int m_version;
  std::string m_project;
  nlohmann::json m_nodes = nlohmann::json::object();
  nlohmann::json m_sources = nlohmann::json::object();
  nlohmann::json m_exposures = nlohmann::json::object();
  bool m_parent_map = true;
};

class RunResultsBuilder {
 public:
  explicit RunResultsBuilder(std::string command = "build", int schema_version = 6);
  RunResultsBuilder& result(const std::string& unique_id, const std::string& status, nlohmann::json failures = nullptr,
                            nlohmann::json message = nullptr);
  nlohmann::json build() const;
  std::filesystem::path write(const std::filesystem::path& dir) const;

 private:
  int m_version;
  std::string m_command;
  nlohmann::json m_results = nlohmann::json::array();
};

}  // namespace cowork::testing
