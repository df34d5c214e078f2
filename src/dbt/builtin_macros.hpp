// Jinja sources of the macros every project gets for free (see the .cpp): dbt's generic tests and
// get_where_subquery (namespace "dbt"), and the dbt_utils tests (namespace "dbt_utils"). The native compiler loads
// them before the project's own macros, which may override them.
#pragma once

#include <string_view>

namespace cowork::dbt {

std::string_view builtin_dbt_macros();
std::string_view builtin_dbt_utils_macros();

}  // namespace cowork::dbt
