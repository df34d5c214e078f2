// profiles.yml: where dbt looks for it (--profiles-dir, $DBT_PROFILES_DIR, the project folder, ~/.dbt), which
// profile and target apply, and the connection settings of that target with their Jinja (env_var()) rendered.
// The native runner turns a ProfileTarget into a warehouse connection.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace cowork::dbt {

struct ProfileTarget {
  std::string profiles_file;  // the profiles.yml used
  std::string profile;        // profile name
  std::string target;         // target name (dev, prod...)
  std::string type;           // duckdb, postgres...
  std::string schema;
  std::string database;
  // Every setting of the target after rendering, as JSON (strings, numbers and booleans as YAML typed them; a
  // rendered value that looks like a number becomes one, as dbt does).
  nlohmann::json settings = nlohmann::json::object();
  int threads = 1;
};

// Renders one string value of profiles.yml (dbt renders them as Jinja with env_var() available).
using ProfileRenderer = std::function<Result<std::string>(std::string_view text, std::string_view where)>;

// Finds profiles.yml: `profiles_dir` (the --profiles-dir flag) if given, else $DBT_PROFILES_DIR, else the project
// folder when it has one, else ~/.dbt. The error lists the places looked at.
Result<std::filesystem::path> find_profiles_file(const std::filesystem::path& project_dir,
                                                 const std::string& profiles_dir);

// Reads `profile_name` from the profiles file and picks `target_name` (empty: the profile's `target`).
Result<ProfileTarget> load_profile_target(const std::filesystem::path& profiles_file, const std::string& profile_name,
                                          const std::string& target_name, const ProfileRenderer& render);

}  // namespace cowork::dbt
