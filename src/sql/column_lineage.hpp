// Column-level lineage of one SELECT statement. The investigation uses it to follow a failing column (a test on
// dim_listings_cleansed.host_id) back through the model's compiled SQL, through its CTEs, aliases, joins, subqueries and
// unions, to the columns of the relations the model reads; the caller then repeats the step on the parent model. It
// reads dbt's compiled code (Jinja already rendered, ephemeral models inlined as `__dbt__cte__x` CTEs) with the
// tokenizer (sql/tokenizer.hpp), so words inside strings, comments and quoted identifiers never count.
//
// It is not a SQL grammar: it reads the parts that decide where a column comes from (WITH, the select lists, FROM and
// its joins, set operations) and skips the rest (WHERE, GROUP BY, HAVING, QUALIFY, WINDOW, ORDER BY, LIMIT, join
// conditions). Where it cannot be sure it says so in ColumnLineage::notes rather than guessing silently.
//
// The rules for the cases SQL leaves open:
//  - Sources are base relations (the tables and views named in FROM that are not CTEs), never CTE names: a column of a
//    CTE or of a subquery is followed into it. A relation is named as written, each part through identifier_value and
//    joined by '.': "airbnb"."main"."src_listings" is airbnb.main.src_listings. Names are compared ASCII
//    case-insensitively, quoted or not (DuckDB's rule; in PostgreSQL "ID" and id differ, which this does not model).
//  - `direct` means the value is a column copied unchanged, perhaps renamed, at every step down to its sources. A cast,
//    a function, CASE or arithmetic makes it computed. A column that comes through a set operation is direct when it is
//    direct in every branch.
//  - What counts as a source of a value: every column referenced in its expression, CASE conditions and function
//    arguments included (WITHIN GROUP (ORDER BY x) included). Not counted: the PARTITION BY / ORDER BY of a window
//    (OVER), an aggregate's FILTER (WHERE ...), WHERE, join conditions and GROUP BY; they choose rows, not values. So
//    row_number() OVER (...) and count(*) have no sources. Literals have none either.
//  - A subquery inside an expression (scalar, EXISTS, IN) contributes the columns of its select list, with a note; its
//    WHERE and correlation are not sources.
//  - An unqualified column is looked up in the relations of its FROM. When exactly one of them is known to have it
//    (a CTE or subquery whose select list names it, or a base relation the catalog describes), that one; when none is
//    known to have it, the relation whose columns are unknown (a base relation the catalog does not know, or a
//    `select *` of one), because a query that runs must take it from there; when several such relations remain, the
//    first in FROM order, with a note. A name not found in FROM is looked up in the enclosing queries (correlation),
//    and in DuckDB in the aliases defined earlier in the same select list; a name found nowhere gets a note.
//  - With USING (col) the merged unqualified column comes from the left side for INNER, LEFT and CROSS joins, from the
//    right side for RIGHT joins, and from both (computed) for FULL joins. `*` lists a USING column once.
//  - `*` and `t.*` are expanded through CTEs and subqueries, and through the catalog for base relations. Where the
//    columns behind a star are unknown, the result has an entry named `*` (or `t.*`) whose source is `relation.*`,
//    with the note "select * from X: the columns of that relation are not known"; a column looked up by name through
//    such a star (trace_column, or an outer query naming it) is assumed to come from that relation. DuckDB's
//    `* EXCLUDE (...)`, `* REPLACE (...)` and `* RENAME (...)` are applied to the columns that are known.
//  - UNION and INTERSECT take their column names from the first branch and merge the lineage of each position;
//    EXCEPT takes its values from its left side only. UNION BY NAME (DuckDB) merges by name. Where a branch has a star
//    the parser cannot expand, the columns after it are matched by name, with a note.
//  - A computed column without an alias is named by its expression as written (DuckDB names it by the expression,
//    though it respells it), or in PostgreSQL after the function it calls (`coalesce`), the column it casts, `case`,
//    or `?column?`.
//  - Gives up, with ErrorCode::invalid_argument naming the line:column, on: input that is not one SELECT-like
//    statement (SELECT, WITH ... SELECT, VALUES, TABLE x, DuckDB's FROM-first), unbalanced brackets, unterminated
//    literals, SELECT ... INTO, text it cannot read as a FROM item, and queries nested deeper than 200 levels. Gives a
//    note and goes on for: PIVOT/UNPIVOT and table functions (their columns come from the arguments, computed),
//    DuckDB's COLUMNS(...), column alias lists on relations whose columns are unknown, recursive CTE references, and
//    anything in an expression it cannot read.
//
// Never throws; user input never crashes it. Runs in time roughly linear in the input (a 2,000-line model takes well
// under 10 ms).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/tokenizer.hpp"
#include "util/error.hpp"

namespace cowork::sql {

struct ColumnSource {
  std::string relation;  // the base relation as written in FROM, normalised: "a"."b"."c" -> a.b.c
  std::string column;    // the column of that relation; "*" when the columns behind a star are not known

  bool operator==(const ColumnSource&) const = default;
};

struct ColumnLineage {
  std::string column;                 // the output column: its alias, or the column name it selects
  std::string expression;             // the select-list expression as written, whitespace and comments collapsed
  bool direct = false;                // a plain column reference (possibly renamed) at every step, not a computation
  std::vector<ColumnSource> sources;  // the relation columns it is computed from, deduplicated, in the order found
  std::vector<std::string> notes;     // where the analysis is incomplete or assumed something, in plain words
};

// The columns of a relation, when the caller knows them (from the manifest's catalog or the warehouse), by the
// relation's normalised name (airbnb.main.src_listings, or just raw_listings when the SQL names it so); nullopt when
// unknown. Used to expand `*` and to resolve unqualified columns. Called at most once per relation and analysis.
using ColumnCatalog = std::function<std::optional<std::vector<std::string>>(std::string_view relation)>;

// The lineage of every output column of `sql`, a single SELECT statement (a trailing `;` is fine), in select-list
// order. ErrorCode::invalid_argument for input it cannot analyse (see the rules above), naming the line:column.
Result<std::vector<ColumnLineage>> column_lineage(std::string_view sql, Dialect dialect,
                                                  const ColumnCatalog& catalog = {});

// The lineage of one output column of `sql`, matched case-insensitively (the first when several share the name). A
// name the select list does not show but a star the parser cannot expand may carry is followed through that star,
// with a note. ErrorCode::not_found when the statement has no such column, naming the columns it has.
Result<ColumnLineage> trace_column(std::string_view sql, std::string_view column, Dialect dialect,
                                   const ColumnCatalog& catalog = {});

}  // namespace cowork::sql
