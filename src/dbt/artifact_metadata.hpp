// The `metadata` block every dbt artifact starts with, and the schema-version rules: which versions of each artifact
// this build reads, what an unknown newer version is read as, and how a file of the wrong kind is told apart.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"
#include "util/json_reader.hpp"

namespace cowork::dbt {

enum class ArtifactKind { manifest, run_results, catalog, sources };

// The artifact's name as dbt's schema URLs spell it: manifest, run-results, catalog, sources.
std::string_view schema_name(ArtifactKind kind);

struct ArtifactMetadata {
  std::string schema_url;   // metadata.dbt_schema_version as written
  int schema_version = 0;   // the number in the URL (v12 -> 12)
  int read_as_version = 0;  // the known version whose shape is assumed (differs for unknown newer versions)
  std::string dbt_version;
  std::string generated_at;
  std::string invocation_id;
  std::string project_name;
  std::string adapter_type;
  bool fusion = false;  // written by the dbt Fusion engine (dbt 2.x, or manifest v20)
};

// The versions this build knows. Manifest v20 is dbt Fusion's v12-shaped, partly null ("incomplete") manifest.
struct KnownVersions {
  int oldest;
  int newest;
};
KnownVersions known_versions(ArtifactKind kind);

// Reads a `metadata` object into `out`.
Status read_metadata(json::JsonReader& reader, json::Value& value, ArtifactMetadata& out);

// Checks the metadata read from `label` against the expected kind. A file of another kind, a missing or unreadable
// dbt_schema_version are errors; a version newer than known is read as the newest known, with a warning.
Status check_metadata(ArtifactKind expected, std::string_view label, bool saw_metadata, ArtifactMetadata& metadata,
                      std::vector<std::string>& warnings);

}  // namespace cowork::dbt
