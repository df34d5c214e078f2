// Reading dbt's target/manifest.json, schema v1 to v12 and dbt Fusion's v20, into Nodes. The file is streamed with
// simdjson's On-Demand parser and only what the graph and the investigation tools need is kept (no docs blocks, no
// disabled nodes, no selectors); large manifests of hundreds of MB are the norm, not the exception.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dbt/artifact_metadata.hpp"
#include "dbt/node.hpp"
#include "util/error.hpp"

namespace cowork::dbt {

struct Macro {
  std::string unique_id;
  std::string name;
  std::string package_name;
  std::string original_file_path;
  std::string macro_sql;
};

struct ManifestOptions {
  bool keep_code = true;    // raw and compiled SQL of nodes
  bool keep_macros = true;  // macro bodies (the definitions of generic tests live there)
};

struct Manifest {
  std::string path;  // as given to load_manifest; errors and warnings name it
  ArtifactMetadata metadata;
  // Every node of every kind: `nodes`, `sources`, `exposures`, `metrics`, `semantic_models`, `saved_queries`,
  // `unit_tests` and `functions` of the file, in file order.
  std::vector<Node> nodes;
  std::vector<Macro> macros;
  // Unique ids of the disabled nodes (the `disabled` section); edges may still name them.
  std::vector<std::string> disabled;
  // The file's parent_map, when it has one (every version writes it; hand-made or trimmed files may not).
  std::optional<std::unordered_map<std::string, std::vector<std::string>>> parent_map;
  std::vector<std::string> warnings;
};

// Loads and validates a manifest. Errors name the file and the JSON path of the offending value; an unknown newer
// schema version is read as the newest known one, with a warning in `warnings`.
Result<Manifest> load_manifest(const std::filesystem::path& path, const ManifestOptions& options = {});

}  // namespace cowork::dbt
