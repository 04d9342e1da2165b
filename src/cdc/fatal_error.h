// An error that retrying cannot fix (configuration, privileges, server settings, an output that
// does not match its position). The message says what to do.
#pragma once
#include <stdexcept>

namespace sluice::cdc {

class FatalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sluice::cdc
