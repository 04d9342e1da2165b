#include "pg/connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <exception>

namespace sluice::pg {

namespace {
std::string trim_message(const char* m) {
  std::string s = m ? m : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

Result check(PGconn* conn, PGresult* r) {
  if (!r) throw Error(trim_message(PQerrorMessage(conn)));
  auto st = PQresultStatus(r);
  if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    std::string msg = trim_message(PQresultErrorMessage(r));
    std::string code = state ? state : "";
    PQclear(r);
    throw Error(msg, code);
  }
  return Result(r);
}
}  // namespace

Result::Result(PGresult* r) : r_(r) {}
Result::~Result() {
  if (r_) PQclear(r_);
}
Result::Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
int Result::rows() const { return PQntuples(r_); }
int Result::columns() const { return PQnfields(r_); }
bool Result::is_null(int row, int col) const { return PQgetisnull(r_, row, col); }
std::string_view Result::get(int row, int col) const {
  return {PQgetvalue(r_, row, col), size_t(PQgetlength(r_, row, col))};
}

Connection::Connection(const std::string& info) : conn_(PQconnectdb(info.c_str())) {
  if (!conn_) throw Error("out of memory creating a PostgreSQL connection");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = trim_message(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw Error(msg, "08001");
  }
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

Result Connection::exec(const std::string& sql) { return check(conn_, PQexec(conn_, sql.c_str())); }

Result Connection::exec_params(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  return check(conn_, PQexecParams(conn_, sql.c_str(), int(values.size()), nullptr, values.data(),
                                   nullptr, nullptr, 0));
}

uint64_t Connection::copy_out(const std::string& sql,
                              const std::function<void(std::string_view)>& on_row) {
  PGresult* start = PQexec(conn_, sql.c_str());
  if (!start || PQresultStatus(start) != PGRES_COPY_OUT) {
    check(conn_, start);  // throws for an error
    throw Error("COPY did not start a copy-out: " + sql);
  }
  PQclear(start);
  uint64_t rows = 0;
  for (;;) {
    char* buf = nullptr;
    int n = PQgetCopyData(conn_, &buf, 0);
    if (n > 0) {
      try {
        on_row(std::string_view(buf, size_t(n)));
      } catch (...) {
        PQfreemem(buf);
        throw;
      }
      PQfreemem(buf);
      ++rows;
      continue;
    }
    if (n == -2) throw Error(trim_message(PQerrorMessage(conn_)), "08006");
    break;  // -1: done; the final result says whether it succeeded
  }
  for (PGresult* r; (r = PQgetResult(conn_)) != nullptr;) check(conn_, r);
  return rows;
}

void Connection::copy_in(const std::string& sql, std::string_view data) {
  PGresult* start = PQexec(conn_, sql.c_str());
  if (!start || PQresultStatus(start) != PGRES_COPY_IN) {
    check(conn_, start);  // throws for an error
    throw Error("COPY did not start a copy-in: " + sql);
  }
  PQclear(start);
  constexpr size_t kChunk = 1 << 20;
  for (size_t at = 0; at < data.size(); at += kChunk) {
    size_t n = std::min(kChunk, data.size() - at);
    if (PQputCopyData(conn_, data.data() + at, int(n)) != 1)
      throw Error(trim_message(PQerrorMessage(conn_)), "08006");
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) throw Error(trim_message(PQerrorMessage(conn_)), "08006");
  // Drain every result so the connection is usable afterwards, then report the first error.
  std::exception_ptr failure;
  for (PGresult* r; (r = PQgetResult(conn_)) != nullptr;) {
    try {
      check(conn_, r);
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

std::string Connection::quote_literal(std::string_view s) const {
  char* q = PQescapeLiteral(conn_, s.data(), s.size());
  if (!q) throw Error(trim_message(PQerrorMessage(conn_)));
  std::string out(q);
  PQfreemem(q);
  return out;
}

std::string Connection::quote_ident(std::string_view s) const {
  char* q = PQescapeIdentifier(conn_, s.data(), s.size());
  if (!q) throw Error(trim_message(PQerrorMessage(conn_)));
  std::string out(q);
  PQfreemem(q);
  return out;
}

int Connection::server_version() const { return PQserverVersion(conn_); }
std::string Connection::error_message() const { return trim_message(PQerrorMessage(conn_)); }

std::string conninfo(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += ' ';
    out += k;
    out += "='";
    for (char c : v) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    out += '\'';
  }
  return out;
}

}  // namespace sluice::pg
