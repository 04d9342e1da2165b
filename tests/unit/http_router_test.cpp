// The router's matching (literal and "{}" segments, encoded names, 404 and 405 bodies, a
// handler's exception as a 500) and the URL decoding the HTTP listener applies.
#include <gtest/gtest.h>

#include <stdexcept>

#include "http/router.h"

namespace sluice::http {
namespace {

Request get(std::string method, std::string target) {
  Request r;
  r.method = std::move(method);
  r.target = target;
  r.path = url_decode(target.substr(0, target.find('?')));
  return r;
}

TEST(HttpRouter, MatchesSegmentsAndPassesDecodedParams) {
  Router r;
  r.add("GET", "/connectors", [](const Request&, const Params&) { return json_body(200, "list"); });
  r.add("GET", "/connectors/{}/status",
        [](const Request&, const Params& p) { return json_body(200, "status:" + p[0]); });
  r.add("GET", "/connectors/{}/tasks/{}/status",
        [](const Request&, const Params& p) { return json_body(200, p[0] + "/" + p[1]); });
  EXPECT_EQ(r.handle(get("GET", "/connectors")).body, "list");
  EXPECT_EQ(r.handle(get("GET", "/connectors/")).body, "list");  // Debezium's tutorials add '/'
  EXPECT_EQ(r.handle(get("GET", "/connectors/a%20b/status")).body, "status:a b");
  // An encoded '/' stays inside its segment.
  EXPECT_EQ(r.handle(get("GET", "/connectors/x%2Fy/status")).body, "status:x/y");
  EXPECT_EQ(r.handle(get("GET", "/connectors/c/tasks/0/status")).body, "c/0");
}

TEST(HttpRouter, UnknownPathIs404AndOtherMethodIs405WithConnectErrorBodies) {
  Router r;
  r.add("GET", "/connectors", [](const Request&, const Params&) { return json_body(200, "[]"); });
  auto nf = r.handle(get("GET", "/nope"));
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.body, R"({"error_code":404,"message":"Unknown path /nope"})");
  auto na = r.handle(get("DELETE", "/connectors"));
  EXPECT_EQ(na.status, 405);
  EXPECT_NE(na.body.find(R"("error_code":405)"), std::string::npos);
}

TEST(HttpRouter, AHandlerExceptionIsA500WithItsMessage) {
  Router r;
  r.add("GET", "/boom", [](const Request&, const Params&) -> Response {
    throw std::runtime_error("disk \"gone\"");
  });
  auto resp = r.handle(get("GET", "/boom"));
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(resp.body, R"({"error_code":500,"message":"disk \"gone\""})");
}

TEST(HttpTypes, UrlDecoding) {
  EXPECT_EQ(url_decode("a%2Cb%zz%4"), "a,b%zz%4");
  EXPECT_EQ(url_decode("a+b"), "a+b");
  EXPECT_EQ(url_decode("a+b", true), "a b");
  Request q;
  q.query = {{"expand", "status,info"}};
  EXPECT_EQ(q.param("expand"), "status,info");
  EXPECT_EQ(q.param("missing", "x"), "x");
}

}  // namespace
}  // namespace sluice::http
