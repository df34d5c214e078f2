#include "dbt/artifact_metadata.hpp"

#include <charconv>

namespace cowork::dbt {

std::string_view schema_name(ArtifactKind kind) {
  switch (kind) {
    case ArtifactKind::manifest:
      return "manifest";
    case ArtifactKind::run_results:
      return "run-results";
    case ArtifactKind::catalog:
      return "catalog";
    case ArtifactKind::sources:
      return "sources";
  }
  return "artifact";
}

KnownVersions known_versions(ArtifactKind kind) {
  switch (kind) {
    case ArtifactKind::manifest:
      return {1, 12};
    case ArtifactKind::run_results:
      return {1, 6};
    case ArtifactKind::catalog:
      return {1, 1};
    case ArtifactKind::sources:
      return {1, 3};
  }
  return {1, 1};
}

Status read_metadata(json::JsonReader& reader, json::Value& value, ArtifactMetadata& out) {
  return reader.for_each_field(
      value,
      [&](std::string_view key, json::Value& field) -> Status {
        if (key == "dbt_schema_version") return reader.read_string(field, out.schema_url);
        if (key == "dbt_version") return reader.read_string(field, out.dbt_version);
        if (key == "generated_at") return reader.read_string(field, out.generated_at);
        if (key == "invocation_id") return reader.read_string(field, out.invocation_id);
        if (key == "project_name") return reader.read_string(field, out.project_name);
        if (key == "adapter_type") return reader.read_string(field, out.adapter_type);
        return {};
      },
      /*null_ok=*/false);
}

namespace {

struct ParsedSchemaUrl {
  std::string_view name;
  int version = 0;
};

// https://schemas.getdbt.com/dbt/manifest/v12.json -> {manifest, 12}
bool parse_schema_url(std::string_view url, ParsedSchemaUrl& out) {
  auto slash = url.rfind('/');
  if (slash == std::string_view::npos) return false;
  std::string_view file = url.substr(slash + 1);
  std::string_view rest = url.substr(0, slash);
  auto name_slash = rest.rfind('/');
  out.name = name_slash == std::string_view::npos ? rest : rest.substr(name_slash + 1);
  if (file.ends_with(".json")) file.remove_suffix(5);
  if (file.size() < 2 || (file[0] != 'v' && file[0] != 'V')) return false;
  file.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(file.data(), file.data() + file.size(), out.version);
  return ec == std::errc() && ptr == file.data() + file.size() && out.version > 0;
}

}  // namespace

Status check_metadata(ArtifactKind expected, std::string_view label, bool saw_metadata, ArtifactMetadata& metadata,
                      std::vector<std::string>& warnings) {
  const std::string_view want = schema_name(expected);
  if (!saw_metadata)
    return make_error(ErrorCode::invalid_argument, "{}: $.metadata is missing; is this a dbt {} file?", label, want);
  if (metadata.schema_url.empty())
    return make_error(ErrorCode::invalid_argument,
                      "{}: $.metadata.dbt_schema_version is missing; cannot tell which {} schema the file follows",
                      label, want);
  ParsedSchemaUrl parsed;
  if (!parse_schema_url(metadata.schema_url, parsed))
    return make_error(ErrorCode::invalid_argument,
                      "{}: $.metadata.dbt_schema_version: unrecognised schema '{}' (expected a URL like "
                      "https://schemas.getdbt.com/dbt/{}/v{}.json)",
                      label, metadata.schema_url, want, known_versions(expected).newest);
  if (parsed.name != want)
    return make_error(ErrorCode::invalid_argument, "{}: this is a dbt {} artifact ({}), not a {}", label, parsed.name,
                      metadata.schema_url, want);

  metadata.schema_version = parsed.version;
  metadata.fusion =
      metadata.dbt_version.starts_with("2.") || (expected == ArtifactKind::manifest && parsed.version >= 20);
  const KnownVersions known = known_versions(expected);
  metadata.read_as_version = parsed.version;
  if (expected == ArtifactKind::manifest && parsed.version == 20) return {};  // dbt Fusion's manifest
  if (parsed.version > known.newest) {
    const int newest = (expected == ArtifactKind::manifest && parsed.version > 20) ? 20 : known.newest;
    metadata.read_as_version = newest;
    warnings.push_back(fmt::format(
        "{}: {} schema v{} is newer than the newest this version of cowork knows (v{}); reading it as v{}. Fields "
        "added since then are ignored",
        label, want, parsed.version, newest, newest));
  }
  return {};
}

}  // namespace cowork::dbt
