#include "store/store.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <random>
#include <system_error>

#include "store/schema.hpp"
#include "store/store_internal.hpp"
#include "util/strings.hpp"

namespace cowork::store {
namespace {

constexpr std::array<std::string_view, 4> k_incident_statuses = {"open", "acknowledged", "snoozed", "resolved"};
constexpr std::array<std::string_view, 4> k_investigation_statuses = {"running", "completed", "failed", "cancelled"};
constexpr std::array<std::string_view, 8> k_event_kinds = {"phase",        "tool_call", "tool_result", "model_call",
                                                           "model_result", "token",     "note",        "error"};
constexpr std::array<std::string_view, 4> k_fix_categories = {"data", "code", "config", "snooze"};
constexpr std::array<std::string_view, 3> k_fix_risks = {"low", "medium", "high"};
constexpr std::array<std::string_view, 3> k_verification_statuses = {"unverified", "verified", "failed"};

// Ids are [a-z0-9_]; DEL sorts after all of them, so [prefix, prefix + DEL) holds exactly the ids with that prefix.
constexpr std::string_view k_prefix_query =
    "SELECT id FROM {} WHERE id >= ?1 AND id < ?1 || char(127) ORDER BY id LIMIT 11";

// Writes `.gitignore` (`*`) into the state folder unless one is there. O_EXCL: two processes opening a new project at
// once both succeed, and an existing file (perhaps edited by someone) is never replaced.
Status write_state_gitignore(const std::filesystem::path& folder) {
  const auto path = folder / ".gitignore";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return {};
    return make_error(ErrorCode::permission_denied, "cannot create {}: {}", path.string(),
                      std::generic_category().message(errno));
  }
  constexpr std::string_view k_content = "# dbt Co-Work's local state (incidents, investigations, backups)\n*\n";
  const ssize_t written = ::write(fd, k_content.data(), k_content.size());
  const int error = errno;
  ::close(fd);
  if (written != static_cast<ssize_t>(k_content.size()))
    return make_error(ErrorCode::unavailable, "cannot write {}: {}", path.string(),
                      std::generic_category().message(error));
  return {};
}

}  // namespace

std::string_view to_string(IncidentStatus status) {
  return k_incident_statuses[static_cast<std::size_t>(status)];
}
Result<IncidentStatus> parse_incident_status(std::string_view text) {
  return internal::parse_enum<IncidentStatus>(k_incident_statuses, text, "incident status");
}

std::string_view to_string(InvestigationStatus status) {
  return k_investigation_statuses[static_cast<std::size_t>(status)];
}
Result<InvestigationStatus> parse_investigation_status(std::string_view text) {
  return internal::parse_enum<InvestigationStatus>(k_investigation_statuses, text, "investigation status");
}

std::string_view to_string(EventKind kind) {
  return k_event_kinds[static_cast<std::size_t>(kind)];
}
Result<EventKind> parse_event_kind(std::string_view text) {
  return internal::parse_enum<EventKind>(k_event_kinds, text, "event kind");
}

std::string_view to_string(FixCategory category) {
  return k_fix_categories[static_cast<std::size_t>(category)];
}
Result<FixCategory> parse_fix_category(std::string_view text) {
  return internal::parse_enum<FixCategory>(k_fix_categories, text, "fix category");
}

std::string_view to_string(FixRisk risk) {
  return k_fix_risks[static_cast<std::size_t>(risk)];
}
Result<FixRisk> parse_fix_risk(std::string_view text) {
  return internal::parse_enum<FixRisk>(k_fix_risks, text, "fix risk");
}

std::string_view to_string(VerificationStatus status) {
  return k_verification_statuses[static_cast<std::size_t>(status)];
}
Result<VerificationStatus> parse_verification_status(std::string_view text) {
  return internal::parse_enum<VerificationStatus>(k_verification_statuses, text, "verification status");
}

namespace internal {

Status check_json(const std::filesystem::path& database, std::string_view text, std::string_view what) {
  if (text.empty() || nlohmann::json::accept(text)) return {};
  return fail(database, ErrorCode::invalid_argument, "{} is not valid JSON: {}", what, one_line(text, 80));
}

nlohmann::ordered_json embed_json(std::string_view text) {
  if (text.empty()) return nullptr;
  auto parsed = nlohmann::ordered_json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return std::string(text);
  return parsed;
}

}  // namespace internal

std::string new_id(std::string_view prefix) {
  std::uint32_t value = 0;
  if (::getrandom(&value, sizeof value, 0) != static_cast<ssize_t>(sizeof value)) value = std::random_device{}();
  return fmt::format("{}_{:08x}", prefix, value);
}

std::filesystem::path Store::state_path(const std::filesystem::path& project_dir) {
  return project_dir / ".cowork" / "state.db";
}

Result<Store> Store::open_project(const std::filesystem::path& project_dir, StoreOptions options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(project_dir, ec))
    return make_error(ErrorCode::not_found, "project folder {} does not exist", project_dir.string());
  const auto path = state_path(project_dir);
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec)
    return make_error(ErrorCode::permission_denied, "cannot create {}: {}", path.parent_path().string(), ec.message());
  COWORK_TRY(write_state_gitignore(path.parent_path()));
  return open(path, std::move(options));
}

Result<Store> Store::open(const std::filesystem::path& path, StoreOptions options) {
  DatabaseOptions database_options;
  database_options.busy_timeout = options.busy_timeout;
  database_options.application_id = k_application_id;
  COWORK_ASSIGN_OR_RETURN(Database database, Database::open(path, database_options));
  COWORK_TRY(database.migrate(schema_migrations()));
  return Store(std::move(database), std::move(options));
}

Timestamp Store::now() const {
  return m_options.clock ? m_options.clock() : std::chrono::system_clock::now();
}

Result<std::string> Store::event_time(std::string_view given) {
  if (given.empty()) return format_timestamp(now());
  auto normalized = normalize_timestamp(given);
  if (!normalized) return internal::fail(path(), ErrorCode::invalid_argument, "{}", normalized.error().message);
  return normalized;
}

Result<std::string> Store::resolve_id(std::string_view table, std::string_view tag, std::string_view noun,
                                      std::string_view text) {
  const std::string wanted(trim(text));
  if (wanted.empty()) return internal::fail(path(), ErrorCode::invalid_argument, "no {} id given", noun);
  const auto find = [&](const std::string& prefix) -> Result<std::vector<std::string>> {
    COWORK_ASSIGN_OR_RETURN(Statement statement, m_database.cached(fmt::format(k_prefix_query, table)));
    statement.bind(1, prefix);
    std::vector<std::string> ids;
    while (true) {
      COWORK_ASSIGN_OR_RETURN(const bool row, statement.step());
      if (!row) break;
      ids.push_back(statement.get_text(0));
    }
    return ids;
  };
  COWORK_ASSIGN_OR_RETURN(auto matches, find(wanted));
  const std::string tagged = std::string(tag) + "_";
  if (matches.empty() && !wanted.starts_with(tagged)) {
    COWORK_ASSIGN_OR_RETURN(matches, find(tagged + wanted));
  }
  if (matches.empty()) return internal::fail(path(), ErrorCode::not_found, "no {} matches '{}'", noun, wanted);
  // Ids have one length, so an exact match is the only match; still, prefer it.
  if (matches.size() == 1 || matches.front() == wanted) return matches.front();
  const bool more = matches.size() > 10;
  if (more) matches.resize(10);
  return internal::fail(path(), ErrorCode::invalid_argument,
                        "{} id '{}' is ambiguous: it matches {}{} ids ({}{}); give more of it", noun, wanted,
                        more ? "more than " : "", matches.size(), join(matches, ", "), more ? ", ..." : "");
}

Result<std::string> Store::fresh_id(std::string_view table, std::string_view tag) {
  // 32 random bits: a clash is rare but possible in a long-lived database, so draw again until the id is unused.
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string id = new_id(tag);
    COWORK_ASSIGN_OR_RETURN(Statement statement,
                            m_database.cached(fmt::format("SELECT 1 FROM {} WHERE id = ?1", table)));
    statement.bind(1, id);
    COWORK_ASSIGN_OR_RETURN(const bool taken, statement.step());
    if (!taken) return id;
  }
  return internal::fail(path(), ErrorCode::internal, "could not draw an unused {} id", tag);
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

nlohmann::ordered_json to_json(const IncidentRecord& incident) {
  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  for (const auto& failure : incident.failures) {
    failures.push_back({{"unique_id", failure.unique_id},
                        {"resource_type", failure.resource_type},
                        {"status", failure.status},
                        {"failures", failure.failures ? nlohmann::ordered_json(*failure.failures) : nullptr},
                        {"message", failure.message}});
  }
  nlohmann::ordered_json json = {
      {"id", incident.id},
      {"title", incident.title},
      {"severity", incidents::to_string(incident.severity)},
      {"status", to_string(incident.status)},
      {"snoozed_until", incident.snoozed_until.empty() ? nullptr : nlohmann::ordered_json(incident.snoozed_until)},
      {"first_seen", incident.first_seen},
      {"last_seen", incident.last_seen},
      {"created_at", incident.created_at},
      {"updated_at", incident.updated_at},
      {"resolved_at", incident.resolved_at.empty() ? nullptr : nlohmann::ordered_json(incident.resolved_at)},
      {"failures", std::move(failures)},
      {"detail", internal::embed_json(incident.detail_json)},
  };
  return json;
}

nlohmann::ordered_json to_json(const IncidentEvent& event) {
  return {{"id", event.id},
          {"incident_id", event.incident_id},
          {"at", event.at},
          {"actor", event.actor},
          {"from", event.from ? nlohmann::ordered_json(to_string(*event.from)) : nullptr},
          {"to", to_string(event.to)},
          {"note", event.note}};
}

nlohmann::ordered_json to_json(const InvestigationRecord& investigation) {
  return {
      {"id", investigation.id},
      {"incident_id", investigation.incident_id},
      {"engine", investigation.engine},
      {"status", to_string(investigation.status)},
      {"started_at", investigation.started_at},
      {"finished_at", investigation.finished_at.empty() ? nullptr : nlohmann::ordered_json(investigation.finished_at)},
      {"events", investigation.last_seq},
      {"report", internal::embed_json(investigation.report_json)}};
}

nlohmann::ordered_json to_json(const Event& event) {
  return {{"seq", event.seq},
          {"at", event.at},
          {"agent", event.agent},
          {"kind", to_string(event.kind)},
          {"tool", event.tool.empty() ? nullptr : nlohmann::ordered_json(event.tool)},
          {"args", internal::embed_json(event.args_json)},
          {"summary", event.summary},
          {"ms", event.duration_ms ? nlohmann::ordered_json(*event.duration_ms) : nullptr},
          {"payload", internal::embed_json(event.payload_json)}};
}

nlohmann::ordered_json to_json(const FixRecord& fix) {
  nlohmann::ordered_json edits = nlohmann::ordered_json::array();
  for (const auto& edit : fix.edits) {
    edits.push_back({{"path", edit.path}, {"original_hash", edit.original_hash}, {"diff", edit.diff}});
  }
  return {{"id", fix.id},
          {"investigation_id", fix.investigation_id},
          {"incident_id", fix.incident_id},
          {"title", fix.title},
          {"strategy", fix.strategy},
          {"category", to_string(fix.category)},
          {"risk", to_string(fix.risk)},
          {"recommended", fix.recommended},
          {"detail", internal::embed_json(fix.detail_json)},
          {"edits", std::move(edits)},
          {"verification_status", to_string(fix.verification_status)},
          {"verification", internal::embed_json(fix.verification_json)},
          {"created_at", fix.created_at},
          {"verified_at", fix.verified_at.empty() ? nullptr : nlohmann::ordered_json(fix.verified_at)}};
}

nlohmann::ordered_json to_json(const ApplyRecord& apply) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& file : apply.files) {
    files.push_back({{"path", file.path},
                     {"backup_path", file.backup_path},
                     {"before_hash", file.before_hash},
                     {"after_hash", file.after_hash}});
  }
  const auto text_or_null = [](const std::string& text) {
    return text.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(text);
  };
  return {{"id", apply.id},
          {"fix_id", apply.fix_id},
          {"incident_id", apply.incident_id},
          {"applied_at", apply.applied_at},
          {"applied_by", apply.applied_by},
          {"git_branch", text_or_null(apply.git_branch)},
          {"git_commit", text_or_null(apply.git_commit)},
          {"files", std::move(files)},
          {"reverted_at", text_or_null(apply.reverted_at)},
          {"reverted_by", text_or_null(apply.reverted_by)}};
}

}  // namespace cowork::store
