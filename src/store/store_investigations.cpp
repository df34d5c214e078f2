// Store: investigations and their append-only events.
#include "store/store.hpp"
#include "store/store_internal.hpp"

namespace cowork::store {
namespace {

using internal::fail;

constexpr std::string_view k_investigation_query =
    "SELECT id, incident_id, engine, status, started_at, finished_at, report_json, (SELECT COALESCE(MAX(seq), 0) FROM "
    "investigation_events WHERE investigation_id = investigations.id) FROM investigations";

Result<InvestigationRecord> read_investigation(const Statement& row) {
  InvestigationRecord investigation;
  investigation.id = row.get_text(0);
  investigation.incident_id = row.get_text(1);
  investigation.engine = row.get_text(2);
  COWORK_ASSIGN_OR_RETURN(investigation.status, parse_investigation_status(row.get_text(3)));
  investigation.started_at = row.get_text(4);
  investigation.finished_at = row.get_text(5);
  investigation.report_json = row.get_text(6);
  investigation.last_seq = row.get_int(7);
  return investigation;
}

}  // namespace

Result<std::string> Store::start_investigation(std::string_view incident_id, std::string_view engine) {
  if (engine.empty()) return fail(path(), ErrorCode::invalid_argument, "an investigation needs an engine name");
  const std::string started_at = format_timestamp(now());
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin());
  COWORK_ASSIGN_OR_RETURN(const std::string full_incident, resolve_id("incidents", "inc", "incident", incident_id));
  COWORK_ASSIGN_OR_RETURN(std::string id, fresh_id("investigations", "inv"));
  COWORK_ASSIGN_OR_RETURN(Statement insert,
                          m_database.cached("INSERT INTO investigations (id, incident_id, engine, status, started_at) "
                                            "VALUES (?1, ?2, ?3, 'running', ?4)"));
  insert.bind(1, id).bind(2, full_incident).bind(3, engine).bind(4, started_at);
  COWORK_TRY(insert.run());
  COWORK_TRY(transaction.commit());
  return id;
}

Result<std::int64_t> Store::insert_event(const std::string& investigation_id, const Event& event) {
  COWORK_TRY(internal::check_json(path(), event.args_json, "the event's args_json"));
  COWORK_TRY(internal::check_json(path(), event.payload_json, "the event's payload_json"));
  COWORK_ASSIGN_OR_RETURN(const std::string at, event_time(event.at));
  {
    // One statement: the next seq is computed under the write lock, so concurrent writers never share a number, and
    // only a running investigation takes events.
    COWORK_ASSIGN_OR_RETURN(
        Statement insert,
        m_database.cached("INSERT INTO investigation_events (investigation_id, seq, at, agent, kind, tool, args_json, "
                          "summary, duration_ms, payload_json) SELECT ?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
                          "investigation_events WHERE investigation_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM "
                          "investigations WHERE id = ?1 AND status = 'running' RETURNING seq"));
    insert.bind(1, investigation_id).bind(2, at).bind(3, event.agent).bind(4, to_string(event.kind));
    insert.bind_text_or_null(5, event.tool).bind_text_or_null(6, event.args_json).bind(7, event.summary);
    insert.bind(8, event.duration_ms).bind_text_or_null(9, event.payload_json);
    COWORK_ASSIGN_OR_RETURN(const bool inserted, insert.step());
    if (inserted) {
      const std::int64_t seq = insert.get_int(0);
      COWORK_TRY(insert.run());  // to the end of the statement, which commits it outside a transaction
      return seq;
    }
  }
  COWORK_ASSIGN_OR_RETURN(Statement status, m_database.cached("SELECT status FROM investigations WHERE id = ?1"));
  status.bind(1, investigation_id);
  COWORK_ASSIGN_OR_RETURN(const bool found, status.step());
  if (!found) return fail(path(), ErrorCode::not_found, "no investigation {}", investigation_id);
  return fail(path(), ErrorCode::invalid_argument, "investigation {} is {}: it takes no more events", investigation_id,
              status.get_text(0));
}

Result<std::int64_t> Store::append_event(std::string_view investigation_id, const Event& event) {
  return insert_event(std::string(investigation_id), event);
}

Result<std::int64_t> Store::append_events(std::string_view investigation_id, std::span<const Event> events) {
  const std::string id(investigation_id);
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin());
  std::int64_t last = 0;
  for (const auto& event : events) {
    COWORK_ASSIGN_OR_RETURN(last, insert_event(id, event));
  }
  COWORK_TRY(transaction.commit());
  return last;
}

Status Store::finish_investigation(std::string_view investigation_id, InvestigationStatus status,
                                   std::string_view report_json, std::string_view engine) {
  if (status == InvestigationStatus::running)
    return fail(path(), ErrorCode::invalid_argument, "an investigation cannot finish as running");
  COWORK_TRY(internal::check_json(path(), report_json, "the investigation's report"));
  const std::string finished_at = format_timestamp(now());
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin());
  COWORK_ASSIGN_OR_RETURN(const std::string id, resolve_id("investigations", "inv", "investigation", investigation_id));
  {
    COWORK_ASSIGN_OR_RETURN(Statement current, m_database.cached("SELECT status FROM investigations WHERE id = ?1"));
    current.bind(1, id);
    COWORK_ASSIGN_OR_RETURN(const bool found, current.step());
    if (!found) return fail(path(), ErrorCode::not_found, "no investigation {}", id);
    if (current.get_text(0) != "running")
      return fail(path(), ErrorCode::invalid_argument, "investigation {} already finished ({})", id,
                  current.get_text(0));
  }
  COWORK_ASSIGN_OR_RETURN(Statement update,
                          m_database.cached("UPDATE investigations SET status = ?2, finished_at = ?3, report_json = ?4, "
                                            "engine = COALESCE(?5, engine) WHERE id = ?1"));
  update.bind(1, id).bind(2, to_string(status)).bind(3, finished_at).bind_text_or_null(4, report_json);
  update.bind_text_or_null(5, engine);
  COWORK_TRY(update.run());
  return transaction.commit();
}

Result<InvestigationRecord> Store::get_investigation(std::string_view id) {
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin(TransactionMode::deferred));
  COWORK_ASSIGN_OR_RETURN(const std::string full_id, resolve_id("investigations", "inv", "investigation", id));
  COWORK_ASSIGN_OR_RETURN(Statement select, m_database.cached(fmt::format("{} WHERE id = ?1", k_investigation_query)));
  select.bind(1, full_id);
  COWORK_ASSIGN_OR_RETURN(const bool found, select.step());
  if (!found) return fail(path(), ErrorCode::not_found, "no investigation {}", full_id);
  return read_investigation(select);
}

Result<std::vector<InvestigationRecord>> Store::list_investigations(std::string_view incident_id) {
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin(TransactionMode::deferred));
  COWORK_ASSIGN_OR_RETURN(const std::string full_incident, resolve_id("incidents", "inc", "incident", incident_id));
  COWORK_ASSIGN_OR_RETURN(
      Statement select, m_database.cached(fmt::format("{} WHERE incident_id = ?1 ORDER BY started_at DESC, rowid DESC",
                                                      k_investigation_query)));
  select.bind(1, full_incident);
  std::vector<InvestigationRecord> investigations;
  while (true) {
    COWORK_ASSIGN_OR_RETURN(const bool row, select.step());
    if (!row) break;
    COWORK_ASSIGN_OR_RETURN(InvestigationRecord investigation, read_investigation(select));
    investigations.push_back(std::move(investigation));
  }
  return investigations;
}

Result<std::optional<InvestigationRecord>> Store::latest_investigation(std::string_view incident_id) {
  COWORK_ASSIGN_OR_RETURN(auto investigations, list_investigations(incident_id));
  if (investigations.empty()) return std::optional<InvestigationRecord>();
  return std::optional<InvestigationRecord>(std::move(investigations.front()));
}

Result<std::vector<Event>> Store::list_events(std::string_view investigation_id, std::int64_t after_seq,
                                              std::size_t limit) {
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin(TransactionMode::deferred));
  COWORK_ASSIGN_OR_RETURN(const std::string id, resolve_id("investigations", "inv", "investigation", investigation_id));
  COWORK_ASSIGN_OR_RETURN(
      Statement select,
      m_database.cached("SELECT seq, at, agent, kind, tool, args_json, summary, duration_ms, payload_json FROM "
                        "investigation_events WHERE investigation_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"));
  select.bind(1, id).bind(2, after_seq).bind(3, limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
  std::vector<Event> events;
  while (true) {
    COWORK_ASSIGN_OR_RETURN(const bool row, select.step());
    if (!row) break;
    Event event;
    event.seq = select.get_int(0);
    event.at = select.get_text(1);
    event.agent = select.get_text(2);
    COWORK_ASSIGN_OR_RETURN(event.kind, parse_event_kind(select.get_text(3)));
    event.tool = select.get_text(4);
    event.args_json = select.get_text(5);
    event.summary = select.get_text(6);
    event.duration_ms = select.get_optional_int(7);
    event.payload_json = select.get_text(8);
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace cowork::store
