#include "gen/fake.h"

#include <fmt/format.h>

#include <cctype>
#include <limits>

namespace sluice::gen {

namespace {

// Lower-case letters and digits only, for email local parts, user names and domains.
std::string alnum_lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days).
void civil_from_days(int64_t z, int& y, int& m, int& d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  d = int(doy - (153 * mp + 2) / 5 + 1);
  m = int(mp < 10 ? mp + 3 : mp - 9);
  y = int(yoe + era * 400 + (m <= 2 ? 1 : 0));
}

struct Civil {
  int y, m, d, hh, mm, ss;
};

Civil civil(int64_t epoch_s) {
  int64_t days = epoch_s >= 0 ? epoch_s / 86400 : (epoch_s - 86399) / 86400;
  int64_t secs = epoch_s - days * 86400;
  Civil c{};
  civil_from_days(days, c.y, c.m, c.d);
  c.hh = int(secs / 3600);
  c.mm = int(secs / 60 % 60);
  c.ss = int(secs % 60);
  return c;
}

}  // namespace

Rng::Rng(uint64_t seed, uint32_t stream) {
  // std::seed_seq's algorithm is specified by the standard, so this is portable.
  std::seed_seq seq{uint32_t(seed), uint32_t(seed >> 32), stream, 0x5eedu};
  engine_.seed(seq);
}

uint64_t Rng::below(uint64_t n) {
  if (n <= 1) return 0;
  // Rejection sampling: accept only the values below the largest multiple of n.
  uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
  for (;;) {
    uint64_t x = engine_();
    if (x < limit) return x % n;
  }
}

int64_t Rng::between(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  return lo + int64_t(below(uint64_t(hi) - uint64_t(lo) + 1));
}

double Rng::unit() { return double(engine_() >> 11) * 0x1.0p-53; }

size_t Rng::weighted(std::span<const int> weights) {
  uint64_t total = 0;
  for (int w : weights) total += uint64_t(w > 0 ? w : 0);
  if (total == 0) return 0;
  uint64_t r = below(total);
  for (size_t i = 0; i < weights.size(); ++i) {
    uint64_t w = uint64_t(weights[i] > 0 ? weights[i] : 0);
    if (r < w) return i;
    r -= w;
  }
  return weights.size() - 1;
}

std::string Fake::first_name() { return std::string(rng_.pick(words::first_names())); }
std::string Fake::last_name() { return std::string(rng_.pick(words::last_names())); }
std::string Fake::name() { return first_name() + " " + last_name(); }

std::string Fake::email(std::string_view first, std::string_view last) {
  std::string f = alnum_lower(first), l = alnum_lower(last);
  std::string local;
  switch (rng_.below(5)) {
    case 0:
      local = f + "." + l;
      break;
    case 1:
      local = f.substr(0, 1) + l;
      break;
    case 2:
      local = f + l + std::to_string(rng_.between(1, 99));
      break;
    case 3:
      local = f + "_" + l;
      break;
    default:
      local = f + std::to_string(rng_.between(1, 999));
      break;
  }
  std::string domain;
  if (rng_.chance(0.6))
    domain = std::string(rng_.pick(words::free_email_domains()));
  else
    domain = alnum_lower(rng_.pick(words::last_names())) + "." +
             std::string(rng_.pick(words::top_level_domains()));
  return local + "@" + domain;
}

std::string Fake::username(std::string_view first, std::string_view last) {
  std::string f = alnum_lower(first), l = alnum_lower(last);
  switch (rng_.below(6)) {
    case 0:
      return f.substr(0, 1) + l;
    case 1:
      return f + std::to_string(rng_.between(1, 99));
    case 2:
      return l + f;
    case 3:
      return f + "." + l;
    case 4:
      return l + std::to_string(rng_.between(1, 99));
    default:
      return f + l.substr(0, 1);
  }
}

const words::City& Fake::city() { return rng_.pick(words::cities()); }

std::string Fake::company() {
  auto last = [&] { return std::string(rng_.pick(words::last_names())); };
  switch (rng_.below(20)) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
      return last() + " " + std::string(rng_.pick(words::company_suffixes()));
    case 8:
    case 9:
    case 10:
    case 11:
    case 12:
      return last() + " " + std::string(rng_.pick(words::company_industries()));
    case 13:
    case 14:
    case 15:
    case 16: {
      std::string a = last(), b = last(), c = last();
      return a + ", " + b + " and " + c;
    }
    default: {
      std::string a = last(), b = last();
      return a + "-" + b;
    }
  }
}

std::string Fake::merchant() {
  if (rng_.chance(0.5)) return std::string(rng_.pick(words::merchants()));
  return company();
}

std::string Fake::street_address() {
  int64_t number = rng_.between(1, 9999);
  std::string street(rng_.pick(words::street_names()));
  std::string suffix(rng_.pick(words::street_suffixes()));
  return fmt::format("{} {} {}", number, street, suffix);
}

std::string Fake::job_title() { return std::string(rng_.pick(words::tech_job_titles())); }

std::string Fake::amount(int64_t min_cents, int64_t max_cents) {
  int64_t cents = rng_.between(min_cents, max_cents);
  std::string sign = cents < 0 ? "-" : "";
  if (cents < 0) cents = -cents;
  return fmt::format("{}{}.{:02}", sign, cents / 100, cents % 100);
}

std::string Fake::uuid4() {
  uint64_t hi = rng_.next(), lo = rng_.next();
  hi = (hi & ~0xf000ull) | 0x4000ull;                         // version 4
  lo = (lo & 0x3fffffffffffffffull) | 0x8000000000000000ull;  // variant 10
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff,
                     hi & 0xffff, lo >> 48, lo & 0xffffffffffffull);
}

std::string Fake::ipv4() {
  int64_t a;
  do {
    a = rng_.between(1, 223);
  } while (a == 10 || a == 127);
  return fmt::format("{}.{}.{}.{}", a, rng_.between(0, 255), rng_.between(0, 255),
                     rng_.between(1, 254));
}

std::string Fake::slug(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string Fake::timestamp(int64_t epoch_s) {
  Civil c = civil(epoch_s);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", c.y, c.m, c.d, c.hh, c.mm, c.ss);
}

std::string Fake::date(int64_t epoch_s) {
  Civil c = civil(epoch_s);
  return fmt::format("{:04}-{:02}-{:02}", c.y, c.m, c.d);
}

std::string Fake::iso_utc(int64_t epoch_s) {
  Civil c = civil(epoch_s);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.y, c.m, c.d, c.hh, c.mm, c.ss);
}

int64_t Fake::epoch(int year, int month, int day) {
  // days_from_civil, the inverse of civil_from_days.
  int64_t y = year - (month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (era * 146097 + doe - 719468) * 86400;
}

}  // namespace sluice::gen
