// A libpq connection with RAII and the few helpers sluice needs (simple queries, quoting).
#pragma once
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace sluice::pg {

// A PostgreSQL error: message plus the SQLSTATE when the server sent one.
class Error : public std::runtime_error {
 public:
  Error(const std::string& message, std::string sqlstate = {})
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// A query result as rows of optional strings (text format).
class Result {
 public:
  explicit Result(pg_result* r);
  ~Result();
  Result(Result&& o) noexcept;
  Result& operator=(Result&&) = delete;
  int rows() const;
  int columns() const;
  bool is_null(int row, int col) const;
  std::string_view get(int row, int col) const;
  std::string str(int row, int col) const { return std::string(get(row, col)); }

 private:
  pg_result* r_;
};

class Connection {
 public:
  // conninfo is a libpq connection string; throws Error on failure.
  explicit Connection(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  pg_conn* raw() const { return conn_; }
  // Runs one or more statements (simple protocol); throws Error with SQLSTATE on failure.
  Result exec(const std::string& sql);
  // Runs a parameterized statement (extended protocol; not on replication connections).
  Result exec_params(const std::string& sql, const std::vector<std::string>& params);
  // Runs COPY ... TO STDOUT and calls on_row with each row's bytes (text format: one line,
  // newline included). Returns the number of rows.
  uint64_t copy_out(const std::string& sql, const std::function<void(std::string_view)>& on_row);
  // Runs COPY ... FROM STDIN with data (text format rows, each ending in a newline); throws Error
  // on failure.
  void copy_in(const std::string& sql, std::string_view data);
  std::string quote_literal(std::string_view s) const;
  std::string quote_ident(std::string_view s) const;
  int server_version() const;
  std::string error_message() const;

 private:
  pg_conn* conn_;
};

// Builds a libpq conninfo string from key/value pairs, quoting values as libpq requires.
std::string conninfo(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace sluice::pg
