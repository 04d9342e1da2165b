#include "cdc/file_sink.h"

#include <fmt/format.h>

#include "cdc/fatal_error.h"
#include "core/log.h"

namespace sluice::cdc {

FileSink::FileSink(const std::string& path) : out_(path) {
  if (out_.is_file()) store_ = std::make_unique<PositionStore>(path + ".pos");
}

std::string FileSink::describe() const {
  return out_.is_file() ? "output file " + out_.path() : "standard output";
}

std::optional<Position> FileSink::recover() {
  if (!store_) return std::nullopt;
  auto saved = store_->load();
  if (!saved) {
    if (out_.written() > 0)
      throw FatalError(fmt::format(
          "{} already holds data but has no position file ({}.pos); choose a new output file",
          out_.path(), out_.path()));
    // The output is ours from here on: a crash before the first real position (in a snapshot)
    // cuts back to this empty start.
    store_->save(Position{});
    return std::nullopt;
  }
  if (out_.written() < saved->output_size)
    throw FatalError(fmt::format(
        "{} is shorter ({} bytes) than its position file says ({} bytes): it was changed "
        "outside sluice; move both away to start afresh",
        out_.path(), out_.written(), saved->output_size));
  if (out_.written() > saved->output_size) {
    log::info("capture",
              "cutting {} unconfirmed bytes from {} (written after the last durable position; "
              "PostgreSQL sends them again)",
              out_.written() - saved->output_size, out_.path());
    out_.truncate(saved->output_size);
  }
  return saved;
}

bool FileSink::save(Position& pos) {
  pos.output_size = out_.written();
  if (store_) store_->save(pos);
  return true;
}

}  // namespace sluice::cdc
