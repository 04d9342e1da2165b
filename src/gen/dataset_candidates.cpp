// Seed 000: HiredCorp's two streamed account types in the `raw` schema, as
// src/raw/create_raw_candidate.sql and create_raw_hiredcorp.sql define them. Candidates follow
// the seed's extractor (age 18-65, M/F/X, 0-47 years of experience, a job title, technologies
// from its five, a job type, a city, availability, a minimum salary of 10,000-250,000, source
// 'HiredCorp'); hiredcorp rows are job postings from HiredCorp, DevITjobs and Jobicy. Updates
// include the seed's `SET age = …`; neither table is referenced, so any row may be deleted.
#include <fmt/format.h>

#include <algorithm>

#include "gen/dataset.h"

namespace sluice::gen {

namespace {

enum : int { kCandidate = 0, kHiredcorp = 1 };

constexpr int64_t kDay = 86400;

// n distinct items of the list, in the list's order.
std::vector<std::string> distinct(Fake& fake, std::span<const std::string_view> list, size_t n) {
  std::vector<size_t> idx(list.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  n = std::min(n, idx.size());
  for (size_t i = 0; i < n; ++i) std::swap(idx[i], idx[i + fake.rng().below(idx.size() - i)]);
  std::sort(idx.begin(), idx.begin() + long(n));
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.emplace_back(list[idx[i]]);
  return out;
}

class Candidates : public Dataset {
 public:
  Candidates() {
    tables_.push_back({"raw.candidate", "candidate_id", true});
    tables_.push_back({"raw.hiredcorp", "job_id", true});
  }

  std::string schema_ddl() const override { return "CREATE SCHEMA IF NOT EXISTS raw"; }

  std::vector<TableDdl> ddl() const override {
    return {
        {"raw.candidate",
         "CREATE TABLE IF NOT EXISTS raw.candidate (candidate_id SERIAL PRIMARY KEY, first_name "
         "VARCHAR(50), last_name VARCHAR(50), age INT, gender VARCHAR(50), experience INT, "
         "prefered_post VARCHAR(50), technologies TEXT[], job_type VARCHAR(50), location "
         "VARCHAR(50), is_available BOOLEAN, available_from TIMESTAMP, min_salary INT, "
         "created_at TIMESTAMP, source VARCHAR(25), ingested_ts TIMESTAMP)",
         ""},
        {"raw.hiredcorp",
         "CREATE TABLE IF NOT EXISTS raw.hiredcorp (job_id SERIAL PRIMARY KEY, source "
         "VARCHAR(25), company_name VARCHAR(255), job_title VARCHAR(255), job_url VARCHAR(500), "
         "address VARCHAR(255), job_type TEXT[], min_salary INT, skills TEXT[], posted_at "
         "TIMESTAMP, ingested_ts TIMESTAMP)",
         ""},
    };
  }

  void load(pg::Connection& conn) override {
    for (int t : {kCandidate, kHiredcorp}) {
      auto r = load_rows(conn, t);
      for (int i = 0; i < r.rows(); ++i)
        live_[t].add(tables_[size_t(t)].add_row(std::stoll(r.str(i, 0))));
    }
    start_clock(conn,
                "SELECT extract(epoch FROM greatest((SELECT max(ingested_ts) FROM raw.candidate), "
                "(SELECT max(ingested_ts) FROM raw.hiredcorp)))::bigint");
  }

  Change plan(Op op, Rng& rng) override {
    static constexpr int kWeights[] = {60, 40};
    Change c;
    c.op = op;
    int t = int(rng.weighted(kWeights));
    if (op != Op::insert) {
      if (live_[t].empty()) t = 1 - t;
      if (live_[t].empty()) op = c.op = Op::insert;
    }
    c.table = t;
    if (op == Op::insert) {
      c.row = tables_[size_t(t)].add_row();
      live_[t].add(c.row);
    } else {
      c.row = live_[t].pick(rng);
      if (op == Op::remove) live_[t].remove(c.row);
    }
    return c;
  }

  Statement render(const Change& c, Fake& fake) override {
    int64_t key = id(c.table, c.row);
    const char* table = c.table == kCandidate ? "raw.candidate" : "raw.hiredcorp";
    const char* key_column = c.table == kCandidate ? "candidate_id" : "job_id";
    if (c.op == Op::remove)
      return statement(fmt::format("DELETE FROM {} WHERE {} = {}", table, key_column, key));
    if (c.op == Op::insert)
      return c.table == kCandidate ? candidate_insert(key, fake) : hiredcorp_insert(key, fake);
    std::string set = c.table == kCandidate ? candidate_update(fake) : hiredcorp_update(fake);
    return statement(fmt::format("UPDATE {} SET {} WHERE {} = {}", table, set, key_column, key));
  }

 private:
  Statement candidate_insert(int64_t key, Fake& fake) {
    static constexpr int kGender[] = {493, 493, 14};  // Faker's passport_gender weights
    static constexpr const char* kGenders[] = {"M", "F", "X"};
    std::string first = fake.first_name(), last = fake.last_name();
    int64_t age = fake.rng().between(18, 65);
    const char* gender = kGenders[fake.rng().weighted(kGender)];
    int64_t experience = fake.rng().between(0, std::min<int64_t>(47, age - 18));
    std::string post = fake.job_title();
    auto techs = distinct(fake, words::candidate_technologies(), size_t(fake.rng().between(1, 3)));
    auto job_type = fake.rng().pick(words::job_types());
    const auto& city = fake.city();
    bool available = fake.rng().chance(0.7);
    int64_t created = tick(fake, 5, 600);
    int64_t available_from = created + fake.rng().between(0, 90) * kDay;
    int64_t salary = fake.rng().between(20, 500) * 500;
    int64_t ingested = created + fake.rng().between(1, 5);
    return insert_row(
        "raw.candidate",
        "candidate_id, first_name, last_name, age, gender, experience, prefered_post, "
        "technologies, job_type, location, is_available, available_from, min_salary, created_at, "
        "source, ingested_ts",
        {std::to_string(key), first, last, std::to_string(age), gender, std::to_string(experience),
         post, array_value(techs), std::string(job_type), std::string(city.name),
         available ? "t" : "f", Fake::timestamp(available_from), std::to_string(salary),
         Fake::timestamp(created), "HiredCorp", Fake::timestamp(ingested)});
  }

  std::string candidate_update(Fake& fake) {
    int64_t now = tick(fake, 5, 600);
    switch (fake.rng().below(20)) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
      case 5:
      case 6:
      case 7:  // a birthday, as the seed's `SET age = 25`
        return "age = age + 1";
      case 8:
      case 9:
      case 10:
      case 11:
      case 12:
        return fmt::format("min_salary = {}", fake.rng().between(20, 500) * 500);
      case 13:
      case 14:
      case 15:
      case 16:
        return fmt::format("is_available = NOT is_available, available_from = {}",
                           lit(Fake::timestamp(now + fake.rng().between(0, 60) * kDay)));
      default:
        return fmt::format("prefered_post = {}, experience = experience + 1",
                           lit(fake.job_title()));
    }
  }

  Statement hiredcorp_insert(int64_t key, Fake& fake) {
    static constexpr int kSourceWeights[] = {60, 25, 15};
    static constexpr const char* kSources[] = {"HiredCorp", "DevITjobs", "Jobicy"};
    size_t s = fake.rng().weighted(kSourceWeights);
    std::string company = fake.company();
    std::string title = fake.job_title();
    std::string slug = Fake::slug(title + " " + company);
    std::string url = s == 0   ? fmt::format("https://hiredcorp.com/jobs/{}-{}", key, slug)
                      : s == 1 ? fmt::format("https://devitjobs.com/jobs/{}-{}", slug, key)
                               : fmt::format("https://jobicy.com/jobs/{}-{}", key, slug);
    const auto& city = fake.city();
    std::string address = fmt::format("{}, {}, {}", fake.street_address(), city.name, city.country);
    auto types = job_types(fake);
    int64_t salary = fake.rng().between(40, 400) * 500;
    auto skills = distinct(fake, words::technologies(), size_t(fake.rng().between(2, 5)));
    int64_t ingested = tick(fake, 5, 600);
    int64_t posted = ingested - fake.rng().between(60, 3 * kDay);
    return insert_row("raw.hiredcorp",
                      "job_id, source, company_name, job_title, job_url, address, job_type, "
                      "min_salary, skills, posted_at, ingested_ts",
                      {std::to_string(key), kSources[s], company, title, url, address,
                       array_value(types), std::to_string(salary), array_value(skills),
                       Fake::timestamp(posted), Fake::timestamp(ingested)});
  }

  std::string hiredcorp_update(Fake& fake) {
    tick(fake, 5, 600);
    switch (fake.rng().below(10)) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
        return fmt::format("min_salary = {}", fake.rng().between(40, 400) * 500);
      case 5:
      case 6:
      case 7:
        return "skills = " +
               text_array(distinct(fake, words::technologies(), size_t(fake.rng().between(2, 5))));
      default:
        return "job_type = " + text_array(job_types(fake));
    }
  }

  static std::vector<std::string> job_types(Fake& fake) {
    std::vector<std::string> types{std::string(fake.rng().pick(words::job_types()))};
    if (types[0] == "Full-time" && fake.rng().chance(0.2)) types.emplace_back("Contract");
    return types;
  }

  HandleSet live_[2];
};

}  // namespace

std::unique_ptr<Dataset> make_candidates() { return std::make_unique<Candidates>(); }

}  // namespace sluice::gen
