#include "demo/demo.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "dbt/seed_csv.hpp"
#include "util/files.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace fs = std::filesystem;

namespace cowork::demo {
namespace {

constexpr std::string_view k_state_dir = ".cowork/demo";
constexpr std::string_view k_listings = "seeds/raw_listings.csv";
constexpr std::string_view k_reviews = "seeds/raw_reviews.csv";
constexpr std::string_view k_hosts_model = "models/src/src_hosts.sql";
constexpr std::string_view k_rename_from = "name as host_name,";
constexpr std::string_view k_rename_to = "name as host_full_name,";

// The team that owns the example, for the initial commit, and the teammate whose commit breaks the build.
constexpr std::string_view k_team_name = "Airbnb Analytics";
constexpr std::string_view k_team_email = "analytics@example.com";
constexpr std::string_view k_teammate_name = "Jamie Rivera";
constexpr std::string_view k_teammate_email = "jamie.rivera@example.com";
constexpr std::string_view k_rename_message =
    "Rename host_name to host_full_name in src_hosts\n\n"
    "The CRM export calls the field \"full name\"; using the same name here makes the mapping obvious.\n";

fs::path state_dir(const fs::path& dir) {
  return dir / k_state_dir;
}
fs::path state_file(const fs::path& dir) {
  return state_dir(dir) / "state.json";
}
fs::path baseline_dir(const fs::path& dir) {
  return state_dir(dir) / "baseline";
}

// What is never copied from the example: build output, local databases, cowork's own state.
bool skipped_in_copy(const fs::path& relative) {
  const std::string first = relative.begin()->string();
  if (first == "target" || first == "logs" || first == ".cowork" || first == "dbt_packages" || first == ".git")
    return true;
  const std::string name = relative.filename().string();
  return name.ends_with(".duckdb") || name.ends_with(".duckdb.wal") || name.ends_with(".pyc") ||
         name == "__pycache__";
}

Status copy_tree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return make_error(ErrorCode::permission_denied, "cannot create {}: {}", to.string(), ec.message());
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const fs::path relative = fs::relative(it->path(), from);
    if (skipped_in_copy(relative)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    const fs::path target = to / relative;
    if (it->is_directory()) {
      fs::create_directories(target, ec);
    } else if (it->is_regular_file()) {
      fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing, ec);
    }
    if (ec) return make_error(ErrorCode::permission_denied, "cannot copy {} to {}: {}", it->path().string(),
                              target.string(), ec.message());
  }
  if (ec) return make_error(ErrorCode::permission_denied, "cannot read {}: {}", from.string(), ec.message());
  return {};
}

// ---- git ---------------------------------------------------------------------------------------------------------

struct Identity {
  std::string_view name;
  std::string_view email;
};

Result<ProcessResult> git(const fs::path& dir, std::vector<std::string> args, std::optional<Identity> who = {}) {
  ProcessRequest request;
  request.argv = {"git", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"};
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.cwd = dir;
  request.timeout = std::chrono::seconds(60);
  if (who) {
    request.env = {"GIT_AUTHOR_NAME=" + std::string(who->name), "GIT_AUTHOR_EMAIL=" + std::string(who->email),
                   "GIT_COMMITTER_NAME=" + std::string(who->name), "GIT_COMMITTER_EMAIL=" + std::string(who->email)};
  }
  return run_process(request);
}

// Runs git and turns a non-zero exit into an error that quotes git's own message.
Result<std::string> git_checked(const fs::path& dir, std::vector<std::string> args,
                                std::optional<Identity> who = {}) {
  const std::string what = "git " + join(args, " ");
  COWORK_ASSIGN_OR_RETURN(ProcessResult result, git(dir, args, who));
  if (result.timed_out) return make_error(ErrorCode::timeout, "{} in {} did not finish in 60 s", what, dir.string());
  if (result.exit_code != 0)
    return make_error(ErrorCode::unavailable, "{} in {} failed: {}", what, dir.string(),
                      std::string(trim(result.err.empty() ? result.out : result.err)));
  return std::string(trim(result.out));
}

// ---- state -------------------------------------------------------------------------------------------------------

Status save_state(const fs::path& dir, const WorkspaceState& state) {
  nlohmann::json json = {{"version", 1}, {"has_git", state.has_git}, {"injected", nlohmann::json::array()}};
  for (Fault fault : state.injected) json["injected"].push_back(std::string(info(fault).name));
  if (!state.code_fault_commit.empty()) json["code_fault_commit"] = state.code_fault_commit;
  return write_file_atomic(state_file(dir), json.dump(2) + "\n");
}

// ---- CSV ---------------------------------------------------------------------------------------------------------

using Row = std::vector<std::optional<std::string>>;

std::string csv_field(const std::optional<std::string>& value) {
  if (!value) return {};
  const std::string& text = *value;
  const bool needs_quotes = text.empty() || text.find_first_of(",\"\r\n") != std::string::npos ||
                            text.front() == ' ' || text.back() == ' ';
  if (!needs_quotes) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string write_csv(const std::vector<std::string>& header, const std::vector<Row>& rows) {
  std::string out;
  for (std::size_t i = 0; i < header.size(); ++i) out += (i ? "," : "") + csv_field(header[i]);
  out += '\n';
  for (const Row& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + csv_field(row[i]);
    out += '\n';
  }
  return out;
}

struct Csv {
  std::vector<std::string> header;
  std::vector<Row> rows;

  Result<std::size_t> column(std::string_view name, std::string_view file) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    return make_error(ErrorCode::invalid_argument, "{} has no column {}: is it the example's file?", file, name);
  }
};

Result<Csv> read_csv(std::string_view text, std::string_view file) {
  // Every column as text, so values are written back exactly as they were read.
  nlohmann::json as_text = nlohmann::json::object();
  auto table = dbt::parse_seed_csv(text, file, as_text);
  if (!table) return std::unexpected(table.error());
  Csv csv;
  for (const auto& column : table->columns) csv.header.push_back(column.name);
  csv.rows = std::move(table->rows);
  return csv;
}

bool has(const std::vector<Fault>& faults, Fault fault) {
  return std::find(faults.begin(), faults.end(), fault) != faults.end();
}

}  // namespace

// ---- the faults --------------------------------------------------------------------------------------------------

const std::vector<FaultInfo>& all_faults() {
  static const std::vector<FaultInfo> faults = {
      {Fault::new_room_type, "new_room_type",
       "the listings export sends room type 'Entire place' for 37 listings that were 'Entire home/apt'",
       "accepted_values on dim_listings_cleansed.room_type fails", false},
      {Fault::null_host_ids, "null_host_ids", "25 listings arrive without a host_id",
       "not_null on dim_listings_cleansed.host_id fails", false},
      {Fault::zero_minimum_nights, "zero_minimum_nights", "25 listings have minimum_nights = 0",
       "positive_value on dim_listings_cleansed.minimum_nights fails", false},
      {Fault::duplicate_listings, "duplicate_listings",
       "15 listings are sent twice, the second copy with a later updated_at",
       "unique on dim_listings_cleansed.listing_id fails", false},
      {Fault::orphan_reviews, "orphan_reviews", "50 new reviews reference 20 listings that are not in the export yet",
       "relationships from fct_reviews.listing_id to dim_listings_cleansed fails", false},
      {Fault::renamed_column, "renamed_column",
       "a commit by Jamie Rivera renames host_name to host_full_name in src_hosts",
       "dim_hosts_cleansed fails to build (it still selects host_name)", true},
  };
  return faults;
}

const FaultInfo& info(Fault fault) {
  for (const auto& entry : all_faults())
    if (entry.fault == fault) return entry;
  return all_faults().front();
}

std::optional<Fault> parse_fault(std::string_view name) {
  for (const auto& entry : all_faults())
    if (entry.name == name) return entry.fault;
  return std::nullopt;
}

Result<std::string> apply_listing_faults(std::string_view baseline_csv, const std::vector<Fault>& faults,
                                         std::string_view reviews_csv) {
  COWORK_ASSIGN_OR_RETURN(Csv csv, read_csv(baseline_csv, k_listings));
  // Listings that lost their host are orphans of the platform's account merge and cannot be booked (DQ-201): the
  // fault picks the listings that have no review.
  std::set<std::string> reviewed;
  if (has(faults, Fault::null_host_ids)) {
    COWORK_ASSIGN_OR_RETURN(Csv reviews, read_csv(reviews_csv, k_reviews));
    COWORK_ASSIGN_OR_RETURN(const std::size_t listing_id, reviews.column("listing_id", k_reviews));
    for (const Row& row : reviews.rows)
      if (row[listing_id]) reviewed.insert(*row[listing_id]);
  }
  COWORK_ASSIGN_OR_RETURN(const std::size_t id, csv.column("id", k_listings));
  COWORK_ASSIGN_OR_RETURN(const std::size_t room_type, csv.column("room_type", k_listings));
  COWORK_ASSIGN_OR_RETURN(const std::size_t minimum_nights, csv.column("minimum_nights", k_listings));
  COWORK_ASSIGN_OR_RETURN(const std::size_t host_id, csv.column("host_id", k_listings));
  COWORK_ASSIGN_OR_RETURN(const std::size_t updated_at, csv.column("updated_at", k_listings));
  // Each fault owns rows by position, in residue classes that never overlap, so any combination of faults edits
  // the same rows in the same way.
  std::vector<Row> duplicates;
  for (std::size_t i = 0; i < csv.rows.size(); ++i) {
    Row& row = csv.rows[i];
    if (has(faults, Fault::new_room_type) && i % 20 == 7 && row[room_type] == "Entire home/apt") {
      row[room_type] = "Entire place";
      row[updated_at] = "2024-09-20 08:00:00";  // the platform release that renamed the room type
    }
    if (has(faults, Fault::null_host_ids) && row[id] && !reviewed.contains(*row[id])) row[host_id] = std::nullopt;
    if (has(faults, Fault::zero_minimum_nights) && i % 60 == 19) row[minimum_nights] = "0";
    if (has(faults, Fault::duplicate_listings) && i % 60 == 23 && i < 900) {
      Row copy = row;
      copy[updated_at] = "2024-10-02 06:00:00";  // re-sent after a change: not an identical row
      duplicates.push_back(std::move(copy));
    }
  }
  csv.rows.insert(csv.rows.end(), duplicates.begin(), duplicates.end());
  return write_csv(csv.header, csv.rows);
}

Result<std::string> apply_review_faults(std::string_view baseline_csv, const std::vector<Fault>& faults) {
  COWORK_ASSIGN_OR_RETURN(Csv csv, read_csv(baseline_csv, k_reviews));
  if (!has(faults, Fault::orphan_reviews)) return write_csv(csv.header, csv.rows);
  COWORK_ASSIGN_OR_RETURN(const std::size_t listing_id, csv.column("listing_id", k_reviews));
  COWORK_ASSIGN_OR_RETURN(const std::size_t date, csv.column("date", k_reviews));
  COWORK_ASSIGN_OR_RETURN(const std::size_t reviewer, csv.column("reviewer_name", k_reviews));
  COWORK_ASSIGN_OR_RETURN(const std::size_t comments, csv.column("comments", k_reviews));
  COWORK_ASSIGN_OR_RETURN(const std::size_t sentiment, csv.column("sentiment", k_reviews));
  // The newest baseline review is dated 2024-06-30; these come after it, so the incremental fct_reviews picks them up.
  static constexpr std::string_view k_names[] = {"Lena", "Marco", "Aylin", "Tom", "Priya", "Jonas", "Chloe"};
  static constexpr std::string_view k_comments[] = {"Great location, would stay again.", "Clean and quiet, as described.",
                                                    "Host answered quickly. Good value.",
                                                    "Average stay, nothing special."};
  for (int k = 0; k < 50; ++k) {
    Row row(csv.header.size());
    row[listing_id] = std::to_string(9001 + k % 20);
    row[date] = fmt::format("2024-07-{:02d}", 1 + k / 3);
    row[reviewer] = fmt::format("{} {}", k_names[k % 7], static_cast<char>('A' + k % 26));
    row[comments] = std::string(k_comments[k % 4]);
    row[sentiment] = k % 4 == 3 ? "neutral" : "positive";
    csv.rows.push_back(std::move(row));
  }
  return write_csv(csv.header, csv.rows);
}

// ---- workspace ---------------------------------------------------------------------------------------------------

Result<fs::path> find_example() {
  std::vector<fs::path> candidates;
  if (const char* dir = std::getenv("COWORK_EXAMPLES_DIR"); dir != nullptr && *dir != '\0')
    candidates.push_back(fs::path(dir) / "airbnb");
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path().parent_path() / "examples" / "airbnb");
    candidates.push_back(exe.parent_path().parent_path() / "share" / "cowork" / "examples" / "airbnb");
  }
#ifdef COWORK_SOURCE_DIR
  candidates.push_back(fs::path(COWORK_SOURCE_DIR) / "examples" / "airbnb");
#endif
  for (const auto& candidate : candidates)
    if (fs::is_regular_file(candidate / "dbt_project.yml", ec)) return fs::weakly_canonical(candidate, ec);
  std::vector<std::string> tried;
  for (const auto& candidate : candidates) tried.push_back(candidate.string());
  return make_error(ErrorCode::not_found,
                    "cannot find the example project (looked in {}); set COWORK_EXAMPLES_DIR to the folder that "
                    "holds airbnb/",
                    join(tried, ", "));
}

Result<std::vector<std::string>> init_workspace(const InitOptions& options) {
  std::error_code ec;
  const fs::path dir = fs::absolute(options.dir, ec);
  if (!fs::is_regular_file(options.example / "dbt_project.yml", ec))
    return make_error(ErrorCode::not_found, "{} is not a dbt project (no dbt_project.yml)", options.example.string());
  for (fs::path parent = dir.parent_path(); !parent.empty() && parent != parent.root_path();
       parent = parent.parent_path()) {
    if (fs::is_regular_file(state_file(parent), ec))
      return make_error(ErrorCode::invalid_argument,
                        "{} is inside the demo workspace {}; create the new one elsewhere", dir.string(),
                        parent.string());
  }
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return make_error(ErrorCode::invalid_argument, "{} exists and is a file", dir.string());
    const bool empty = fs::is_empty(dir, ec);
    const bool workspace = fs::is_regular_file(state_file(dir), ec);
    if (!empty && !workspace)
      return make_error(ErrorCode::invalid_argument,
                        "{} is not empty and is not a demo workspace; choose another folder (cowork demo init DIR)",
                        dir.string());
    if (workspace && !options.force)
      return make_error(ErrorCode::invalid_argument,
                        "{} is already a demo workspace; use it (cowork demo inject --project-dir {}), put it back "
                        "with `cowork demo restore`, or recreate it with --force",
                        dir.string(), dir.string());
    if (workspace) {
      fs::remove_all(dir, ec);
      if (ec) return make_error(ErrorCode::permission_denied, "cannot remove {}: {}", dir.string(), ec.message());
    }
  }
  COWORK_TRY(copy_tree(options.example, dir));
  COWORK_TRY(copy_tree(options.example, baseline_dir(dir)));

  std::vector<std::string> notes;
  WorkspaceState state;
  state.has_git = on_path("git");
  if (state.has_git) {
    COWORK_TRY(git_checked(dir, {"init", "--quiet", "--initial-branch=main"}));
    COWORK_TRY(git_checked(dir, {"add", "--all"}));
    COWORK_TRY(git_checked(dir, {"commit", "--quiet", "-m", "Airbnb analytics: dbt project for listings, hosts and reviews"},
                           Identity{k_team_name, k_team_email}));
  } else {
    notes.push_back("git is not installed: the workspace has no history, and the renamed_column fault (a commit) "
                    "is unavailable");
  }
  COWORK_TRY(save_state(dir, state));
  return notes;
}

Result<WorkspaceState> load_workspace(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(state_file(dir), ec))
    return make_error(ErrorCode::not_found,
                      "{} is not a demo workspace (no {}); create one with `cowork demo init [DIR]`", dir.string(),
                      (fs::path(k_state_dir) / "state.json").string());
  COWORK_ASSIGN_OR_RETURN(const std::string text, read_file(state_file(dir)));
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("injected") || !json["injected"].is_array())
    return make_error(ErrorCode::invalid_argument,
                      "{} is damaged; recreate the workspace with `cowork demo init --force {}`",
                      state_file(dir).string(), dir.string());
  WorkspaceState state;
  state.has_git = json.value("has_git", false);
  state.code_fault_commit = json.value("code_fault_commit", std::string());
  for (const auto& name : json["injected"]) {
    auto fault = name.is_string() ? parse_fault(name.get<std::string>()) : std::nullopt;
    if (!fault)
      return make_error(ErrorCode::invalid_argument, "{} names an unknown fault {}", state_file(dir).string(),
                        name.dump());
    state.injected.push_back(*fault);
  }
  return state;
}

Result<InjectOutcome> inject(const fs::path& dir, std::vector<Fault> faults) {
  COWORK_ASSIGN_OR_RETURN(WorkspaceState state, load_workspace(dir));
  if (faults.empty())
    for (const auto& entry : all_faults()) faults.push_back(entry.fault);
  InjectOutcome outcome;
  for (Fault fault : faults) {
    if (has(state.injected, fault) || has(outcome.injected, fault)) {
      if (!has(outcome.already_present, fault)) outcome.already_present.push_back(fault);
      continue;
    }
    if (fault == Fault::renamed_column && !state.has_git)
      return make_error(ErrorCode::unavailable,
                        "the renamed_column fault is a git commit, and this workspace has no git history (git was not "
                        "installed when it was created); install git and run `cowork demo init --force`");
    outcome.injected.push_back(fault);
  }
  if (outcome.injected.empty()) return outcome;

  std::vector<Fault> active = state.injected;
  active.insert(active.end(), outcome.injected.begin(), outcome.injected.end());
  // Data: recomputed from the baseline for the whole active set.
  COWORK_ASSIGN_OR_RETURN(const std::string listings, read_file(baseline_dir(dir) / k_listings));
  COWORK_ASSIGN_OR_RETURN(const std::string reviews, read_file(baseline_dir(dir) / k_reviews));
  auto edited_listings = apply_listing_faults(listings, active, reviews);
  if (!edited_listings) return std::unexpected(edited_listings.error().with_context(fmt::format("{}", k_listings)));
  auto edited_reviews = apply_review_faults(reviews, active);
  if (!edited_reviews) return std::unexpected(edited_reviews.error().with_context(fmt::format("{}", k_reviews)));
  COWORK_TRY(write_file_atomic(dir / k_listings, *edited_listings));
  COWORK_TRY(write_file_atomic(dir / k_reviews, *edited_reviews));
  // Code: a commit, as a teammate would push it.
  if (has(outcome.injected, Fault::renamed_column)) {
    const fs::path model = dir / k_hosts_model;
    COWORK_ASSIGN_OR_RETURN(std::string sql, read_file(model));
    const auto at = sql.find(k_rename_from);
    if (at == std::string::npos)
      return make_error(ErrorCode::invalid_argument,
                        "{} no longer contains `{}`, so the rename cannot be applied; run `cowork demo restore` first",
                        model.string(), k_rename_from);
    sql.replace(at, k_rename_from.size(), k_rename_to);
    COWORK_TRY(write_file_atomic(model, sql));
    COWORK_TRY(git_checked(dir, {"add", std::string(k_hosts_model)}));
    COWORK_TRY(git_checked(dir, {"commit", "--quiet", "-m", std::string(k_rename_message), "--", std::string(k_hosts_model)},
                           Identity{k_teammate_name, k_teammate_email}));
    COWORK_ASSIGN_OR_RETURN(outcome.commit, git_checked(dir, {"rev-parse", "HEAD"}));
    state.code_fault_commit = outcome.commit;
  }
  state.injected = std::move(active);
  COWORK_TRY(save_state(dir, state));
  return outcome;
}

Result<RestoreOutcome> restore(const fs::path& dir) {
  COWORK_ASSIGN_OR_RETURN(WorkspaceState state, load_workspace(dir));
  const fs::path baseline = baseline_dir(dir);
  RestoreOutcome outcome;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(baseline, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const fs::path relative = fs::relative(it->path(), baseline);
    COWORK_ASSIGN_OR_RETURN(const std::string original, read_file(it->path()));
    const fs::path target = dir / relative;
    auto current = fs::exists(target) ? read_file(target) : Result<std::string>(std::string());
    if (current && *current == original && fs::exists(target)) continue;
    fs::create_directories(target.parent_path(), ec);
    COWORK_TRY(write_file_atomic(target, original));
    outcome.restored_files.push_back(relative.generic_string());
  }
  if (ec) return make_error(ErrorCode::permission_denied, "cannot read {}: {}", baseline.string(), ec.message());

  if (state.has_git && !outcome.restored_files.empty()) {
    std::vector<std::string> add = {"add", "--"};
    add.insert(add.end(), outcome.restored_files.begin(), outcome.restored_files.end());
    COWORK_TRY(git_checked(dir, add));
    COWORK_ASSIGN_OR_RETURN(ProcessResult staged, git(dir, {"diff", "--cached", "--quiet"}));
    if (staged.exit_code == 1) {
      std::string message = "Restore the demo project as `cowork demo init` left it\n\n";
      if (!state.code_fault_commit.empty())
        message += fmt::format("This reverts commit {}.\n\n", state.code_fault_commit);
      message += "Files restored:\n";
      for (const auto& file : outcome.restored_files) message += "  " + file + "\n";
      COWORK_TRY(git_checked(dir, {"commit", "--quiet", "-m", message}, Identity{k_team_name, k_team_email}));
      COWORK_ASSIGN_OR_RETURN(outcome.commit, git_checked(dir, {"rev-parse", "HEAD"}));
    }
  }
  state.injected.clear();
  state.code_fault_commit.clear();
  COWORK_TRY(save_state(dir, state));
  return outcome;
}

}  // namespace cowork::demo
