#include "dbt/profiles.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <system_error>

#include "util/strings.hpp"
#include "util/yaml.hpp"

namespace cowork::dbt {
namespace {

namespace fs = std::filesystem;

bool file_exists(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

// A rendered value that reads as a number or boolean becomes one (port: "{{ env_var('PORT') }}" -> 5432).
nlohmann::json typed(const std::string& text) {
  std::int64_t integer = 0;
  if (auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), integer);
      ec == std::errc() && ptr == text.data() + text.size() && !text.empty())
    return integer;
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  return text;
}

Result<nlohmann::json> render_all(const nlohmann::json& value, const ProfileRenderer& render,
                                  const std::string& where) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text.find("{{") == std::string::npos && text.find("{%") == std::string::npos) return value;
    COWORK_ASSIGN_OR_RETURN(auto rendered, render(text, where));
    return typed(rendered);
  }
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) {
      COWORK_ASSIGN_OR_RETURN(out[key], render_all(item, render, where + "." + key));
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) {
      COWORK_ASSIGN_OR_RETURN(auto rendered, render_all(item, render, where));
      out.push_back(std::move(rendered));
    }
    return out;
  }
  return value;
}

std::string keys_of(const YAML::Node& map) {
  std::vector<std::string> keys;
  for (const auto& item : map) keys.push_back(item.first.as<std::string>());
  return keys.empty() ? std::string("none") : join(keys, ", ");
}

}  // namespace

Result<fs::path> find_profiles_file(const fs::path& project_dir, const std::string& profiles_dir) {
  std::vector<fs::path> looked;
  auto candidate = [&](const fs::path& dir) -> std::optional<fs::path> {
    const fs::path file = dir / "profiles.yml";
    looked.push_back(file);
    if (file_exists(file)) return file;
    return std::nullopt;
  };
  if (!profiles_dir.empty()) {
    if (auto file = candidate(profiles_dir)) return *file;
    return make_error(ErrorCode::not_found, "no profiles.yml in {} (given with --profiles-dir)", profiles_dir);
  }
  if (const char* env = std::getenv("DBT_PROFILES_DIR"); env != nullptr && *env != '\0') {
    if (auto file = candidate(env)) return *file;
    return make_error(ErrorCode::not_found, "no profiles.yml in {} (from $DBT_PROFILES_DIR)", env);
  }
  if (auto file = candidate(project_dir)) return *file;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    if (auto file = candidate(fs::path(home) / ".dbt")) return *file;
  std::vector<std::string> places;
  for (const auto& path : looked) places.push_back(path.string());
  return make_error(ErrorCode::not_found,
                    "no profiles.yml found (looked at {}); create one, or pass --profiles-dir DIR", join(places, ", "));
}

Result<ProfileTarget> load_profile_target(const fs::path& profiles_file, const std::string& profile_name,
                                          const std::string& target_name, const ProfileRenderer& render) {
  const std::string label = profiles_file.string();
  COWORK_ASSIGN_OR_RETURN(auto yaml, load_yaml_file(profiles_file, label));
  if (!yaml.IsMap()) return make_error(ErrorCode::invalid_argument, "{}: expected a mapping of profiles", label);
  const YAML::Node profile = yaml[profile_name];
  if (!profile || !profile.IsMap())
    return make_error(ErrorCode::not_found, "{}: no profile named '{}' (the project's `profile`); profiles here: {}",
                      label, profile_name, keys_of(yaml));
  const YAML::Node outputs = profile["outputs"];
  if (!outputs || !outputs.IsMap())
    return make_error(ErrorCode::invalid_argument, "{}: profile '{}' has no `outputs`", yaml_location(label, profile),
                      profile_name);
  std::string target = target_name;
  if (target.empty()) {
    const YAML::Node default_target = profile["target"];
    if (!default_target || !default_target.IsScalar())
      return make_error(ErrorCode::invalid_argument, "{}: profile '{}' names no default `target`; pass --target",
                        yaml_location(label, profile), profile_name);
    COWORK_ASSIGN_OR_RETURN(auto rendered, render(default_target.Scalar(), profile_name + ".target"));
    target = rendered;
  }
  const YAML::Node output = outputs[target];
  if (!output || !output.IsMap())
    return make_error(ErrorCode::not_found, "{}: profile '{}' has no target '{}'; targets: {}", label, profile_name,
                      target, keys_of(outputs));

  ProfileTarget result;
  result.profiles_file = label;
  result.profile = profile_name;
  result.target = target;
  COWORK_ASSIGN_OR_RETURN(result.settings,
                          render_all(yaml_to_json(output), render, profile_name + ".outputs." + target));
  auto text = [&](const char* key) {
    auto it = result.settings.find(key);
    if (it == result.settings.end() || it->is_null()) return std::string();
    return it->is_string() ? it->get<std::string>() : it->dump();
  };
  result.type = text("type");
  if (result.type.empty())
    return make_error(ErrorCode::invalid_argument, "{}: target '{}' of profile '{}' has no `type`",
                      yaml_location(label, output), target, profile_name);
  result.schema = text("schema");
  result.database = text("database");
  if (result.database.empty()) result.database = text("dbname");
  if (auto threads = result.settings.find("threads"); threads != result.settings.end() && threads->is_number_integer())
    result.threads = std::max(1, threads->get<int>());
  return result;
}

}  // namespace cowork::dbt
