#include "core/regex_list.h"

#include <regex>
#include <stdexcept>
#include <vector>

namespace sluice {

struct RegexList::Impl {
  std::vector<std::regex> patterns;
};

RegexList::RegexList() : impl_(std::make_unique<Impl>()) {}
RegexList::~RegexList() = default;
RegexList::RegexList(RegexList&&) noexcept = default;
RegexList& RegexList::operator=(RegexList&&) noexcept = default;

RegexList RegexList::parse(std::string_view text) {
  RegexList list;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string item(text.substr(start, comma - start));
    size_t b = item.find_first_not_of(" \t");
    size_t e = item.find_last_not_of(" \t");
    if (b != std::string::npos) {
      item = item.substr(b, e - b + 1);
      try {
        list.impl_->patterns.emplace_back(item, std::regex::ECMAScript | std::regex::optimize);
      } catch (const std::regex_error&) {
        throw std::invalid_argument("invalid regular expression '" + item + "'");
      }
    }
    start = comma + 1;
  }
  return list;
}

bool RegexList::empty() const { return impl_->patterns.empty(); }

bool RegexList::matches(const std::string& identifier) const {
  for (const auto& re : impl_->patterns)
    if (std::regex_match(identifier, re)) return true;
  return false;
}

}  // namespace sluice
