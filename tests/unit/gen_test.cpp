// The fake-data generator's building blocks: the seeded faker (repeatable, well-formed values),
// its random number helpers and the built-in word lists.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "gen/dataset.h"
#include "gen/fake.h"
#include "gen/word_lists.h"

namespace sluice::gen {
namespace {

std::vector<std::string> draw(uint64_t seed) {
  Fake f(seed);
  std::vector<std::string> out;
  for (int i = 0; i < 50; ++i) {
    std::string first = f.first_name(), last = f.last_name();
    out.push_back(first + " " + last);
    out.push_back(f.email(first, last));
    out.push_back(f.username(first, last));
    out.push_back(f.uuid4());
    out.push_back(f.ipv4());
    out.push_back(f.amount(1000, 100000));
    out.push_back(std::string(f.city().name));
    out.push_back(f.company());
    out.push_back(f.street_address());
  }
  return out;
}

TEST(GenerateFake, SameSeedSameValuesOtherSeedOtherValues) {
  EXPECT_EQ(draw(7), draw(7));
  EXPECT_NE(draw(7), draw(8));
  // Streams of one seed are independent sequences.
  EXPECT_NE(Fake(7, 1).uuid4(), Fake(7, 2).uuid4());
}

TEST(GenerateFake, ValuesArePortable) {
  // mt19937_64 and the distributions written out in fake.cpp are the same everywhere; these
  // values must not change between builds, or --seed stops meaning the same rows.
  Rng r(1);
  std::vector<uint64_t> got;
  for (int i = 0; i < 5; ++i) got.push_back(r.below(1000));
  EXPECT_EQ(got, (std::vector<uint64_t>{173, 239, 513, 397, 787}));
  EXPECT_EQ(Fake(1).uuid4(), "3d440e81-452a-4e25-9d32-507c1eed23e7");
}

TEST(GenerateFake, FormatsLookRight) {
  Fake f(3);
  std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::regex amount("^[0-9]+\\.[0-9]{2}$");
  std::regex email("^[a-z0-9._]+@[a-z0-9]+(\\.[a-z]+)+$");
  std::regex user("^[a-z0-9.]+$");
  for (int i = 0; i < 500; ++i) {
    EXPECT_TRUE(std::regex_match(f.uuid4(), uuid));
    std::string a = f.amount(1000, 100000);
    EXPECT_TRUE(std::regex_match(a, amount)) << a;
    EXPECT_GE(std::stod(a), 10.0);
    EXPECT_LE(std::stod(a), 1000.0);
    std::string first = f.first_name(), last = f.last_name();
    std::string e = f.email(first, last);
    EXPECT_TRUE(std::regex_match(e, email)) << e;
    std::string u = f.username(first, last);
    EXPECT_TRUE(std::regex_match(u, user)) << u;
    std::string ip = f.ipv4();
    int o[4];
    ASSERT_EQ(std::sscanf(ip.c_str(), "%d.%d.%d.%d", &o[0], &o[1], &o[2], &o[3]), 4) << ip;
    EXPECT_TRUE(o[0] >= 1 && o[0] <= 223 && o[0] != 10 && o[0] != 127) << ip;
    for (int k = 1; k < 4; ++k) EXPECT_TRUE(o[k] >= 0 && o[k] <= 255) << ip;
    EXPECT_FALSE(f.company().empty());
  }
  EXPECT_EQ(Fake::slug("Senior Data Engineer, Reed & Gray LLC"),
            "senior-data-engineer-reed-gray-llc");
}

TEST(GenerateFake, CalendarIsUtcAndExact) {
  EXPECT_EQ(Fake::timestamp(0), "1970-01-01 00:00:00");
  EXPECT_EQ(Fake::timestamp(1704067200), "2024-01-01 00:00:00");
  EXPECT_EQ(Fake::iso_utc(1704067200 + 3600 + 61), "2024-01-01T01:01:01Z");
  EXPECT_EQ(Fake::epoch(2000, 2, 29), 951782400);
  EXPECT_EQ(Fake::date(951782400 + 86399), "2000-02-29");
  EXPECT_EQ(Fake::date(951782400 + 86400), "2000-03-01");
  EXPECT_EQ(Fake::timestamp(-1), "1969-12-31 23:59:59");
  for (int64_t day = -800; day < 40000; day += 7) {
    std::string d = Fake::date(day * 86400);
    int y, m, dd;
    ASSERT_EQ(std::sscanf(d.c_str(), "%d-%d-%d", &y, &m, &dd), 3);
    EXPECT_EQ(Fake::epoch(y, m, dd), day * 86400) << d;
  }
}

TEST(GenerateFake, RngHelpers) {
  Rng r(11);
  std::set<int64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    int64_t v = r.between(-3, 3);
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 3);
    seen.insert(v);
    double u = r.unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
  EXPECT_EQ(seen.size(), 7u);
  const int weights[] = {0, 5, 0, 1};
  int hits[4] = {};
  for (int i = 0; i < 6000; ++i) ++hits[r.weighted(weights)];
  EXPECT_EQ(hits[0], 0);
  EXPECT_EQ(hits[2], 0);
  EXPECT_GT(hits[1], 4 * hits[3]);
  EXPECT_GT(hits[3], 0);
}

TEST(GenerateFake, HandleSetPicksOnlyLiveRowsRepeatably) {
  auto run = [] {
    HandleSet s;
    Rng r(5);
    for (uint32_t h = 0; h < 100; ++h) s.add(h);
    for (uint32_t h = 0; h < 100; h += 3) s.remove(h);
    std::vector<uint32_t> picks;
    for (int i = 0; i < 200; ++i) {
      uint32_t h = s.pick(r);
      EXPECT_NE(h % 3, 0u);
      EXPECT_TRUE(s.contains(h));
      picks.push_back(h);
    }
    return picks;
  };
  EXPECT_EQ(run(), run());
  HandleSet s;
  s.add(4);
  s.remove(4);
  EXPECT_TRUE(s.empty());
  EXPECT_FALSE(s.contains(4));
}

TEST(GenerateFake, SqlAndArrayText) {
  EXPECT_EQ(lit("O'Brien"), "'O''Brien'");
  EXPECT_EQ(lit("a\\b"), "E'a\\\\b'");
  EXPECT_EQ(array_value({"C++", "Node.js", "say \"hi\""}),
            "{\"C++\",\"Node.js\",\"say \\\"hi\\\"\"}");
  EXPECT_EQ(text_array({"Go", "SQL"}), "ARRAY['Go','SQL']::text[]");
}

bool ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

TEST(GenerateWords, ListsAreTheSeedsAndFitTheColumns) {
  ASSERT_EQ(words::departments().size(), 12u);  // seed 002's departments.csv
  EXPECT_EQ(words::departments()[0], "Product Management");
  EXPECT_EQ(words::departments()[11], "Accounting");
  ASSERT_EQ(words::jobs().size(), 183u);  // seed 002's jobs.csv
  EXPECT_EQ(words::jobs()[0], "Marketing Assistant");
  EXPECT_EQ(words::jobs()[182], "Administrative Assistant IV");
  ASSERT_EQ(words::survey_questions().size(), 9u);  // seed 004's generator
  EXPECT_EQ(words::survey_questions()[6].answers.size(), 3u);
  EXPECT_EQ(words::generations().size(), 5u);
  for (auto t : words::tech_job_titles()) EXPECT_LE(t.size(), 50u) << t;  // prefered_post
  for (const auto& c : words::cities()) {
    EXPECT_LE(c.name.size(), 50u) << c.name;  // raw.candidate.location
    EXPECT_TRUE(ascii(c.name) && ascii(c.country)) << c.name;
  }
  for (auto n : words::first_names()) EXPECT_TRUE(ascii(n)) << n;
  for (auto n : words::last_names()) EXPECT_TRUE(ascii(n)) << n;
  std::set<std::string_view> cities;
  for (const auto& c : words::cities()) EXPECT_TRUE(cities.insert(c.name).second) << c.name;
  for (const auto& p : words::products()) EXPECT_LE(p.min_grams, p.max_grams) << p.name;
}

}  // namespace
}  // namespace sluice::gen
