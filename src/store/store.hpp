// The state of dbt Co-Work in `<project>/.cowork/state.db`: incidents and their lifecycle, investigations with every
// step as an append-only audit trail, fix options with their verification, and applied changes with their backups.
// The engine uses this typed API; the CLI, the web dashboard and the MCP server reach it through the engine, often
// from several processes at once (SQLite's WAL journal and a busy timeout make that safe; see database.hpp).
//
// Contracts shared by every method:
//  - Errors are values that name the database file. Unknown ids are not_found; an id prefix that matches several
//    records is invalid_argument listing them; a transition that makes no sense (resolving a resolved incident,
//    appending to a finished investigation) is invalid_argument saying why.
//  - Times are ISO-8601 UTC text (timestamp.hpp). A record's time left empty is filled with the store's clock; one
//    given is normalized, and an unreadable one is an error.
//  - JSON fields hold JSON text ("" for none); text that is not JSON is refused.
//  - Every write is one transaction: a crash leaves it whole or absent, never half-written.
//  - A Store is one connection: use it from one thread at a time; open one per thread or process.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "incidents/incident.hpp"
#include "store/database.hpp"
#include "store/timestamp.hpp"
#include "util/error.hpp"

namespace cowork::store {

// ---------------------------------------------------------------------------------------------------------------
// Incidents

enum class IncidentStatus { open, acknowledged, snoozed, resolved };
std::string_view to_string(IncidentStatus status);
Result<IncidentStatus> parse_incident_status(std::string_view text);

struct FailureSummary {
  std::string unique_id;
  std::string resource_type;
  std::string status;  // dbt's spelling: fail, error, warn...
  std::optional<std::int64_t> failures;
  std::string message;
};

struct IncidentRecord {
  std::string id;
  std::string title;
  incidents::Severity severity = incidents::Severity::low;
  IncidentStatus status = IncidentStatus::open;  // as it reads now: a snooze past its time reads as open
  std::string snoozed_until;                     // set while snoozed (kept after it lapses, until the next change)
  std::string first_seen;
  std::string last_seen;
  std::string created_at;
  std::string updated_at;
  std::string resolved_at;
  std::vector<FailureSummary> failures;  // of the latest run that had the incident
  std::string detail_json;               // incidents::to_json of the incident in that run
};

// One status change. `from` is empty when the incident was first seen.
struct IncidentEvent {
  std::int64_t id = 0;
  std::string incident_id;
  std::string at;
  std::string actor;  // a person, or "cowork" for automatic changes
  std::optional<IncidentStatus> from;
  IncidentStatus to = IncidentStatus::open;
  std::string note;
};

struct IncidentFilter {
  std::vector<IncidentStatus> statuses;  // as they read now; empty: any
  std::optional<incidents::Severity> min_severity;
  std::size_t limit = 0;  // 0: all
};

// What a sync changed, by incident id.
struct SyncSummary {
  std::int64_t run_id = 0;
  std::vector<std::string> opened;    // new incidents
  std::vector<std::string> updated;   // known incidents seen failing again (status kept)
  std::vector<std::string> reopened;  // resolved incidents failing again
  std::vector<std::string> resolved;  // failures all passed in this run
};

// ---------------------------------------------------------------------------------------------------------------
// Investigations and their events

enum class InvestigationStatus { running, completed, failed, cancelled };
std::string_view to_string(InvestigationStatus status);
Result<InvestigationStatus> parse_investigation_status(std::string_view text);

struct InvestigationRecord {
  std::string id;
  std::string incident_id;
  std::string engine;
  InvestigationStatus status = InvestigationStatus::running;
  std::string started_at;
  std::string finished_at;
  std::string report_json;
  std::int64_t last_seq = 0;  // events so far
};

enum class EventKind {
  phase,         // an agent starts or ends a phase (investigate, diagnose, propose, verify)
  tool_call,     // a tool is called: tool, args
  tool_result,   // its answer: summary, duration, payload
  model_call,    // a request to an LLM
  model_result,  // its reply
  token,         // narrative text streamed by a model
  note,          // anything else worth showing
  error,         // something failed; the investigation may go on
};
std::string_view to_string(EventKind kind);
Result<EventKind> parse_event_kind(std::string_view text);

struct Event {
  std::int64_t seq = 0;  // set by the store: 1, 2, 3... within the investigation
  std::string at;
  std::string agent;  // investigator, diagnostician, fix_proposer, verifier...
  EventKind kind = EventKind::note;
  std::string tool;
  std::string args_json;
  std::string summary;
  std::optional<std::int64_t> duration_ms;
  std::string payload_json;
};

// ---------------------------------------------------------------------------------------------------------------
// Fixes

enum class FixCategory { data, code, config, snooze };
std::string_view to_string(FixCategory category);
Result<FixCategory> parse_fix_category(std::string_view text);

enum class FixRisk { low, medium, high };
std::string_view to_string(FixRisk risk);
Result<FixRisk> parse_fix_risk(std::string_view text);

enum class VerificationStatus { unverified, verified, failed };
std::string_view to_string(VerificationStatus status);
Result<VerificationStatus> parse_verification_status(std::string_view text);

struct FileEdit {
  std::string path;           // relative to the project folder
  std::string original_hash;  // of the file the edit was made against (the fixes module's digest); "" for a new file
  std::string new_content;
  std::string diff;  // unified diff
};

struct FixRecord {
  std::string id;  // empty: the store makes one
  std::string investigation_id;
  std::string incident_id;  // empty: the investigation's
  std::string title;
  std::string strategy;
  FixCategory category = FixCategory::data;
  FixRisk risk = FixRisk::medium;
  bool recommended = false;
  std::vector<FileEdit> edits;
  std::string detail_json;  // the rest of the option as the report shows it: pros, cons, when_to_use, rationale...
  std::string verification_json;  // the report's `verification` object; "" before verification
  VerificationStatus verification_status = VerificationStatus::unverified;  // read from verification_json's status
  std::string created_at;
  std::string verified_at;
};

// ---------------------------------------------------------------------------------------------------------------
// Applies

struct AppliedFile {
  std::string path;         // relative to the project folder
  std::string backup_path;  // where the previous content was saved; "" when the file did not exist
  std::string before_hash;
  std::string after_hash;
};

struct ApplyRecord {
  std::string id;  // empty: the store makes one
  std::string fix_id;
  std::string incident_id;  // the fix's, filled by the store
  std::string applied_at;
  std::string applied_by;
  std::string git_branch;
  std::string git_commit;
  std::vector<AppliedFile> files;
  std::string reverted_at;
  std::string reverted_by;

  bool reverted() const { return !reverted_at.empty(); }
};

struct ApplyFilter {
  std::string fix_id;       // empty: any
  std::string incident_id;  // empty: any
};

// ---------------------------------------------------------------------------------------------------------------

struct StoreOptions {
  std::chrono::milliseconds busy_timeout{10'000};
  std::function<Timestamp()> clock;  // empty: the system clock
};

// "inc_" / "inv_" / "fix_" / "app_" style ids: `prefix`, "_", 8 hex digits from the OS's random source (never a
// seeded generator, which a fork would copy).
std::string new_id(std::string_view prefix);

// The actor of automatic changes.
inline constexpr std::string_view k_cowork_actor = "cowork";

class Store {
 public:
  // `<project_dir>/.cowork/state.db`.
  static std::filesystem::path state_path(const std::filesystem::path& project_dir);

  // Opens the project's state database, creating `.cowork/` (with a .gitignore of `*`, so the state is never
  // committed) and the database when missing, and migrating it to the current schema.
  static Result<Store> open_project(const std::filesystem::path& project_dir, StoreOptions options = {});
  // Opens (creating it when missing) and migrates the database at `path`; its folder must exist.
  static Result<Store> open(const std::filesystem::path& path, StoreOptions options = {});

  const std::filesystem::path& path() const { return m_database.path(); }
  Database& database() { return m_database; }
  Timestamp now() const;

  // -- Incidents ------------------------------------------------------------------------------------------------

  // Records the incidents of the latest artifacts. `executed` holds the unique ids the run executed (every result
  // that is not `skipped`, and the sources whose freshness was checked). New incidents start open; known ones keep
  // their status and get the run's title, severity, failures and last_seen. A resolved incident in the report is
  // reopened, unless the run is not newer than its resolution (the same artifacts synced again). An open,
  // acknowledged or snoozed incident absent from the report is resolved when the run executed every one of its
  // failing nodes, none failed, and the run is newer than the incident's last_seen. The run's time is the report's
  // generated_at (else `now`); `now` stamps the changes.
  Result<SyncSummary> sync_incidents(const incidents::IncidentReport& report,
                                     const std::unordered_set<std::string>& executed, Timestamp now);

  // Status changes by a person. Each records an IncidentEvent and returns the incident as it now is. `id` is a full
  // id or a unique prefix. Allowed: acknowledge an open or snoozed incident; snooze (again) one that is not
  // resolved, until a time in the future; resolve one that is not; reopen one that is not open.
  Result<IncidentRecord> acknowledge(std::string_view id, std::string_view who, std::string_view note = {});
  Result<IncidentRecord> snooze(std::string_view id, Timestamp until, std::string_view who, std::string_view note = {});
  Result<IncidentRecord> resolve(std::string_view id, std::string_view who, std::string_view note = {});
  Result<IncidentRecord> reopen(std::string_view id, std::string_view who, std::string_view note = {});

  // By full id or unique prefix; the "inc_" may be left out ("3fa2" finds inc_3fa2...).
  Result<IncidentRecord> get_incident(std::string_view id);
  // Most severe first, then most recently seen.
  Result<std::vector<IncidentRecord>> list_incidents(const IncidentFilter& filter = {});
  // Oldest first.
  Result<std::vector<IncidentEvent>> list_incident_events(std::string_view incident_id);

  // -- Investigations ---------------------------------------------------------------------------------------------

  // A running investigation of the incident (full id or unique prefix); returns its id.
  Result<std::string> start_investigation(std::string_view incident_id, std::string_view engine);
  // Appends one event to a running investigation and returns its sequence number. One small transaction, committed
  // before returning: a process that dies right after loses nothing it appended.
  Result<std::int64_t> append_event(std::string_view investigation_id, const Event& event);
  // Appends several events in one transaction (cheaper for bursts such as streamed tokens); returns the last seq.
  Result<std::int64_t> append_events(std::string_view investigation_id, std::span<const Event> events);
  // Ends a running investigation; `status` must not be running. A non-empty `engine` replaces the one it started
  // with (an investigation that meant to use a model but ran on the playbook alone says so).
  Status finish_investigation(std::string_view investigation_id, InvestigationStatus status,
                              std::string_view report_json, std::string_view engine = {});
  Result<InvestigationRecord> get_investigation(std::string_view id);
  // Newest first.
  Result<std::vector<InvestigationRecord>> list_investigations(std::string_view incident_id);
  // The newest investigation of the incident, if any.
  Result<std::optional<InvestigationRecord>> latest_investigation(std::string_view incident_id);
  // Events with seq > after_seq, in order, at most `limit` (0: all). A dashboard polls with the last seq it has.
  Result<std::vector<Event>> list_events(std::string_view investigation_id, std::int64_t after_seq = 0,
                                         std::size_t limit = 0);

  // -- Fixes --------------------------------------------------------------------------------------------------------

  // Saves an option of an investigation (after those saved before it); returns its id. At most one option of an
  // investigation is recommended: saving a second recommended one is an error (see set_recommended).
  Result<std::string> save_fix(const FixRecord& fix);
  Result<FixRecord> get_fix(std::string_view id);
  // In the order they were saved.
  Result<std::vector<FixRecord>> list_fixes(std::string_view investigation_id);
  // Replaces the fix's verification (the report's `verification` object, whose `status` must be verified, failed
  // or unverified).
  Status update_verification(std::string_view fix_id, std::string_view verification_json);
  // Makes this option the investigation's recommended one, and no other.
  Status set_recommended(std::string_view fix_id);

  // -- Applies ------------------------------------------------------------------------------------------------------

  // Records a fix applied to the project's files; returns the apply's id.
  Result<std::string> record_apply(const ApplyRecord& apply);
  Result<ApplyRecord> get_apply(std::string_view id);
  // Records that an apply was undone; an apply is reverted once.
  Status mark_reverted(std::string_view apply_id, Timestamp at, std::string_view who);
  // Newest first.
  Result<std::vector<ApplyRecord>> list_applies(const ApplyFilter& filter = {});

 private:
  Store(Database database, StoreOptions options) : m_database(std::move(database)), m_options(std::move(options)) {}

  // A full id from an id or a unique prefix of one in `table`; `tag` ("inc") may be left out of the prefix.
  Result<std::string> resolve_id(std::string_view table, std::string_view tag, std::string_view noun,
                                 std::string_view text);
  // A fresh id for `table` (checked unused; call inside the write transaction).
  Result<std::string> fresh_id(std::string_view table, std::string_view tag);
  Result<IncidentRecord> load_incident(const std::string& id);
  Result<IncidentRecord> change_status(std::string_view id, IncidentStatus to, std::optional<Timestamp> until,
                                       std::string_view who, std::string_view note);
  Status add_incident_event(const std::string& incident_id, const std::string& at, std::string_view actor,
                            std::optional<IncidentStatus> from, IncidentStatus to, std::string_view note);
  Result<std::int64_t> insert_event(const std::string& investigation_id, const Event& event);
  Result<FixRecord> load_fix(const std::string& id);
  Result<ApplyRecord> load_apply(const std::string& id);
  Result<std::string> event_time(std::string_view given);

  Database m_database;
  StoreOptions m_options;
};

// JSON for surfaces (CLI --format json, HTTP, MCP). JSON text fields are embedded as JSON.
nlohmann::ordered_json to_json(const IncidentRecord& incident);
nlohmann::ordered_json to_json(const IncidentEvent& event);
nlohmann::ordered_json to_json(const InvestigationRecord& investigation);
nlohmann::ordered_json to_json(const Event& event);
nlohmann::ordered_json to_json(const FixRecord& fix);
nlohmann::ordered_json to_json(const ApplyRecord& apply);

}  // namespace cowork::store
