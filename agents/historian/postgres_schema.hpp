// The PostgreSQL back end's tables and statements: made ready on every new
// connection, and the data table's partitions as the catalog lists them.
#pragma once

#include "postgres_partitions.hpp"

#include <pqxx/pqxx>

#include <string>
#include <utility>
#include <vector>

namespace watt::historian::postgres {

// Creates the tables when missing and prepares the statements the back end
// runs: insert, raw_asc, raw_desc, topic, topics_add, topics_get and
// topic_meta (their parameters are in postgres_schema.cpp). Returns the
// partitions that exist.
Partitions set_up(pqxx::connection& c);

// Each partition of the data table, by its quoted name (ready to paste into
// SQL), with its bounds; partitions of a shape we never create are left out.
std::vector<std::pair<std::string, Range>> list_partitions(pqxx::transaction_base& w);

Partitions by_start(const std::vector<std::pair<std::string, Range>>& list);

}  // namespace watt::historian::postgres
