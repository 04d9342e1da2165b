// Seed 001: the financial `transactions` table its main.py fills with Faker, with the seed's
// REPLICA IDENTITY FULL step. Values follow main.py: a UUID transaction id, a user name, an
// amount between 10 and 1000 with two decimals, USD or GBP, a city with its country, a company
// as merchant, one of three payment methods, an IPv4 address, a voucher code that is empty two
// times in three, a UUID affiliate id. Updates are the seed's `amount = amount + 150` kind.
#include <fmt/format.h>

#include <unordered_set>

#include "gen/dataset.h"

namespace sluice::gen {

namespace {

constexpr const char* kColumns =
    "transaction_id, user_id, timestamp, amount, currency, city, country, merchant_name, "
    "payment_method, ip_address, voucher_code, affiliateid";

class Transactions : public Dataset {
 public:
  Transactions() { tables_.push_back({"public.transactions", "transaction_id"}); }

  std::vector<TableDdl> ddl() const override {
    return {{"public.transactions",
             "CREATE TABLE IF NOT EXISTS public.transactions (transaction_id VARCHAR(255) PRIMARY "
             "KEY, user_id VARCHAR(255), timestamp TIMESTAMP, amount DECIMAL, currency "
             "VARCHAR(255), city VARCHAR(255), country VARCHAR(255), merchant_name VARCHAR(255), "
             "payment_method VARCHAR(255), ip_address VARCHAR(255), voucher_code VARCHAR(255), "
             "affiliateId VARCHAR(255)); ALTER TABLE public.transactions REPLICA IDENTITY FULL",
             ""}};
  }

  void load(pg::Connection& conn) override {
    auto r = load_rows(conn, 0);
    keys_.reserve(size_t(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
      keys_.push_back(r.str(i, 0));
      taken_.insert(std::hash<std::string>{}(keys_.back()));
      live_.add(uint32_t(keys_.size() - 1));
    }
    start_clock(conn, "SELECT extract(epoch FROM max(timestamp))::bigint FROM public.transactions");
  }

  Change plan(Op op, Rng& rng) override {
    if (op != Op::insert && live_.empty()) op = Op::insert;
    Change c;
    c.op = op;
    if (op == Op::insert) {
      keys_.emplace_back();  // the UUID is drawn in render()
      c.row = uint32_t(keys_.size() - 1);
      live_.add(c.row);
    } else {
      c.row = live_.pick(rng);
      if (op == Op::remove) live_.remove(c.row);
    }
    return c;
  }

  Statement render(const Change& c, Fake& fake) override {
    std::string& key = keys_[c.row];
    if (c.op == Op::insert) {
      do key = fake.uuid4();
      while (!taken_.insert(std::hash<std::string>{}(key)).second);
      std::string first = fake.first_name(), last = fake.last_name();
      std::string user = fake.username(first, last);
      int64_t ts = tick(fake, 1, 90);
      std::string amount = fake.amount(1000, 100000);
      auto currency = fake.rng().pick(words::currencies());
      const auto& city = fake.city();
      std::string merchant = fake.merchant();
      auto method = fake.rng().pick(words::payment_methods());
      std::string ip = fake.ipv4();
      const char* voucher = fake.rng().below(3) == 1 ? "DISCOUNT10" : "";
      std::string affiliate = fake.uuid4();
      return insert_row(
          "public.transactions", kColumns,
          {key, user, Fake::timestamp(ts), amount, std::string(currency), std::string(city.name),
           std::string(city.country), merchant, std::string(method), ip, voucher, affiliate});
    }
    if (c.op == Op::remove) {
      taken_.erase(std::hash<std::string>{}(key));
      return statement("DELETE FROM public.transactions WHERE transaction_id = " + lit(key));
    }
    std::string set;
    switch (fake.rng().below(10)) {
      case 0:
      case 1:
        set = "amount = amount + 150";  // the seed's own update
        break;
      case 2:
      case 3:
      case 4:
      case 5:
        set = "amount = amount + " + fake.amount(100, 30000);
        break;
      case 6:
      case 7:
        set = "payment_method = " + lit(fake.rng().pick(words::payment_methods()));
        break;
      default:
        set = std::string("voucher_code = ") + (fake.rng().chance(0.5) ? "'DISCOUNT10'" : "''");
        break;
    }
    return statement("UPDATE public.transactions SET " + set +
                     " WHERE transaction_id = " + lit(key));
  }

 private:
  std::vector<std::string> keys_;  // row handle -> transaction_id
  // Hashes of the keys of the rows that exist: a new key is drawn again on a match (a false
  // match costs one more draw).
  std::unordered_set<size_t> taken_;
  HandleSet live_;
};

}  // namespace

std::unique_ptr<Dataset> make_transactions() { return std::make_unique<Transactions>(); }

}  // namespace sluice::gen
