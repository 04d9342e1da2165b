// Seed 002: the `hired_employees` schema exactly as the seed's README creates it (departments and
// jobs catalogs, hired_employees referencing both ON DELETE CASCADE). Creating it fills the
// catalogs with the seed's departments.csv (ids 1-12) and jobs.csv (1-183). Changes are new
// hires as in z_hired_employees.csv ("Name Surname", an ISO hire datetime in 2021 or early
// 2022, a department and a job), transfers, job changes, name corrections and departures; the
// catalogs are left as they are.
#include <fmt/format.h>

#include "gen/dataset.h"

namespace sluice::gen {

namespace {

enum : int { kDepartments = 0, kJobs = 1, kEmployees = 2 };

std::string catalog_rows(const char* table, const char* column,
                         std::span<const std::string_view> names) {
  std::string sql = fmt::format("INSERT INTO hired_employees.{} ({}) VALUES ", table, column);
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) sql += ", ";
    sql += "(" + lit(names[i]) + ")";
  }
  return sql;
}

class HiredEmployees : public Dataset {
 public:
  HiredEmployees() {
    tables_.push_back({"hired_employees.departments", "id", true});
    tables_.push_back({"hired_employees.jobs", "id", true});
    tables_.push_back({"hired_employees.hired_employees", "id", true});
  }

  std::string schema_ddl() const override { return "CREATE SCHEMA IF NOT EXISTS hired_employees"; }

  std::vector<TableDdl> ddl() const override {
    return {
        {"hired_employees.departments",
         "create table hired_employees.departments (id serial constraint departments_pk primary "
         "key, departments text not null)",
         catalog_rows("departments", "departments", words::departments())},
        {"hired_employees.jobs",
         "create table hired_employees.jobs (id serial constraint jobs_pk primary key, job text "
         "not null)",
         catalog_rows("jobs", "job", words::jobs())},
        {"hired_employees.hired_employees",
         "create table hired_employees.hired_employees (id serial constraint hired_employees_pk "
         "primary key, employee_name text, hired_date text, department_id int constraint "
         "hired_employees_departments_id_fk references hired_employees.departments on delete "
         "cascade, job_id int constraint hired_employees_jobs_id_fk references "
         "hired_employees.jobs on delete cascade)",
         ""},
    };
  }

  void load(pg::Connection& conn) override {
    for (int t : {kDepartments, kJobs, kEmployees}) {
      auto r = load_rows(conn, t);
      for (int i = 0; i < r.rows(); ++i) tables_[size_t(t)].add_row(std::stoll(r.str(i, 0)));
      if (t == kEmployees)
        for (uint32_t h = 0; h < tables_[size_t(t)].ids.size(); ++h) employees_.add(h);
      else if (r.rows() == 0)
        throw std::runtime_error(fmt::format(
            "{} is empty: create the dataset with --create (it fills seed 002's departments and "
            "jobs) or load departments.csv and jobs.csv first",
            tables_[size_t(t)].name));
    }
  }

  Change plan(Op op, Rng& rng) override {
    Change c;
    c.table = kEmployees;
    c.op = op != Op::insert && employees_.empty() ? Op::insert : op;
    if (c.op == Op::insert) {
      c.row = tables_[kEmployees].add_row();
      employees_.add(c.row);
    } else {
      c.row = employees_.pick(rng);
      if (c.op == Op::remove) employees_.remove(c.row);
    }
    return c;
  }

  Statement render(const Change& c, Fake& fake) override {
    int64_t key = id(kEmployees, c.row);
    if (c.op == Op::remove)
      return statement(
          fmt::format("DELETE FROM hired_employees.hired_employees WHERE id = {}", key));
    if (c.op == Op::update) {
      std::string set;
      switch (fake.rng().below(5)) {
        case 0:
        case 1:
          set = fmt::format("department_id = {}", catalog_id(kDepartments, fake));
          break;
        case 2:
        case 3:
          set = fmt::format("job_id = {}", catalog_id(kJobs, fake));
          break;
        default:
          set = "employee_name = " + lit(fake.name());
          break;
      }
      return statement(
          fmt::format("UPDATE hired_employees.hired_employees SET {} WHERE id = {}", set, key));
    }
    std::string name = fake.name();
    // Like the seed's CSV: mostly 2021 (the metrics' year), some in the first months of 2022.
    int64_t from = Fake::epoch(2021, 1, 1);
    int64_t to = fake.rng().chance(0.85) ? Fake::epoch(2022, 1, 1) : Fake::epoch(2022, 4, 1);
    if (to > Fake::epoch(2022, 1, 1)) from = Fake::epoch(2022, 1, 1);
    std::string hired = Fake::iso_utc(fake.rng().between(from, to - 1));
    int64_t department = catalog_id(kDepartments, fake);
    int64_t job = catalog_id(kJobs, fake);
    return insert_row(
        "hired_employees.hired_employees", "id, employee_name, hired_date, department_id, job_id",
        {std::to_string(key), name, hired, std::to_string(department), std::to_string(job)});
  }

 private:
  int64_t catalog_id(int t, Fake& fake) const {
    const auto& ids = tables_[size_t(t)].ids;
    return ids[fake.rng().below(ids.size())];
  }

  HandleSet employees_;
};

}  // namespace

std::unique_ptr<Dataset> make_hired_employees() { return std::make_unique<HiredEmployees>(); }

}  // namespace sluice::gen
