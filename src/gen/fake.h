// A seeded faker: names, emails, places, companies, amounts, timestamps, UUIDs, IP addresses.
// Everything is drawn from std::mt19937_64 with distributions written out here (the standard
// library's distributions differ between implementations), so a seed gives the same values on
// every platform.
#pragma once
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>

#include "gen/word_lists.h"

namespace sluice::gen {

class Rng {
 public:
  // stream separates independent sequences drawn from one seed.
  explicit Rng(uint64_t seed, uint32_t stream = 0);

  uint64_t next() { return engine_(); }
  // Uniform in [0, n); n > 0.
  uint64_t below(uint64_t n);
  // Uniform in [lo, hi].
  int64_t between(int64_t lo, int64_t hi);
  // Uniform in [0, 1).
  double unit();
  bool chance(double p) { return unit() < p; }
  // Index drawn with the given non-negative weights (at least one positive).
  size_t weighted(std::span<const int> weights);

  template <typename T>
  const T& pick(std::span<const T> items) {
    return items[below(items.size())];
  }

 private:
  std::mt19937_64 engine_;
};

class Fake {
 public:
  explicit Fake(uint64_t seed, uint32_t stream = 0) : rng_(seed, stream) {}
  Rng& rng() { return rng_; }

  std::string first_name();
  std::string last_name();
  std::string name();  // "First Last"
  // An address for this person: "first.last@gmail.com", "flast42@walker.com", …
  std::string email(std::string_view first, std::string_view last);
  // A user name as Faker's simple_profile gives: "jsmith", "mary45", "lopezjohn", …
  std::string username(std::string_view first, std::string_view last);
  const words::City& city();
  std::string company();         // "Walker LLC", "Reed, Gray and Soto", "Hill Logistics", …
  std::string merchant();        // a shop or a company
  std::string street_address();  // "1420 Maple Avenue"
  std::string job_title();       // a tech job title (at most 50 characters)
  // A decimal amount with two fraction digits, uniform in [min_cents, max_cents] cents.
  std::string amount(int64_t min_cents, int64_t max_cents);
  std::string uuid4();
  std::string ipv4();
  // A slug of a title for URLs: "senior-data-engineer".
  static std::string slug(std::string_view text);

  // Formats seconds since the Unix epoch (UTC), independent of the local time zone.
  static std::string timestamp(int64_t epoch_s);  // "2024-01-01 08:30:00"
  static std::string date(int64_t epoch_s);       // "2024-01-01"
  static std::string iso_utc(int64_t epoch_s);    // "2024-01-01T08:30:00Z"
  // Seconds since the epoch of a UTC calendar date.
  static int64_t epoch(int year, int month, int day);

 private:
  Rng rng_;
};

}  // namespace sluice::gen
