// A broker over a throwaway TopicStore, for driving the admin APIs' body functions directly.
#pragma once
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "kafka/server/admin_apis.h"
#include "log/topic_store.h"

namespace sluice::kafka {

class AdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-admin-XXXXXX";
    dir = mkdtemp(tmpl);
    log::TopicStoreOptions o;
    o.dir = dir;
    o.default_partitions = 3;
    o.broker_defaults = {{"retention.ms", "3600000"}};
    store = std::make_unique<log::TopicStore>(o);
    broker.topics = store.get();
    broker.config.default_partitions = 3;
  }
  void TearDown() override {
    store.reset();
    std::filesystem::remove_all(dir);
  }

  using BodyFn = std::string (*)(const RequestHeader&, Reader&, Broker&);
  // Runs one API on an encoded request body; checks the whole request was read.
  std::string call(BodyFn fn, int16_t version, const std::string& request) {
    RequestHeader h;
    h.api_version = version;
    Reader in(request);
    std::string out = fn(h, in, broker);
    EXPECT_EQ(in.remaining(), 0u) << "request not fully read";
    return out;
  }

  std::string dir;
  std::unique_ptr<log::TopicStore> store;
  Broker broker;
};

}  // namespace sluice::kafka
