// Reading dbt's target/manifest.json, schema v1 to v12 and dbt Fusion's v20, into Nodes. The file is streamed with
// simdjson's On-Demand parser and only what the graph and the investigation tools need is kept (no docs blocks, no
// disabled nodes, no selectors); large manifests of hundreds of MB are the norm, not the exception.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dbt/artifact_metadata.hpp"
#include "dbt/node.hpp"
#include "util/arena.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace cowork::dbt {

struct Macro {
  std::string_view unique_id;
  std::string_view name;
  std::string_view package_name;
  std::string_view original_file_path;
  LazyText macro_sql;
};

struct ManifestOptions {
  bool keep_macros = true;  // macros (the definitions of generic tests live there)
  // Read the file's parent_map as well. Edges always come from each node's depends_on, which holds the same
  // information (the corpus tests check that on every real manifest); the map is read only to verify that.
  bool read_parent_map = false;
  // Threads for the `nodes` section of large manifests: 0 means $COWORK_THREADS if set, else the machine's cores (at
  // most 4); 1 reads on one.
  unsigned threads = 0;
  // Manifests smaller than this are read on one thread; splitting costs more than it saves.
  std::size_t parallel_min_bytes = 8u << 20;
  // Where to cut the nodes section, as fractions of the file (tests use it to aim a cut at awkward places);
  // empty: evenly.
  std::vector<double> split_at;
};

// Move-only: its nodes' text points into its own file mapping and arena.
struct Manifest {
  std::string path;  // as given to load_manifest; errors and warnings name it
  ArtifactMetadata metadata;
  // Every node of every kind: `nodes`, `sources`, `exposures`, `metrics`, `semantic_models`, `saved_queries`,
  // `unit_tests` and `functions` of the file, in file order.
  std::vector<Node> nodes;
  std::vector<Macro> macros;
  // Unique ids of the disabled nodes (the `disabled` section); edges may still name them.
  std::vector<std::string_view> disabled;
  // The file's parent_map, when asked for (ManifestOptions::read_parent_map) and present.
  std::optional<std::unordered_map<std::string_view, std::vector<std::string_view>>> parent_map;
  std::vector<std::string> warnings;

  // Where the text of the nodes lives.
  std::unique_ptr<PaddedFile> file;
  std::unique_ptr<StringArena> arena = std::make_unique<StringArena>();
  std::vector<std::unique_ptr<StringArena>> more_arenas;  // one per thread of a parallel read
  // How the file was read: 1 when sequentially, else the number of pieces the nodes section was cut into.
  unsigned pieces = 1;
};

// Loads and validates a manifest. Errors name the file and the JSON path of the offending value; an unknown newer
// schema version is read as the newest known one, with a warning in `warnings`.
//
// A large manifest written the way dbt writes it ({"metadata": ..., "nodes": {...}, ...} with ", " separators) has its
// nodes section cut at entry boundaries into pieces read on several threads; each cut is checked by the parse itself
// (a cut inside a node leaves unbalanced brackets), and anything unexpected falls back to one sequential read, so the
// result and the error messages are always those of the sequential read.
Result<Manifest> load_manifest(const std::filesystem::path& path, const ManifestOptions& options = {});

}  // namespace cowork::dbt
