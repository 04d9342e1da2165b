#include "log/topic_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>

#include "log/topic_config_meta.h"

namespace sluice::log {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kIntMin = std::numeric_limits<int32_t>::min();
constexpr int64_t kIntMax = std::numeric_limits<int32_t>::max();

// Checks beyond the value's type and numeric range, after Kafka's ConfigDef validators.
enum class Check {
  kNone,
  kCleanupPolicy,
  kCompression,
  kTimestampType,
  kFormatVersion,
  kThrottledReplicas,
  kGzipLevel,
  kRatio
};

struct Def {
  ConfigDef def;
  ConfigType type;
  std::string_view broker;  // the broker property Kafka lists as this config's synonym
  int64_t min = kMin;
  int64_t max = kMax;
  Check check = Check::kNone;
};

constexpr std::string_view kLongMax = "9223372036854775807";

// Kafka 3.x (LogConfig, ServerTopicConfigSynonyms), sorted by name as Kafka's tools list them.
const std::vector<Def>& defs() {
  using T = ConfigType;
  static const std::vector<Def> d = {
      {{"cleanup.policy", "delete", true},
       T::kList,
       "log.cleanup.policy",
       kMin,
       kMax,
       Check::kCleanupPolicy},
      {{"compression.gzip.level", "-1", false},
       T::kInt,
       "compression.gzip.level",
       kIntMin,
       kIntMax,
       Check::kGzipLevel},
      {{"compression.lz4.level", "9", false}, T::kInt, "compression.lz4.level", 1, 17},
      {{"compression.type", "producer", true},
       T::kString,
       "compression.type",
       kMin,
       kMax,
       Check::kCompression},
      {{"compression.zstd.level", "3", false}, T::kInt, "compression.zstd.level", -131072, 22},
      {{"delete.retention.ms", "86400000", true}, T::kLong, "log.cleaner.delete.retention.ms", 0},
      {{"file.delete.delay.ms", "60000", false}, T::kLong, "log.segment.delete.delay.ms", 0},
      {{"flush.messages", kLongMax, false}, T::kLong, "log.flush.interval.messages", 1},
      {{"flush.ms", kLongMax, false}, T::kLong, "log.flush.interval.ms", 0},
      {{"follower.replication.throttled.replicas", "", false},
       T::kList,
       "",
       kMin,
       kMax,
       Check::kThrottledReplicas},
      {{"index.interval.bytes", "4096", false}, T::kInt, "log.index.interval.bytes", 0, kIntMax},
      {{"leader.replication.throttled.replicas", "", false},
       T::kList,
       "",
       kMin,
       kMax,
       Check::kThrottledReplicas},
      {{"local.retention.bytes", "-2", false}, T::kLong, "log.local.retention.bytes", -2},
      {{"local.retention.ms", "-2", false}, T::kLong, "log.local.retention.ms", -2},
      {{"max.compaction.lag.ms", kLongMax, false},
       T::kLong,
       "log.cleaner.max.compaction.lag.ms",
       1},
      {{"max.message.bytes", "1048588", true}, T::kInt, "message.max.bytes", 0, kIntMax},
      {{"message.downconversion.enable", "true", false},
       T::kBoolean,
       "log.message.downconversion.enable"},
      {{"message.format.version", "3.0-IV1", false},
       T::kString,
       "log.message.format.version",
       kMin,
       kMax,
       Check::kFormatVersion},
      {{"message.timestamp.after.max.ms", kLongMax, false},
       T::kLong,
       "log.message.timestamp.after.max.ms",
       0},
      {{"message.timestamp.before.max.ms", kLongMax, false},
       T::kLong,
       "log.message.timestamp.before.max.ms",
       0},
      {{"message.timestamp.difference.max.ms", kLongMax, false},
       T::kLong,
       "log.message.timestamp.difference.max.ms",
       0},
      {{"message.timestamp.type", "CreateTime", true},
       T::kString,
       "log.message.timestamp.type",
       kMin,
       kMax,
       Check::kTimestampType},
      {{"min.cleanable.dirty.ratio", "0.5", false},
       T::kDouble,
       "log.cleaner.min.cleanable.ratio",
       kMin,
       kMax,
       Check::kRatio},
      {{"min.compaction.lag.ms", "0", true}, T::kLong, "log.cleaner.min.compaction.lag.ms", 0},
      {{"min.insync.replicas", "1", false}, T::kInt, "min.insync.replicas", 1, kIntMax},
      {{"preallocate", "false", false}, T::kBoolean, "log.preallocate"},
      {{"remote.log.copy.disable", "false", false}, T::kBoolean, ""},
      {{"remote.log.delete.on.disable", "false", false}, T::kBoolean, ""},
      {{"remote.storage.enable", "false", false}, T::kBoolean, ""},
      {{"retention.bytes", "-1", true}, T::kLong, "log.retention.bytes"},
      {{"retention.ms", "604800000", true}, T::kLong, "log.retention.ms", -1},
      // 14: a legacy record's overhead, the smallest segment that can hold anything.
      {{"segment.bytes", "1073741824", true}, T::kInt, "log.segment.bytes", 14, kIntMax},
      {{"segment.index.bytes", "10485760", false}, T::kInt, "log.index.size.max.bytes", 4, kIntMax},
      {{"segment.jitter.ms", "0", false}, T::kLong, "log.roll.jitter.ms", 0},
      {{"segment.ms", "604800000", false}, T::kLong, "log.roll.ms", 1},
      {{"unclean.leader.election.enable", "false", false},
       T::kBoolean,
       "unclean.leader.election.enable"},
  };
  return d;
}

const Def* find_def(std::string_view name) {
  const auto& d = defs();
  auto it = std::lower_bound(d.begin(), d.end(), name,
                             [](const Def& a, std::string_view n) { return a.def.name < n; });
  return it != d.end() && it->def.name == name ? &*it : nullptr;
}

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Java's Long.parseLong on the trimmed value (a leading '+' is allowed).
bool parse_long(std::string_view s, int64_t& v) {
  s = trim(s);
  if (s.size() > 1 && s[0] == '+' && s[1] != '-') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// Kafka's LIST type: comma separated, blanks around items ignored; "" is the empty list.
std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  s = trim(s);
  if (s.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    out.push_back(trim(s.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// MetadataVersion strings: "2.8", "0.10.2-IV0", "3.0-IV1".
bool format_version_ok(std::string_view s) {
  size_t dash = s.find('-');
  std::string_view ver = s.substr(0, dash);
  if (dash != std::string_view::npos) {
    std::string_view iv = s.substr(dash + 1);
    if (!iv.starts_with("IV") || !all_digits(iv.substr(2))) return false;
  }
  int parts = 0;
  for (size_t start = 0;; ++parts) {
    size_t dot = ver.find('.', start);
    if (!all_digits(ver.substr(start, dot == std::string_view::npos ? dot : dot - start)))
      return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts >= 1 && parts <= 3;
}

std::string invalid(std::string_view name, std::string_view value, std::string_view why) {
  return fmt::format("Invalid value {} for configuration {}: {}", value, name, why);
}

std::string check_special(const Def& d, std::string_view value) {
  auto name = d.def.name;
  switch (d.check) {
    case Check::kNone:
      return "";
    case Check::kCleanupPolicy:
      for (auto item : split_list(value))
        if (item != "delete" && item != "compact")
          return invalid(name, value, "String must be one of: delete, compact");
      return "";
    case Check::kCompression:
      for (std::string_view ok : {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"})
        if (value == ok) return "";
      return invalid(name, value,
                     "String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer");
    case Check::kTimestampType:
      if (value == "CreateTime" || value == "LogAppendTime") return "";
      return invalid(name, value, "String must be one of: CreateTime, LogAppendTime");
    case Check::kFormatVersion:
      if (format_version_ok(trim(value))) return "";
      return invalid(name, value, "not a valid message format version");
    case Check::kThrottledReplicas: {
      auto items = split_list(value);
      if (items.size() == 1 && items[0] == "*") return "";
      for (auto item : items) {
        size_t colon = item.find(':');
        if (colon == std::string_view::npos || !all_digits(trim(item.substr(0, colon))) ||
            !all_digits(trim(item.substr(colon + 1))))
          return invalid(name, value,
                         "must be the literal '*' or a list of replicas in the format "
                         "[partitionId]:[brokerId],[partitionId]:[brokerId],...");
      }
      return "";
    }
    case Check::kGzipLevel: {
      int64_t v = 0;
      parse_long(value, v);
      if (v == -1 || (v >= 1 && v <= 9)) return "";
      return invalid(name, value, "Value must be -1 or between 1 and 9");
    }
    case Check::kRatio: {
      std::string s(trim(value));
      char* end = nullptr;
      double v = s.empty() ? 0 : std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size())
        return invalid(name, value, "Not a number of type DOUBLE");
      if (!(v >= 0 && v <= 1)) return invalid(name, value, "Value must be between 0 and 1");
      return "";
    }
  }
  return "";
}

}  // namespace

const std::vector<ConfigDef>& topic_config_defs() {
  static const std::vector<ConfigDef> out = [] {
    std::vector<ConfigDef> v;
    for (const auto& d : defs()) v.push_back(d.def);
    return v;
  }();
  return out;
}

const ConfigDef* find_topic_config(std::string_view name) {
  const Def* d = find_def(name);
  return d ? &d->def : nullptr;
}

ConfigType topic_config_type(std::string_view name) {
  const Def* d = find_def(name);
  return d ? d->type : ConfigType::kUnknown;
}

std::string_view topic_config_broker_name(std::string_view name) {
  const Def* d = find_def(name);
  return d ? d->broker : std::string_view();
}

std::string validate_topic_config(std::string_view name, std::string_view value) {
  const Def* d = find_def(name);
  if (!d) return fmt::format("unknown topic config '{}'", name);
  switch (d->type) {
    case ConfigType::kLong:
    case ConfigType::kInt: {
      int64_t v = 0;
      bool is_int = d->type == ConfigType::kInt;
      if (!parse_long(value, v) || (is_int && (v < kIntMin || v > kIntMax)))
        return invalid(name, value,
                       is_int ? "Not a number of type INT" : "Not a number of type LONG");
      if (v < d->min) return invalid(name, value, fmt::format("Value must be at least {}", d->min));
      if (v > d->max)
        return invalid(name, value, fmt::format("Value must be no more than {}", d->max));
      break;
    }
    case ConfigType::kBoolean: {
      std::string s(trim(value));
      std::transform(s.begin(), s.end(), s.begin(), [](char c) { return char(std::tolower(c)); });
      if (s != "true" && s != "false")
        return invalid(name, value, "Expected value to be either true or false");
      break;
    }
    default:
      break;
  }
  return check_special(*d, value);
}

std::string TopicConfig::get(std::string_view name, int* source) const {
  std::string key(name);
  if (auto it = overrides_.find(key); it != overrides_.end()) {
    if (source) *source = 1;
    return it->second;
  }
  if (broker_) {
    if (auto it = broker_->find(key); it != broker_->end()) {
      if (source) *source = 4;
      return it->second;
    }
  }
  if (source) *source = 5;
  const ConfigDef* d = find_topic_config(name);
  return d ? std::string(d->default_value) : std::string();
}

int64_t TopicConfig::get_int(std::string_view name) const {
  int64_t v = 0;
  if (parse_long(get(name), v)) return v;
  // A broker default that does not parse must not turn into 0 (e.g. a 0-byte segment size).
  const ConfigDef* d = find_topic_config(name);
  if (d && parse_long(d->default_value, v)) return v;
  return 0;
}

namespace {
bool policy_has(const TopicConfig& c, std::string_view policy) {
  std::string value = c.get("cleanup.policy");
  auto items = split_list(value);
  return std::find(items.begin(), items.end(), policy) != items.end();
}
}  // namespace

bool TopicConfig::compact() const { return policy_has(*this, "compact"); }

bool TopicConfig::delete_enabled() const { return policy_has(*this, "delete"); }

}  // namespace sluice::log
