#include "store/database.hpp"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <sstream>

#include "store/schema.hpp"
#include "store/store.hpp"
#include "support/temp_dir.hpp"

namespace cowork::store {
namespace {

using testing::TempDir;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Runs `sql` through SQLite itself, as another program would.
void raw_exec(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  EXPECT_EQ(rc, SQLITE_OK) << (message != nullptr ? message : "");
  sqlite3_free(message);
  sqlite3_close(db);
}

Result<std::int64_t> query_int(Database& database, std::string_view sql) {
  COWORK_ASSIGN_OR_RETURN(Statement statement, database.prepare(sql));
  COWORK_ASSIGN_OR_RETURN(const bool row, statement.step());
  if (!row) return make_error(ErrorCode::not_found, "no row");
  return statement.get_int(0);
}

TEST(DatabaseTest, OpensANewFileInWalModeWithForeignKeys) {
  TempDir dir;
  auto database = Database::open(dir.path() / "a.db");
  ASSERT_TRUE(database) << database.error().message;
  EXPECT_EQ(*database->journal_mode(), "wal");
  EXPECT_EQ(*query_int(*database, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(*query_int(*database, "PRAGMA synchronous"), 1);  // NORMAL
  EXPECT_EQ(*database->schema_version(), 0);
}

TEST(DatabaseTest, BindsAndReadsTypedValues) {
  TempDir dir;
  auto database = Database::open(dir.path() / "a.db");
  ASSERT_TRUE(database);
  ASSERT_TRUE(database->exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, n TEXT)"));
  auto insert = database->prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  ASSERT_TRUE(insert);
  const std::string text("with\0nul and ünïcode", 20);
  insert->bind(1, std::int64_t{1} << 40).bind(2, 2.5).bind(3, text).bind(4, std::optional<std::string>());
  ASSERT_TRUE(insert->run());
  auto select = database->prepare("SELECT i, d, s, n FROM t");
  ASSERT_TRUE(select);
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->get_int(0), std::int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(select->get_double(1), 2.5);
  EXPECT_EQ(select->get_text(2), text);
  EXPECT_TRUE(select->is_null(3));
  EXPECT_EQ(select->get_optional_text(3), std::nullopt);
  EXPECT_FALSE(*select->step());
}

TEST(DatabaseTest, ABadBindIsReportedByStep) {
  TempDir dir;
  auto database = Database::open(dir.path() / "a.db");
  ASSERT_TRUE(database);
  auto statement = database->prepare("SELECT ?1");
  ASSERT_TRUE(statement);
  statement->bind(7, 1);
  auto row = statement->step();
  ASSERT_FALSE(row);
  EXPECT_NE(row.error().message.find("parameter 7"), std::string::npos) << row.error().message;
}

TEST(DatabaseTest, ErrorsNameTheFile) {
  TempDir dir;
  const auto path = dir.path() / "a.db";
  auto database = Database::open(path);
  ASSERT_TRUE(database);
  auto statement = database->prepare("SELECT * FROM missing_table");
  ASSERT_FALSE(statement);
  EXPECT_NE(statement.error().message.find(path.string()), std::string::npos) << statement.error().message;
  EXPECT_NE(statement.error().message.find("missing_table"), std::string::npos) << statement.error().message;
}

TEST(DatabaseTest, ATransactionRollsBackUnlessCommitted) {
  TempDir dir;
  auto database = Database::open(dir.path() / "a.db");
  ASSERT_TRUE(database);
  ASSERT_TRUE(database->exec("CREATE TABLE t (i INTEGER)"));
  {
    auto transaction = database->begin();
    ASSERT_TRUE(transaction);
    ASSERT_TRUE(database->exec("INSERT INTO t VALUES (1)"));
  }
  EXPECT_EQ(*query_int(*database, "SELECT COUNT(*) FROM t"), 0);
  {
    auto transaction = database->begin();
    ASSERT_TRUE(transaction);
    ASSERT_TRUE(database->exec("INSERT INTO t VALUES (2)"));
    ASSERT_TRUE(transaction->commit());
  }
  EXPECT_EQ(*query_int(*database, "SELECT COUNT(*) FROM t"), 1);
}

TEST(DatabaseTest, CachedStatementsCanNest) {
  TempDir dir;
  auto database = Database::open(dir.path() / "a.db");
  ASSERT_TRUE(database);
  ASSERT_TRUE(database->exec("CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (1), (2), (3)"));
  constexpr std::string_view k_sql = "SELECT i FROM t WHERE i >= ?1 ORDER BY i";
  auto outer = database->cached(k_sql);
  ASSERT_TRUE(outer);
  outer->bind(1, 1);
  int pairs = 0;
  while (*outer->step()) {
    auto inner = database->cached(k_sql);  // the same text while the first is in use: a fresh statement
    ASSERT_TRUE(inner);
    inner->bind(1, outer->get_int(0));
    while (*inner->step()) ++pairs;
  }
  EXPECT_EQ(pairs, 3 + 2 + 1);
}

constexpr std::array<Migration, 2> k_test_migrations = {
    Migration{1, "first", "CREATE TABLE a (x INTEGER);"},
    Migration{2, "second", "CREATE TABLE b (y INTEGER);"},
};

TEST(DatabaseTest, MigratesInOrderAndOnlyOnce) {
  TempDir dir;
  const auto path = dir.path() / "a.db";
  {
    auto database = Database::open(path);
    ASSERT_TRUE(database);
    ASSERT_TRUE(database->migrate(std::span(k_test_migrations).first(1)));
    EXPECT_EQ(*database->schema_version(), 1);
  }
  auto database = Database::open(path);
  ASSERT_TRUE(database);
  auto migrated = database->migrate(k_test_migrations);
  ASSERT_TRUE(migrated) << migrated.error().message;
  EXPECT_EQ(*database->schema_version(), 2);
  ASSERT_TRUE(database->migrate(k_test_migrations));  // again: nothing to do, no "table a already exists"
  EXPECT_EQ(*database->schema_version(), 2);
}

TEST(DatabaseTest, AFailingMigrationLeavesTheDatabaseAtThePreviousVersion) {
  TempDir dir;
  auto database = Database::open(dir.path() / "a.db");
  ASSERT_TRUE(database);
  const std::array<Migration, 2> migrations = {
      Migration{1, "first", "CREATE TABLE a (x INTEGER);"},
      Migration{2, "broken", "CREATE TABLE b (y INTEGER); CREATE TABLE a (x INTEGER);"},
  };
  auto migrated = database->migrate(migrations);
  ASSERT_FALSE(migrated);
  EXPECT_NE(migrated.error().message.find("migration 2 (broken)"), std::string::npos) << migrated.error().message;
  EXPECT_EQ(*database->schema_version(), 1);
  EXPECT_EQ(*query_int(*database, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'b'"), 0);
}

TEST(StoreOpenTest, CreatesTheStateFolderWithAGitignoreAndTheSchema) {
  TempDir dir;
  auto store = Store::open_project(dir.path());
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(store->path(), dir.path() / ".cowork" / "state.db");
  EXPECT_TRUE(std::filesystem::is_regular_file(dir.path() / ".cowork" / "state.db"));
  const std::string gitignore = slurp(dir.path() / ".cowork" / ".gitignore");
  EXPECT_NE(gitignore.find("\n*\n"), std::string::npos) << gitignore;
  EXPECT_EQ(*store->database().schema_version(), static_cast<int>(schema_migrations().size()));
  EXPECT_EQ(*query_int(store->database(), "PRAGMA application_id"), k_application_id);
  EXPECT_EQ(*query_int(store->database(), "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'investigation_events'"), 1);
}

TEST(StoreOpenTest, ReopeningIsIdempotentAndKeepsData) {
  TempDir dir;
  dir.write(".cowork/.gitignore", "# mine\n*\n!keep\n");
  {
    auto store = Store::open_project(dir.path());
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->database().exec(
        "INSERT INTO incidents (id, title, severity, status, first_seen, last_seen, created_at, updated_at, "
        "detail_json) VALUES ('inc_00000001', 't', 'low', 'open', 'x', 'x', 'x', 'x', '{}')"));
  }
  for (int i = 0; i < 3; ++i) {
    auto store = Store::open_project(dir.path());
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ(*store->database().schema_version(), static_cast<int>(schema_migrations().size()));
    EXPECT_TRUE(store->get_incident("inc_00000001"));
  }
  EXPECT_EQ(slurp(dir.path() / ".cowork" / ".gitignore"), "# mine\n*\n!keep\n");  // never replaced
}

TEST(StoreOpenTest, RefusesADatabaseFromANewerCowork) {
  TempDir dir;
  const auto path = Store::state_path(dir.path());
  ASSERT_TRUE(Store::open_project(dir.path()));
  raw_exec(path, "PRAGMA user_version = 99; CREATE TABLE from_the_future (x INTEGER);");
  auto store = Store::open_project(dir.path());
  ASSERT_FALSE(store);
  const std::string& message = store.error().message;
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find("schema version 99"), std::string::npos) << message;
  EXPECT_NE(message.find("newer"), std::string::npos) << message;
  // Untouched.
  auto database = Database::open(path);
  ASSERT_TRUE(database);
  EXPECT_EQ(*database->schema_version(), 99);
}

TEST(StoreOpenTest, RefusesAFileThatIsNotSqliteAndLeavesItAlone) {
  TempDir dir;
  std::string garbage = "this is not a database, it is a shopping list: eggs, milk\n";
  for (int i = 0; i < 200; ++i) garbage += "more lines of text that are certainly not SQLite pages\n";
  const auto path = dir.write(".cowork/state.db", garbage);
  auto store = Store::open_project(dir.path());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(store.error().message.find(path.string()), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("not a SQLite database"), std::string::npos) << store.error().message;
  EXPECT_EQ(slurp(path), garbage);
}

TEST(StoreOpenTest, RefusesACorruptDatabase) {
  TempDir dir;
  const auto path = Store::state_path(dir.path());
  ASSERT_TRUE(Store::open_project(dir.path()));
  std::string bytes = slurp(path);
  ASSERT_GT(bytes.size(), 4096u);
  // Keep the header, overwrite the schema page and what follows.
  for (std::size_t i = 100; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5 ^ (i * 7));
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  auto store = Store::open_project(dir.path());
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find(path.string()), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("corrupt"), std::string::npos) << store.error().message;
}

TEST(StoreOpenTest, RefusesAnotherApplicationsDatabase) {
  TempDir dir;
  const auto path = dir.path() / "other.db";
  raw_exec(path, "PRAGMA application_id = 1234; CREATE TABLE t (x INTEGER);");
  auto store = Store::open(path);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("another application"), std::string::npos) << store.error().message;
}

TEST(StoreOpenTest, RefusesToWriteIntoASqliteDatabaseThatIsNotCowork) {
  TempDir dir;
  const auto path = dir.path() / "other.db";
  raw_exec(path, "CREATE TABLE customers (id INTEGER);");
  auto store = Store::open(path);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("customers"), std::string::npos) << store.error().message;
  auto database = Database::open(path);
  ASSERT_TRUE(database);
  EXPECT_EQ(*query_int(*database, "SELECT COUNT(*) FROM sqlite_schema"), 1);
}

TEST(StoreOpenTest, ClearErrorsForBadPaths) {
  TempDir dir;
  auto missing_project = Store::open_project(dir.path() / "nope");
  ASSERT_FALSE(missing_project);
  EXPECT_EQ(missing_project.error().code, ErrorCode::not_found);
  EXPECT_NE(missing_project.error().message.find("nope"), std::string::npos);

  std::filesystem::create_directories(dir.path() / "folder.db");
  auto folder = Store::open(dir.path() / "folder.db");
  ASSERT_FALSE(folder);
  EXPECT_NE(folder.error().message.find("folder.db"), std::string::npos) << folder.error().message;

  auto no_parent = Store::open(dir.path() / "missing" / "state.db");
  ASSERT_FALSE(no_parent);
  EXPECT_NE(no_parent.error().message.find("missing/state.db"), std::string::npos) << no_parent.error().message;
}

}  // namespace
}  // namespace cowork::store
