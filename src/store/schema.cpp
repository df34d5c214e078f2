#include "store/schema.hpp"

#include <array>

namespace cowork::store {
namespace {

// Times are ISO-8601 UTC text of one width (timestamp.hpp), so they compare as text. JSON columns hold JSON text,
// checked before it is written. Statuses and kinds are text, spelled as the C++ enums' to_string spells them.
constexpr std::string_view k_schema_v1 = R"sql(
CREATE TABLE incidents (
  id            TEXT PRIMARY KEY,           -- inc_ + 8 hex, stable across runs (incidents module)
  title         TEXT NOT NULL,
  severity      TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  status        TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'snoozed', 'resolved')),
  snoozed_until TEXT,                       -- set while snoozed; past it the incident reads as open
  first_seen    TEXT NOT NULL,
  last_seen     TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  resolved_at   TEXT,                       -- set while resolved
  detail_json   TEXT NOT NULL               -- the incident as the latest run that had it describes it
);
CREATE INDEX incidents_by_status ON incidents (status, last_seen);

-- The failures of an incident in the latest run that had it; what automatic resolution checks.
CREATE TABLE incident_failures (
  incident_id   TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  position      INTEGER NOT NULL,
  unique_id     TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  status        TEXT NOT NULL,
  failures      INTEGER,
  message       TEXT NOT NULL,
  PRIMARY KEY (incident_id, position)
);
CREATE INDEX incident_failures_by_node ON incident_failures (unique_id);

-- Every status change of an incident: who, when, from what (NULL when first seen), to what, why.
CREATE TABLE incident_events (
  id          INTEGER PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL,
  from_status TEXT,
  to_status   TEXT NOT NULL,
  note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incident_events_by_incident ON incident_events (incident_id, id);

-- Each sync of the incidents with a run's artifacts.
CREATE TABLE runs (
  id               INTEGER PRIMARY KEY,
  synced_at        TEXT NOT NULL,
  generated_at     TEXT,                    -- run_results.json's metadata.generated_at
  command          TEXT NOT NULL DEFAULT '',
  run_results_path TEXT NOT NULL DEFAULT '',
  executed         INTEGER NOT NULL,        -- nodes the run executed
  incidents        INTEGER NOT NULL,
  opened           INTEGER NOT NULL,
  reopened         INTEGER NOT NULL,
  resolved         INTEGER NOT NULL
);

CREATE TABLE investigations (
  id          TEXT PRIMARY KEY,             -- inv_ + 8 hex
  incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  engine      TEXT NOT NULL,                -- playbook, llm:PROVIDER/MODEL
  status      TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  report_json TEXT
);
CREATE INDEX investigations_by_incident ON investigations (incident_id, started_at);

-- The audit trail: every step of an investigation, appended as it happens, numbered 1, 2, 3... per investigation.
CREATE TABLE investigation_events (
  investigation_id TEXT NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
  seq              INTEGER NOT NULL,
  at               TEXT NOT NULL,
  agent            TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('phase', 'tool_call', 'tool_result', 'model_call',
                                                 'model_result', 'token', 'note', 'error')),
  tool             TEXT,
  args_json        TEXT,
  summary          TEXT NOT NULL DEFAULT '',
  duration_ms      INTEGER,
  payload_json     TEXT,
  PRIMARY KEY (investigation_id, seq)
) WITHOUT ROWID;

CREATE TABLE fixes (
  id                  TEXT PRIMARY KEY,     -- fix_ + 8 hex
  investigation_id    TEXT NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
  incident_id         TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  position            INTEGER NOT NULL,     -- order in the investigation's report
  title               TEXT NOT NULL,
  strategy            TEXT NOT NULL,
  category            TEXT NOT NULL CHECK (category IN ('data', 'code', 'config', 'snooze')),
  risk                TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high')),
  recommended         INTEGER NOT NULL CHECK (recommended IN (0, 1)),
  detail_json         TEXT,                 -- pros, cons, when_to_use, rationale, kb_refs...
  verification_status TEXT NOT NULL CHECK (verification_status IN ('unverified', 'verified', 'failed')),
  verification_json   TEXT,
  created_at          TEXT NOT NULL,
  verified_at         TEXT
);
CREATE INDEX fixes_by_investigation ON fixes (investigation_id, position);
CREATE INDEX fixes_by_incident ON fixes (incident_id);
-- Exactly one option of an investigation is recommended.
CREATE UNIQUE INDEX fixes_one_recommended ON fixes (investigation_id) WHERE recommended = 1;

CREATE TABLE fix_edits (
  fix_id        TEXT NOT NULL REFERENCES fixes (id) ON DELETE CASCADE,
  position      INTEGER NOT NULL,
  path          TEXT NOT NULL,              -- relative to the project folder
  original_hash TEXT NOT NULL,              -- of the file the edit was made against; '' for a new file
  new_content   TEXT NOT NULL,
  diff          TEXT NOT NULL,
  PRIMARY KEY (fix_id, position)
);

CREATE TABLE applies (
  id          TEXT PRIMARY KEY,             -- app_ + 8 hex
  fix_id      TEXT NOT NULL REFERENCES fixes (id) ON DELETE CASCADE,
  applied_at  TEXT NOT NULL,
  applied_by  TEXT NOT NULL,
  git_branch  TEXT,
  git_commit  TEXT,
  reverted_at TEXT,
  reverted_by TEXT
);
CREATE INDEX applies_by_fix ON applies (fix_id, applied_at);

CREATE TABLE apply_files (
  apply_id    TEXT NOT NULL REFERENCES applies (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  path        TEXT NOT NULL,
  backup_path TEXT NOT NULL,                -- '' when the file did not exist before
  before_hash TEXT NOT NULL,
  after_hash  TEXT NOT NULL,
  PRIMARY KEY (apply_id, position)
);
)sql";

constexpr std::array<Migration, 1> k_migrations = {
    Migration{1, "incidents, investigations and their events, fixes, applies", k_schema_v1},
};

}  // namespace

std::span<const Migration> schema_migrations() {
  return k_migrations;
}

}  // namespace cowork::store
