// Store: incidents, their sync with a run's artifacts, and their lifecycle.
#include <algorithm>
#include <array>

#include "store/store.hpp"
#include "store/store_internal.hpp"
#include "util/strings.hpp"

namespace cowork::store {
namespace {

using internal::fail;

constexpr std::array<std::string_view, 4> k_severities = {"low", "medium", "high", "critical"};

constexpr std::string_view k_incident_columns =
    "id, title, severity, status, snoozed_until, first_seen, last_seen, created_at, updated_at, resolved_at, "
    "detail_json";

// The status a person sees: a snooze whose time has passed reads as open.
IncidentStatus effective_status(IncidentStatus stored, const std::string& snoozed_until, const std::string& now) {
  if (stored == IncidentStatus::snoozed && !snoozed_until.empty() && snoozed_until <= now) return IncidentStatus::open;
  return stored;
}

// `text` in canonical form, or `fallback` when it is empty or unreadable.
std::string canonical_or(const std::string& text, const std::string& fallback) {
  if (text.empty()) return fallback;
  auto normalized = normalize_timestamp(text);
  return normalized ? *normalized : fallback;
}

std::string list_ids(const std::vector<std::string>& ids, std::size_t max) {
  std::vector<std::string> shown(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(std::min(max, ids.size())));
  std::string text = join(shown, ", ");
  if (ids.size() > max) text += fmt::format(" and {} more", ids.size() - max);
  return text;
}

// Reads the columns of k_incident_columns; failures are loaded separately.
Result<IncidentRecord> read_incident(const Statement& row, const std::string& now) {
  IncidentRecord incident;
  incident.id = row.get_text(0);
  incident.title = row.get_text(1);
  COWORK_ASSIGN_OR_RETURN(incident.severity,
                          internal::parse_enum<incidents::Severity>(k_severities, row.get_text(2), "severity"));
  COWORK_ASSIGN_OR_RETURN(const IncidentStatus stored, parse_incident_status(row.get_text(3)));
  incident.snoozed_until = row.get_text(4);
  incident.status = effective_status(stored, incident.snoozed_until, now);
  incident.first_seen = row.get_text(5);
  incident.last_seen = row.get_text(6);
  incident.created_at = row.get_text(7);
  incident.updated_at = row.get_text(8);
  incident.resolved_at = row.get_text(9);
  incident.detail_json = row.get_text(10);
  return incident;
}

}  // namespace

Status Store::add_incident_event(const std::string& incident_id, const std::string& at, std::string_view actor,
                                 std::optional<IncidentStatus> from, IncidentStatus to, std::string_view note) {
  COWORK_ASSIGN_OR_RETURN(
      Statement insert,
      m_database.cached("INSERT INTO incident_events (incident_id, at, actor, from_status, to_status, note) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  insert.bind(1, incident_id).bind(2, at).bind(3, actor).bind(5, to_string(to)).bind(6, note);
  if (from) {
    insert.bind(4, to_string(*from));
  } else {
    insert.bind(4, nullptr);
  }
  return insert.run();
}

Result<IncidentRecord> Store::load_incident(const std::string& id) {
  const std::string now_text = format_timestamp(now());
  IncidentRecord incident;
  {
    COWORK_ASSIGN_OR_RETURN(
        Statement select, m_database.cached(fmt::format("SELECT {} FROM incidents WHERE id = ?1", k_incident_columns)));
    select.bind(1, id);
    COWORK_ASSIGN_OR_RETURN(const bool found, select.step());
    if (!found) return fail(path(), ErrorCode::not_found, "no incident {}", id);
    COWORK_ASSIGN_OR_RETURN(incident, read_incident(select, now_text));
  }
  COWORK_ASSIGN_OR_RETURN(Statement failures,
                          m_database.cached("SELECT unique_id, resource_type, status, failures, message FROM "
                                            "incident_failures WHERE incident_id = ?1 ORDER BY position"));
  failures.bind(1, id);
  while (true) {
    COWORK_ASSIGN_OR_RETURN(const bool row, failures.step());
    if (!row) break;
    incident.failures.push_back({failures.get_text(0), failures.get_text(1), failures.get_text(2),
                                 failures.get_optional_int(3), failures.get_text(4)});
  }
  return incident;
}

Result<SyncSummary> Store::sync_incidents(const incidents::IncidentReport& report,
                                          const std::unordered_set<std::string>& executed, Timestamp now) {
  const std::string now_text = format_timestamp(now);
  Timestamp run_time = now;
  if (auto generated = parse_timestamp(report.generated_at); !report.generated_at.empty() && generated)
    run_time = *generated;
  const std::string run_text = format_timestamp(run_time);
  const std::string run_label = fmt::format("the run of {}", report.generated_at.empty() ? now_text : run_text);

  std::unordered_set<std::string> present;
  std::unordered_set<std::string> failing;
  for (const auto& incident : report.incidents) {
    if (incident.id.empty())
      return fail(path(), ErrorCode::internal, "an incident without an id ('{}')", incident.title);
    present.insert(incident.id);
    for (const auto& failure : incident.failures) failing.insert(failure.unique_id);
  }

  SyncSummary summary;
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin());
  for (const auto& incident : report.incidents) {
    const std::string first_seen = canonical_or(incident.first_seen, run_text);
    const std::string last_seen = canonical_or(incident.last_seen, run_text);
    const std::string detail = incidents::to_json(incident).dump();

    std::optional<IncidentStatus> stored;
    std::string resolved_at;
    {
      COWORK_ASSIGN_OR_RETURN(Statement select,
                              m_database.cached("SELECT status, resolved_at FROM incidents WHERE id = ?1"));
      select.bind(1, incident.id);
      COWORK_ASSIGN_OR_RETURN(const bool found, select.step());
      if (found) {
        COWORK_ASSIGN_OR_RETURN(stored, parse_incident_status(select.get_text(0)));
        resolved_at = select.get_text(1);
      }
    }

    if (!stored) {
      COWORK_ASSIGN_OR_RETURN(
          Statement insert,
          m_database.cached("INSERT INTO incidents (id, title, severity, status, first_seen, last_seen, created_at, "
                            "updated_at, detail_json) VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?6, ?7)"));
      insert.bind(1, incident.id).bind(2, incident.title).bind(3, incidents::to_string(incident.severity));
      insert.bind(4, first_seen).bind(5, last_seen).bind(6, now_text).bind(7, detail);
      COWORK_TRY(insert.run());
      COWORK_TRY(add_incident_event(incident.id, now_text, k_cowork_actor, std::nullopt, IncidentStatus::open,
                                    fmt::format("first seen in {}", run_label)));
      summary.opened.push_back(incident.id);
    } else {
      IncidentStatus status = *stored;
      // Reopen only for a run after the resolution: syncing the same artifacts again must not undo a person's
      // "resolved".
      if (status == IncidentStatus::resolved) {
        auto resolved_time = parse_timestamp(resolved_at);
        if (!resolved_time || run_time > *resolved_time) {
          status = IncidentStatus::open;
          COWORK_TRY(add_incident_event(incident.id, now_text, k_cowork_actor, IncidentStatus::resolved,
                                        IncidentStatus::open, fmt::format("failing again in {}", run_label)));
          summary.reopened.push_back(incident.id);
        } else {
          summary.updated.push_back(incident.id);
        }
      } else {
        summary.updated.push_back(incident.id);
      }
      COWORK_ASSIGN_OR_RETURN(
          Statement update,
          m_database.cached("UPDATE incidents SET title = ?2, severity = ?3, status = ?4, first_seen = min(first_seen, "
                            "?5), last_seen = max(last_seen, ?6), updated_at = ?7, detail_json = ?8, resolved_at = "
                            "CASE WHEN ?4 = 'resolved' THEN resolved_at END WHERE id = ?1"));
      update.bind(1, incident.id).bind(2, incident.title).bind(3, incidents::to_string(incident.severity));
      update.bind(4, to_string(status)).bind(5, first_seen).bind(6, last_seen).bind(7, now_text).bind(8, detail);
      COWORK_TRY(update.run());
      COWORK_ASSIGN_OR_RETURN(Statement clear,
                              m_database.cached("DELETE FROM incident_failures WHERE incident_id = ?1"));
      clear.bind(1, incident.id);
      COWORK_TRY(clear.run());
    }

    COWORK_ASSIGN_OR_RETURN(Statement insert_failure,
                            m_database.cached("INSERT INTO incident_failures (incident_id, position, unique_id, "
                                              "resource_type, status, failures, message) VALUES (?1, ?2, ?3, ?4, ?5, "
                                              "?6, ?7)"));
    for (std::size_t i = 0; i < incident.failures.size(); ++i) {
      const auto& failure = incident.failures[i];
      insert_failure.bind(1, incident.id).bind(2, i).bind(3, failure.unique_id).bind(4, failure.resource_type);
      insert_failure.bind(5, dbt::to_string(failure.status)).bind(6, failure.failures).bind(7, failure.message);
      COWORK_TRY(insert_failure.run());
      insert_failure.reset();
    }
  }

  // Automatic resolution of the incidents this run did not report.
  struct Candidate {
    std::string id;
    IncidentStatus status;
    std::string last_seen;
  };
  std::vector<Candidate> candidates;
  {
    COWORK_ASSIGN_OR_RETURN(
        Statement select,
        m_database.cached("SELECT id, status, snoozed_until, last_seen FROM incidents WHERE status != 'resolved'"));
    while (true) {
      COWORK_ASSIGN_OR_RETURN(const bool row, select.step());
      if (!row) break;
      std::string id = select.get_text(0);
      if (present.contains(id)) continue;
      COWORK_ASSIGN_OR_RETURN(const IncidentStatus stored, parse_incident_status(select.get_text(1)));
      candidates.push_back({std::move(id), effective_status(stored, select.get_text(2), now_text), select.get_text(3)});
    }
  }
  for (const auto& candidate : candidates) {
    // A run older than the incident's latest failure says nothing about it.
    if (auto last_seen = parse_timestamp(candidate.last_seen); last_seen && run_time <= *last_seen) continue;
    std::vector<std::string> nodes;
    {
      COWORK_ASSIGN_OR_RETURN(Statement select, m_database.cached("SELECT unique_id FROM incident_failures WHERE "
                                                                  "incident_id = ?1 ORDER BY position"));
      select.bind(1, candidate.id);
      while (true) {
        COWORK_ASSIGN_OR_RETURN(const bool row, select.step());
        if (!row) break;
        nodes.push_back(select.get_text(0));
      }
    }
    const bool passed = !nodes.empty() && std::ranges::all_of(nodes, [&](const std::string& node) {
      return executed.contains(node) && !failing.contains(node);
    });
    if (!passed) continue;
    COWORK_ASSIGN_OR_RETURN(Statement update,
                            m_database.cached("UPDATE incidents SET status = 'resolved', snoozed_until = NULL, "
                                              "resolved_at = ?2, updated_at = ?2 WHERE id = ?1"));
    update.bind(1, candidate.id).bind(2, now_text);
    COWORK_TRY(update.run());
    COWORK_TRY(add_incident_event(candidate.id, now_text, k_cowork_actor, candidate.status, IncidentStatus::resolved,
                                  fmt::format("resolved automatically: {} {} in {}", list_ids(nodes, 5),
                                              nodes.size() == 1 ? "passed" : "all passed", run_label)));
    summary.resolved.push_back(candidate.id);
  }

  COWORK_ASSIGN_OR_RETURN(
      Statement run,
      m_database.cached("INSERT INTO runs (synced_at, generated_at, command, run_results_path, executed, incidents, "
                        "opened, reopened, resolved) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  run.bind(1, now_text).bind_text_or_null(2, report.generated_at).bind(3, report.command);
  run.bind(4, report.run_results_path).bind(5, executed.size()).bind(6, report.incidents.size());
  run.bind(7, summary.opened.size()).bind(8, summary.reopened.size()).bind(9, summary.resolved.size());
  COWORK_TRY(run.run());
  summary.run_id = m_database.last_insert_rowid();
  COWORK_TRY(transaction.commit());
  return summary;
}

Result<IncidentRecord> Store::change_status(std::string_view id, IncidentStatus to, std::optional<Timestamp> until,
                                            std::string_view who, std::string_view note) {
  if (trim(who).empty())
    return fail(path(), ErrorCode::invalid_argument, "a status change needs the name of who makes it");
  const Timestamp now_time = now();
  const std::string now_text = format_timestamp(now_time);
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin());
  COWORK_ASSIGN_OR_RETURN(const std::string full_id, resolve_id("incidents", "inc", "incident", id));
  IncidentStatus from;
  {
    COWORK_ASSIGN_OR_RETURN(Statement select,
                            m_database.cached("SELECT status, snoozed_until FROM incidents WHERE id = ?1"));
    select.bind(1, full_id);
    COWORK_ASSIGN_OR_RETURN(const bool found, select.step());
    if (!found) return fail(path(), ErrorCode::not_found, "no incident {}", full_id);
    COWORK_ASSIGN_OR_RETURN(const IncidentStatus stored, parse_incident_status(select.get_text(0)));
    from = effective_status(stored, select.get_text(1), now_text);
  }

  const auto refuse = [&](std::string_view why) {
    return fail(path(), ErrorCode::invalid_argument, "cannot {} incident {}: {}",
                to == IncidentStatus::acknowledged ? "acknowledge"
                : to == IncidentStatus::snoozed    ? "snooze"
                : to == IncidentStatus::resolved   ? "resolve"
                                                   : "reopen",
                full_id, why);
  };
  std::string snoozed_until;
  std::string full_note(trim(note));
  switch (to) {
    case IncidentStatus::acknowledged:
      if (from == IncidentStatus::acknowledged) return refuse("it is already acknowledged");
      if (from == IncidentStatus::resolved) return refuse("it is resolved (reopen it first)");
      break;
    case IncidentStatus::snoozed:
      if (from == IncidentStatus::resolved) return refuse("it is resolved (reopen it first)");
      if (!until || *until <= now_time)
        return refuse(fmt::format("the snooze must end in the future (now is {})", now_text));
      snoozed_until = format_timestamp(*until);
      full_note = full_note.empty() ? fmt::format("until {}", snoozed_until)
                                    : fmt::format("{} (until {})", full_note, snoozed_until);
      break;
    case IncidentStatus::resolved:
      if (from == IncidentStatus::resolved) return refuse("it is already resolved");
      break;
    case IncidentStatus::open:
      if (from == IncidentStatus::open) return refuse("it is already open");
      break;
  }

  COWORK_ASSIGN_OR_RETURN(Statement update,
                          m_database.cached("UPDATE incidents SET status = ?2, snoozed_until = ?3, resolved_at = ?4, "
                                            "updated_at = ?5 WHERE id = ?1"));
  update.bind(1, full_id).bind(2, to_string(to)).bind_text_or_null(3, snoozed_until);
  update.bind_text_or_null(4, to == IncidentStatus::resolved ? now_text : std::string()).bind(5, now_text);
  COWORK_TRY(update.run());
  COWORK_TRY(add_incident_event(full_id, now_text, trim(who), from, to, full_note));
  COWORK_TRY(transaction.commit());
  return load_incident(full_id);
}

Result<IncidentRecord> Store::acknowledge(std::string_view id, std::string_view who, std::string_view note) {
  return change_status(id, IncidentStatus::acknowledged, std::nullopt, who, note);
}

Result<IncidentRecord> Store::snooze(std::string_view id, Timestamp until, std::string_view who,
                                     std::string_view note) {
  return change_status(id, IncidentStatus::snoozed, until, who, note);
}

Result<IncidentRecord> Store::resolve(std::string_view id, std::string_view who, std::string_view note) {
  return change_status(id, IncidentStatus::resolved, std::nullopt, who, note);
}

Result<IncidentRecord> Store::reopen(std::string_view id, std::string_view who, std::string_view note) {
  return change_status(id, IncidentStatus::open, std::nullopt, who, note);
}

Result<IncidentRecord> Store::get_incident(std::string_view id) {
  // One snapshot for the incident and its failures, however other processes write meanwhile.
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin(TransactionMode::deferred));
  COWORK_ASSIGN_OR_RETURN(const std::string full_id, resolve_id("incidents", "inc", "incident", id));
  return load_incident(full_id);
}

Result<std::vector<IncidentRecord>> Store::list_incidents(const IncidentFilter& filter) {
  const std::string now_text = format_timestamp(now());
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin(TransactionMode::deferred));
  std::vector<std::string> ids;
  {
    COWORK_ASSIGN_OR_RETURN(
        Statement select,
        m_database.cached(fmt::format("SELECT {} FROM incidents ORDER BY CASE severity WHEN 'critical' THEN 3 WHEN "
                                      "'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END DESC, last_seen DESC, id",
                                      k_incident_columns)));
    while (true) {
      COWORK_ASSIGN_OR_RETURN(const bool row, select.step());
      if (!row) break;
      COWORK_ASSIGN_OR_RETURN(const IncidentRecord incident, read_incident(select, now_text));
      if (!filter.statuses.empty() && std::ranges::find(filter.statuses, incident.status) == filter.statuses.end())
        continue;
      if (filter.min_severity && incident.severity < *filter.min_severity) continue;
      ids.push_back(incident.id);
      if (filter.limit != 0 && ids.size() >= filter.limit) break;
    }
  }
  std::vector<IncidentRecord> incidents;
  incidents.reserve(ids.size());
  for (const auto& id : ids) {
    COWORK_ASSIGN_OR_RETURN(IncidentRecord incident, load_incident(id));
    incidents.push_back(std::move(incident));
  }
  return incidents;
}

Result<std::vector<IncidentEvent>> Store::list_incident_events(std::string_view incident_id) {
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin(TransactionMode::deferred));
  COWORK_ASSIGN_OR_RETURN(const std::string full_id, resolve_id("incidents", "inc", "incident", incident_id));
  COWORK_ASSIGN_OR_RETURN(Statement select,
                          m_database.cached("SELECT id, at, actor, from_status, to_status, note FROM incident_events "
                                            "WHERE incident_id = ?1 ORDER BY id"));
  select.bind(1, full_id);
  std::vector<IncidentEvent> events;
  while (true) {
    COWORK_ASSIGN_OR_RETURN(const bool row, select.step());
    if (!row) break;
    IncidentEvent event;
    event.id = select.get_int(0);
    event.incident_id = full_id;
    event.at = select.get_text(1);
    event.actor = select.get_text(2);
    if (!select.is_null(3)) {
      COWORK_ASSIGN_OR_RETURN(event.from, parse_incident_status(select.get_text(3)));
    }
    COWORK_ASSIGN_OR_RETURN(event.to, parse_incident_status(select.get_text(4)));
    event.note = select.get_text(5);
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace cowork::store
