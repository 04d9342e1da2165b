#include "kafka/group/group_state.h"

#include <algorithm>

namespace sluice::kafka::group {

std::string_view state_name(GroupState s) {
  switch (s) {
    case GroupState::Empty:
      return "Empty";
    case GroupState::PreparingRebalance:
      return "PreparingRebalance";
    case GroupState::CompletingRebalance:
      return "CompletingRebalance";
    case GroupState::Stable:
      return "Stable";
    case GroupState::Dead:
      return "Dead";
  }
  return "Dead";
}

const std::string* Member::metadata_for(std::string_view protocol) const {
  for (auto& p : protocols)
    if (p.name == protocol) return &p.metadata;
  return nullptr;
}

bool Member::same_protocols(const std::vector<Protocol>& other) const {
  if (other.size() != protocols.size()) return false;
  for (size_t i = 0; i < other.size(); ++i)
    if (other[i].name != protocols[i].name || other[i].metadata != protocols[i].metadata)
      return false;
  return true;
}

bool Group::all_joined() const {
  if (!pending_members.empty()) return false;
  for (auto& [id, m] : members)
    if (!m.pending_join) return false;
  return true;
}

int32_t Group::rebalance_timeout_ms() const {
  int32_t t = 0;
  for (auto& [id, m] : members) t = std::max(t, m.rebalance_timeout_ms);
  return t;
}

std::set<std::string> Group::candidate_protocols() const {
  std::set<std::string> out;
  bool first = true;
  for (auto& [id, m] : members) {
    std::set<std::string> mine;
    for (auto& p : m.protocols)
      if (first || out.count(p.name)) mine.insert(p.name);
    out = std::move(mine);
    first = false;
  }
  return out;
}

bool Group::supports(std::string_view type, const std::vector<Protocol>& protocols) const {
  if (members.empty()) return !type.empty() && !protocols.empty();
  if (type != protocol_type) return false;
  auto candidates = candidate_protocols();
  for (auto& p : protocols)
    if (candidates.count(p.name)) return true;
  return false;
}

std::string Group::select_protocol() const {
  auto candidates = candidate_protocols();
  std::map<std::string, int> votes;
  for (auto& [id, m] : members)
    for (auto& p : m.protocols)
      if (candidates.count(p.name)) {
        ++votes[p.name];
        break;
      }
  std::string best;
  int most = 0;
  // Ties go to the oldest member's preference, so the choice is stable across rebalances.
  if (!join_order.empty())
    if (auto it = members.find(join_order.front()); it != members.end())
      for (auto& p : it->second.protocols)
        if (votes.count(p.name) && votes[p.name] > most) best = p.name, most = votes[p.name];
  for (auto& [name, n] : votes)
    if (n > most) best = name, most = n;
  return best;
}

}  // namespace sluice::kafka::group
