// Store: fix options with their edits and verification, and the applies of fixes with their backups.
#include "store/store.hpp"
#include "store/store_internal.hpp"
#include "util/strings.hpp"

namespace cowork::store {
namespace {

using internal::fail;

// The status of a report's `verification` object.
Result<VerificationStatus> verification_status_of(const std::filesystem::path& database, std::string_view json) {
  if (json.empty()) return VerificationStatus::unverified;
  const auto parsed = nlohmann::json::parse(json, nullptr, false);
  if (parsed.is_discarded())
    return fail(database, ErrorCode::invalid_argument, "the fix's verification is not valid JSON: {}",
                one_line(json, 80));
  if (!parsed.is_object() || !parsed.contains("status") || !parsed["status"].is_string())
    return fail(database, ErrorCode::invalid_argument,
                "the fix's verification must be an object with a \"status\" (verified, failed or unverified): {}",
                one_line(json, 80));
  auto status = parse_verification_status(parsed["status"].get<std::string>());
  if (!status) return fail(database, ErrorCode::invalid_argument, "the fix's verification: {}", status.error().message);
  return *status;
}

}  // namespace

Result<std::string> Store::save_fix(const FixRecord& fix) {
  if (fix.investigation_id.empty())
    return fail(path(), ErrorCode::invalid_argument, "fix '{}' has no investigation", fix.title);
  if (trim(fix.title).empty()) return fail(path(), ErrorCode::invalid_argument, "a fix needs a title");
  COWORK_TRY(internal::check_json(path(), fix.detail_json, "the fix's detail_json"));
  COWORK_ASSIGN_OR_RETURN(const VerificationStatus verification, verification_status_of(path(), fix.verification_json));
  COWORK_ASSIGN_OR_RETURN(const std::string created_at, event_time(fix.created_at));

  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin());
  std::string incident_id;
  {
    COWORK_ASSIGN_OR_RETURN(Statement select,
                            m_database.cached("SELECT incident_id FROM investigations WHERE id = ?1"));
    select.bind(1, fix.investigation_id);
    COWORK_ASSIGN_OR_RETURN(const bool found, select.step());
    if (!found) return fail(path(), ErrorCode::not_found, "no investigation {}", fix.investigation_id);
    incident_id = select.get_text(0);
  }
  if (!fix.incident_id.empty() && fix.incident_id != incident_id)
    return fail(path(), ErrorCode::invalid_argument, "fix '{}' names incident {}, but investigation {} is of {}",
                fix.title, fix.incident_id, fix.investigation_id, incident_id);

  std::string id = fix.id;
  if (id.empty()) {
    COWORK_ASSIGN_OR_RETURN(id, fresh_id("fixes", "fix"));
  } else {
    COWORK_ASSIGN_OR_RETURN(Statement taken, m_database.cached("SELECT 1 FROM fixes WHERE id = ?1"));
    taken.bind(1, id);
    COWORK_ASSIGN_OR_RETURN(const bool exists, taken.step());
    if (exists) return fail(path(), ErrorCode::invalid_argument, "fix {} already exists", id);
  }
  std::int64_t position = 0;
  {
    COWORK_ASSIGN_OR_RETURN(
        Statement select,
        m_database.cached("SELECT COUNT(*), (SELECT id FROM fixes WHERE investigation_id = ?1 AND recommended = 1) "
                          "FROM fixes WHERE investigation_id = ?1"));
    select.bind(1, fix.investigation_id);
    COWORK_ASSIGN_OR_RETURN(const bool row, select.step());
    if (row) {
      position = select.get_int(0);
      if (fix.recommended && !select.is_null(1))
        return fail(path(), ErrorCode::invalid_argument,
                    "investigation {} already recommends {}; only one option is recommended (see set_recommended)",
                    fix.investigation_id, select.get_text(1));
    }
  }

  COWORK_ASSIGN_OR_RETURN(
      Statement insert,
      m_database.cached("INSERT INTO fixes (id, investigation_id, incident_id, position, title, strategy, category, "
                        "risk, recommended, detail_json, verification_status, verification_json, created_at, "
                        "verified_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"));
  insert.bind(1, id).bind(2, fix.investigation_id).bind(3, incident_id).bind(4, position).bind(5, fix.title);
  insert.bind(6, fix.strategy).bind(7, to_string(fix.category)).bind(8, to_string(fix.risk)).bind(9, fix.recommended);
  insert.bind_text_or_null(10, fix.detail_json).bind(11, to_string(verification));
  insert.bind_text_or_null(12, fix.verification_json).bind(13, created_at);
  insert.bind_text_or_null(14, fix.verification_json.empty() ? std::string() : created_at);
  COWORK_TRY(insert.run());

  COWORK_ASSIGN_OR_RETURN(Statement insert_edit,
                          m_database.cached("INSERT INTO fix_edits (fix_id, position, path, original_hash, "
                                            "new_content, diff) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  for (std::size_t i = 0; i < fix.edits.size(); ++i) {
    const FileEdit& edit = fix.edits[i];
    if (edit.path.empty()) return fail(path(), ErrorCode::invalid_argument, "fix {}: edit {} has no path", id, i + 1);
    insert_edit.bind(1, id).bind(2, i).bind(3, edit.path).bind(4, edit.original_hash).bind(5, edit.new_content);
    insert_edit.bind(6, edit.diff);
    COWORK_TRY(insert_edit.run());
    insert_edit.reset();
  }
  COWORK_TRY(transaction.commit());
  return id;
}

Result<FixRecord> Store::load_fix(const std::string& id) {
  FixRecord fix;
  {
    COWORK_ASSIGN_OR_RETURN(
        Statement select,
        m_database.cached("SELECT id, investigation_id, incident_id, title, strategy, category, risk, recommended, "
                          "detail_json, verification_status, verification_json, created_at, verified_at FROM fixes "
                          "WHERE id = ?1"));
    select.bind(1, id);
    COWORK_ASSIGN_OR_RETURN(const bool found, select.step());
    if (!found) return fail(path(), ErrorCode::not_found, "no fix {}", id);
    fix.id = select.get_text(0);
    fix.investigation_id = select.get_text(1);
    fix.incident_id = select.get_text(2);
    fix.title = select.get_text(3);
    fix.strategy = select.get_text(4);
    COWORK_ASSIGN_OR_RETURN(fix.category, parse_fix_category(select.get_text(5)));
    COWORK_ASSIGN_OR_RETURN(fix.risk, parse_fix_risk(select.get_text(6)));
    fix.recommended = select.get_int(7) != 0;
    fix.detail_json = select.get_text(8);
    COWORK_ASSIGN_OR_RETURN(fix.verification_status, parse_verification_status(select.get_text(9)));
    fix.verification_json = select.get_text(10);
    fix.created_at = select.get_text(11);
    fix.verified_at = select.get_text(12);
  }
  COWORK_ASSIGN_OR_RETURN(Statement edits,
                          m_database.cached("SELECT path, original_hash, new_content, diff FROM fix_edits WHERE "
                                            "fix_id = ?1 ORDER BY position"));
  edits.bind(1, id);
  while (true) {
    COWORK_ASSIGN_OR_RETURN(const bool row, edits.step());
    if (!row) break;
    fix.edits.push_back({edits.get_text(0), edits.get_text(1), edits.get_text(2), edits.get_text(3)});
  }
  return fix;
}

Result<FixRecord> Store::get_fix(std::string_view id) {
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin(TransactionMode::deferred));
  COWORK_ASSIGN_OR_RETURN(const std::string full_id, resolve_id("fixes", "fix", "fix", id));
  return load_fix(full_id);
}

Result<std::vector<FixRecord>> Store::list_fixes(std::string_view investigation_id) {
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin(TransactionMode::deferred));
  COWORK_ASSIGN_OR_RETURN(const std::string full_id,
                          resolve_id("investigations", "inv", "investigation", investigation_id));
  std::vector<std::string> ids;
  {
    COWORK_ASSIGN_OR_RETURN(Statement select, m_database.cached("SELECT id FROM fixes WHERE investigation_id = ?1 "
                                                                "ORDER BY position"));
    select.bind(1, full_id);
    while (true) {
      COWORK_ASSIGN_OR_RETURN(const bool row, select.step());
      if (!row) break;
      ids.push_back(select.get_text(0));
    }
  }
  std::vector<FixRecord> fixes;
  for (const auto& id : ids) {
    COWORK_ASSIGN_OR_RETURN(FixRecord fix, load_fix(id));
    fixes.push_back(std::move(fix));
  }
  return fixes;
}

Status Store::update_verification(std::string_view fix_id, std::string_view verification_json) {
  COWORK_ASSIGN_OR_RETURN(const VerificationStatus status, verification_status_of(path(), verification_json));
  const std::string now_text = format_timestamp(now());
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin());
  COWORK_ASSIGN_OR_RETURN(const std::string id, resolve_id("fixes", "fix", "fix", fix_id));
  COWORK_ASSIGN_OR_RETURN(Statement update,
                          m_database.cached("UPDATE fixes SET verification_status = ?2, verification_json = ?3, "
                                            "verified_at = ?4 WHERE id = ?1"));
  update.bind(1, id).bind(2, to_string(status)).bind_text_or_null(3, verification_json).bind(4, now_text);
  COWORK_TRY(update.run());
  return transaction.commit();
}

Status Store::set_recommended(std::string_view fix_id) {
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin());
  COWORK_ASSIGN_OR_RETURN(const std::string id, resolve_id("fixes", "fix", "fix", fix_id));
  // The partial unique index allows one recommended row at a time, so the others are cleared first.
  COWORK_ASSIGN_OR_RETURN(Statement clear, m_database.cached("UPDATE fixes SET recommended = 0 WHERE recommended = 1 "
                                                             "AND investigation_id = (SELECT investigation_id FROM "
                                                             "fixes WHERE id = ?1) AND id != ?1"));
  clear.bind(1, id);
  COWORK_TRY(clear.run());
  COWORK_ASSIGN_OR_RETURN(Statement set, m_database.cached("UPDATE fixes SET recommended = 1 WHERE id = ?1"));
  set.bind(1, id);
  COWORK_TRY(set.run());
  return transaction.commit();
}

// ---------------------------------------------------------------------------------------------------------------
// Applies

Result<std::string> Store::record_apply(const ApplyRecord& apply) {
  if (trim(apply.applied_by).empty())
    return fail(path(), ErrorCode::invalid_argument, "an apply needs the name of who applied it");
  COWORK_ASSIGN_OR_RETURN(const std::string applied_at, event_time(apply.applied_at));
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin());
  COWORK_ASSIGN_OR_RETURN(const std::string fix_id, resolve_id("fixes", "fix", "fix", apply.fix_id));
  std::string id = apply.id;
  if (id.empty()) {
    COWORK_ASSIGN_OR_RETURN(id, fresh_id("applies", "app"));
  } else {
    COWORK_ASSIGN_OR_RETURN(Statement taken, m_database.cached("SELECT 1 FROM applies WHERE id = ?1"));
    taken.bind(1, id);
    COWORK_ASSIGN_OR_RETURN(const bool exists, taken.step());
    if (exists) return fail(path(), ErrorCode::invalid_argument, "apply {} already exists", id);
  }
  COWORK_ASSIGN_OR_RETURN(Statement insert,
                          m_database.cached("INSERT INTO applies (id, fix_id, applied_at, applied_by, git_branch, "
                                            "git_commit) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  insert.bind(1, id).bind(2, fix_id).bind(3, applied_at).bind(4, trim(apply.applied_by));
  insert.bind_text_or_null(5, apply.git_branch).bind_text_or_null(6, apply.git_commit);
  COWORK_TRY(insert.run());
  COWORK_ASSIGN_OR_RETURN(Statement insert_file,
                          m_database.cached("INSERT INTO apply_files (apply_id, position, path, backup_path, "
                                            "before_hash, after_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  for (std::size_t i = 0; i < apply.files.size(); ++i) {
    const AppliedFile& file = apply.files[i];
    if (file.path.empty())
      return fail(path(), ErrorCode::invalid_argument, "apply of {}: file {} has no path", fix_id, i + 1);
    insert_file.bind(1, id).bind(2, i).bind(3, file.path).bind(4, file.backup_path).bind(5, file.before_hash);
    insert_file.bind(6, file.after_hash);
    COWORK_TRY(insert_file.run());
    insert_file.reset();
  }
  COWORK_TRY(transaction.commit());
  return id;
}

Result<ApplyRecord> Store::load_apply(const std::string& id) {
  ApplyRecord apply;
  {
    COWORK_ASSIGN_OR_RETURN(
        Statement select,
        m_database.cached("SELECT a.id, a.fix_id, f.incident_id, a.applied_at, a.applied_by, a.git_branch, "
                          "a.git_commit, a.reverted_at, a.reverted_by FROM applies a JOIN fixes f ON f.id = a.fix_id "
                          "WHERE a.id = ?1"));
    select.bind(1, id);
    COWORK_ASSIGN_OR_RETURN(const bool found, select.step());
    if (!found) return fail(path(), ErrorCode::not_found, "no apply {}", id);
    apply.id = select.get_text(0);
    apply.fix_id = select.get_text(1);
    apply.incident_id = select.get_text(2);
    apply.applied_at = select.get_text(3);
    apply.applied_by = select.get_text(4);
    apply.git_branch = select.get_text(5);
    apply.git_commit = select.get_text(6);
    apply.reverted_at = select.get_text(7);
    apply.reverted_by = select.get_text(8);
  }
  COWORK_ASSIGN_OR_RETURN(Statement files,
                          m_database.cached("SELECT path, backup_path, before_hash, after_hash FROM apply_files WHERE "
                                            "apply_id = ?1 ORDER BY position"));
  files.bind(1, id);
  while (true) {
    COWORK_ASSIGN_OR_RETURN(const bool row, files.step());
    if (!row) break;
    apply.files.push_back({files.get_text(0), files.get_text(1), files.get_text(2), files.get_text(3)});
  }
  return apply;
}

Result<ApplyRecord> Store::get_apply(std::string_view id) {
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin(TransactionMode::deferred));
  COWORK_ASSIGN_OR_RETURN(const std::string full_id, resolve_id("applies", "app", "apply", id));
  return load_apply(full_id);
}

Status Store::mark_reverted(std::string_view apply_id, Timestamp at, std::string_view who) {
  if (trim(who).empty()) return fail(path(), ErrorCode::invalid_argument, "a revert needs the name of who made it");
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin());
  COWORK_ASSIGN_OR_RETURN(const std::string id, resolve_id("applies", "app", "apply", apply_id));
  {
    COWORK_ASSIGN_OR_RETURN(Statement select,
                            m_database.cached("SELECT reverted_at, reverted_by FROM applies WHERE id = ?1"));
    select.bind(1, id);
    COWORK_ASSIGN_OR_RETURN(const bool found, select.step());
    if (!found) return fail(path(), ErrorCode::not_found, "no apply {}", id);
    if (!select.is_null(0))
      return fail(path(), ErrorCode::invalid_argument, "apply {} was already reverted at {} by {}", id,
                  select.get_text(0), select.get_text(1));
  }
  COWORK_ASSIGN_OR_RETURN(Statement update,
                          m_database.cached("UPDATE applies SET reverted_at = ?2, reverted_by = ?3 WHERE id = ?1"));
  update.bind(1, id).bind(2, format_timestamp(at)).bind(3, trim(who));
  COWORK_TRY(update.run());
  return transaction.commit();
}

Result<std::vector<ApplyRecord>> Store::list_applies(const ApplyFilter& filter) {
  COWORK_ASSIGN_OR_RETURN(Transaction transaction, m_database.begin(TransactionMode::deferred));
  std::string fix_id;
  std::string incident_id;
  if (!filter.fix_id.empty()) {
    COWORK_ASSIGN_OR_RETURN(fix_id, resolve_id("fixes", "fix", "fix", filter.fix_id));
  }
  if (!filter.incident_id.empty()) {
    COWORK_ASSIGN_OR_RETURN(incident_id, resolve_id("incidents", "inc", "incident", filter.incident_id));
  }
  std::vector<std::string> ids;
  {
    COWORK_ASSIGN_OR_RETURN(
        Statement select,
        m_database.cached("SELECT a.id FROM applies a JOIN fixes f ON f.id = a.fix_id WHERE (?1 IS NULL OR a.fix_id = "
                          "?1) AND (?2 IS NULL OR f.incident_id = ?2) ORDER BY a.applied_at DESC, a.rowid DESC"));
    select.bind_text_or_null(1, fix_id).bind_text_or_null(2, incident_id);
    while (true) {
      COWORK_ASSIGN_OR_RETURN(const bool row, select.step());
      if (!row) break;
      ids.push_back(select.get_text(0));
    }
  }
  std::vector<ApplyRecord> applies;
  for (const auto& id : ids) {
    COWORK_ASSIGN_OR_RETURN(ApplyRecord apply, load_apply(id));
    applies.push_back(std::move(apply));
  }
  return applies;
}

}  // namespace cowork::store
