// Debezium's include/exclude lists: comma-separated regular expressions, each matched against
// the whole identifier (anchored), as Debezium matches them.
#pragma once
#include <memory>
#include <string>
#include <string_view>

namespace sluice {

class RegexList {
 public:
  RegexList();
  ~RegexList();
  RegexList(RegexList&&) noexcept;
  RegexList& operator=(RegexList&&) noexcept;

  // Throws std::invalid_argument naming the bad pattern.
  static RegexList parse(std::string_view comma_separated);
  bool empty() const;
  bool matches(const std::string& identifier) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
