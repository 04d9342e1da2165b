// Seed 003: Debezium's example `inventory` database (debezium/container-images,
// examples/postgres/2.1/inventory.sql) without its PostGIS `geom` table: customers (ids from
// 1001, unique emails), products (from 101), products_on_hand, orders (from 10001) referencing
// a customer and a product, every table REPLICA IDENTITY FULL, with the example's rows.
// Changes: new customers, products, stock and orders; email and name changes, stock counts,
// order quantities, product weights; deletes of orders and of customers without orders, so no
// foreign key is broken.
#include <fmt/format.h>

#include <unordered_map>
#include <unordered_set>

#include "gen/dataset.h"

namespace sluice::gen {

namespace {

enum : int { kCustomers = 0, kProducts = 1, kOnHand = 2, kOrders = 3 };

int64_t to_int(std::string_view s) { return std::stoll(std::string(s)); }

int quantity(Fake& fake) {
  static constexpr int kWeights[] = {50, 25, 12, 8, 5};
  return int(fake.rng().weighted(kWeights)) + 1;
}

class Inventory : public Dataset {
 public:
  Inventory() {
    tables_.push_back({"inventory.customers", "id", true});
    tables_.push_back({"inventory.products", "id", true});
    tables_.push_back({"inventory.products_on_hand", "product_id"});
    tables_.push_back({"inventory.orders", "id", true});
  }

  std::string schema_ddl() const override { return "CREATE SCHEMA IF NOT EXISTS inventory"; }

  std::vector<TableDdl> ddl() const override {
    return {
        {"inventory.products",
         "CREATE TABLE inventory.products (id SERIAL NOT NULL PRIMARY KEY, name VARCHAR(255) NOT "
         "NULL, description VARCHAR(512), weight FLOAT); ALTER SEQUENCE "
         "inventory.products_id_seq RESTART WITH 101; ALTER TABLE inventory.products REPLICA "
         "IDENTITY FULL",
         "INSERT INTO inventory.products VALUES (default,'scooter','Small 2-wheel scooter',3.14), "
         "(default,'car battery','12V car battery',8.1), (default,'12-pack drill bits','12-pack "
         "of drill bits with sizes ranging from #40 to #3',0.8), (default,'hammer','12oz "
         "carpenter''s hammer',0.75), (default,'hammer','14oz carpenter''s hammer',0.875), "
         "(default,'hammer','16oz carpenter''s hammer',1.0), (default,'rocks','box of assorted "
         "rocks',5.3), (default,'jacket','water resistent black wind breaker',0.1), "
         "(default,'spare tire','24 inch spare tire',22.2)"},
        {"inventory.products_on_hand",
         "CREATE TABLE inventory.products_on_hand (product_id INTEGER NOT NULL PRIMARY KEY, "
         "quantity INTEGER NOT NULL, FOREIGN KEY (product_id) REFERENCES inventory.products(id)); "
         "ALTER TABLE inventory.products_on_hand REPLICA IDENTITY FULL",
         "INSERT INTO inventory.products_on_hand VALUES (101,3), (102,8), (103,18), (104,4), "
         "(105,5), (106,0), (107,44), (108,2), (109,5)"},
        {"inventory.customers",
         "CREATE TABLE inventory.customers (id SERIAL NOT NULL PRIMARY KEY, first_name "
         "VARCHAR(255) NOT NULL, last_name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL "
         "UNIQUE); ALTER SEQUENCE inventory.customers_id_seq RESTART WITH 1001; ALTER TABLE "
         "inventory.customers REPLICA IDENTITY FULL",
         "INSERT INTO inventory.customers VALUES "
         "(default,'Sally','Thomas','sally.thomas@acme.com'), "
         "(default,'George','Bailey','gbailey@foobar.com'), "
         "(default,'Edward','Walker','ed@walker.com'), "
         "(default,'Anne','Kretchmar','annek@noanswer.org')"},
        {"inventory.orders",
         "CREATE TABLE inventory.orders (id SERIAL NOT NULL PRIMARY KEY, order_date DATE NOT "
         "NULL, purchaser INTEGER NOT NULL, quantity INTEGER NOT NULL, product_id INTEGER NOT "
         "NULL, FOREIGN KEY (purchaser) REFERENCES inventory.customers(id), FOREIGN KEY "
         "(product_id) REFERENCES inventory.products(id)); ALTER SEQUENCE "
         "inventory.orders_id_seq RESTART WITH 10001; ALTER TABLE inventory.orders REPLICA "
         "IDENTITY FULL",
         "INSERT INTO inventory.orders VALUES (default, '2016-01-16', 1001, 1, 102), (default, "
         "'2016-01-17', 1002, 2, 105), (default, '2016-02-19', 1002, 2, 106), (default, "
         "'2016-02-21', 1003, 1, 107)"},
    };
  }

  void load(pg::Connection& conn) override {
    std::unordered_map<int64_t, uint32_t> customer_of, product_of;
    auto cs = load_rows(conn, kCustomers, "first_name, last_name, email");
    for (int i = 0; i < cs.rows(); ++i) {
      uint32_t h = new_customer(to_int(cs.get(i, 0)));
      customer_of[id(kCustomers, h)] = h;
      first_[h] = cs.str(i, 1);
      last_[h] = cs.str(i, 2);
      email_[h] = cs.str(i, 3);
      emails_.insert(email_[h]);
    }
    auto ps = load_rows(conn, kProducts, "name");
    for (int i = 0; i < ps.rows(); ++i) {
      uint32_t h = new_product(to_int(ps.get(i, 0)));
      product_of[id(kProducts, h)] = h;
      template_[h] = find_template(ps.get(i, 1));
    }
    auto oh = load_rows(conn, kOnHand);
    for (int i = 0; i < oh.rows(); ++i) {
      auto it = product_of.find(to_int(oh.get(i, 0)));
      if (it == product_of.end()) continue;
      unstocked_.remove(it->second);
      stocked_.add(it->second);
    }
    auto os = load_rows(conn, kOrders, "purchaser");
    for (int i = 0; i < os.rows(); ++i) {
      auto c = customer_of.find(to_int(os.get(i, 1)));
      if (c == customer_of.end()) continue;
      new_order(c->second, to_int(os.get(i, 0)));
    }
    start_clock(conn,
                "SELECT extract(epoch FROM max(order_date))::bigint + 86399 FROM inventory.orders");
  }

  Change plan(Op op, Rng& rng) override {
    Change c;
    c.op = op;
    if (op == Op::update) {
      static constexpr int kWeights[] = {30, 15, 35, 20};  // customers, products, stock, orders
      const HandleSet* sets[] = {&customers_, &products_, &stocked_, &orders_};
      int t = pick_nonempty(rng.weighted(kWeights), sets);
      if (t >= 0) {
        c.table = t;
        c.row = sets[t]->pick(rng);
        return c;
      }
    } else if (op == Op::remove) {
      static constexpr int kWeights[] = {20, 80};  // customers without orders, orders
      const HandleSet* sets[] = {&customers_without_orders_, &orders_};
      int k = pick_nonempty(rng.weighted(kWeights), sets);
      if (k == 0) {
        c.table = kCustomers;
        c.row = customers_without_orders_.pick(rng);
        customers_.remove(c.row);
        customers_without_orders_.remove(c.row);
        return c;
      }
      if (k == 1) {
        c.table = kOrders;
        c.row = orders_.pick(rng);
        orders_.remove(c.row);
        uint32_t buyer = purchaser_[c.row];
        if (--order_count_[buyer] == 0 && customers_.contains(buyer))
          customers_without_orders_.add(buyer);
        return c;
      }
    }
    c.op = Op::insert;
    static constexpr int kWeights[] = {20, 10, 15, 55};  // customers, products, stock, orders
    int t = int(rng.weighted(kWeights));
    if (t == kOnHand && unstocked_.empty()) t = kOrders;
    if (t == kOrders && (customers_.empty() || products_.empty()))
      t = customers_.empty() ? kCustomers : kProducts;
    c.table = t;
    switch (t) {
      case kCustomers:
        c.row = new_customer(0);
        break;
      case kProducts:
        c.row = new_product(0);
        break;
      case kOnHand:
        c.row = unstocked_.pick(rng);
        unstocked_.remove(c.row);
        stocked_.add(c.row);
        break;
      default:
        c.ref[0] = customers_.pick(rng);
        c.ref[1] = products_.pick(rng);
        c.row = new_order(c.ref[0], 0);
        break;
    }
    return c;
  }

  Statement render(const Change& c, Fake& fake) override {
    switch (c.op) {
      case Op::insert:
        return render_insert(c, fake);
      case Op::update:
        return render_update(c, fake);
      case Op::remove:
        break;
    }
    if (c.table == kCustomers) {
      emails_.erase(email_[c.row]);
      return statement(
          fmt::format("DELETE FROM inventory.customers WHERE id = {}", id(kCustomers, c.row)));
    }
    return statement(fmt::format("DELETE FROM inventory.orders WHERE id = {}", id(kOrders, c.row)));
  }

 private:
  Statement render_insert(const Change& c, Fake& fake) {
    switch (c.table) {
      case kCustomers: {
        first_[c.row] = fake.first_name();
        last_[c.row] = fake.last_name();
        set_email(c.row, fake);
        return insert_row(
            "inventory.customers", "id, first_name, last_name, email",
            {std::to_string(id(kCustomers, c.row)), first_[c.row], last_[c.row], email_[c.row]});
      }
      case kProducts: {
        size_t t = fake.rng().below(words::products().size());
        template_[c.row] = int(t);
        const auto& p = words::products()[t];
        return insert_row("inventory.products", "id, name, description, weight",
                          {std::to_string(id(kProducts, c.row)), std::string(p.name),
                           std::string(p.description), weight(p, fake)});
      }
      case kOnHand:
        return insert_row(
            "inventory.products_on_hand", "product_id, quantity",
            {std::to_string(id(kProducts, c.row)), std::to_string(fake.rng().between(0, 200))});
      default:
        return insert_row("inventory.orders", "id, order_date, purchaser, quantity, product_id",
                          {std::to_string(id(kOrders, c.row)), Fake::date(tick(fake, 60, 7200)),
                           std::to_string(id(kCustomers, c.ref[0])), std::to_string(quantity(fake)),
                           std::to_string(id(kProducts, c.ref[1]))});
    }
  }

  Statement render_update(const Change& c, Fake& fake) {
    switch (c.table) {
      case kCustomers: {
        std::string set;
        if (fake.rng().chance(0.3)) {  // a new last name, and an address to go with it
          last_[c.row] = fake.last_name();
          set = "last_name = " + lit(last_[c.row]) + ", ";
        }
        set_email(c.row, fake);
        return statement(fmt::format("UPDATE inventory.customers SET {}email = {} WHERE id = {}",
                                     set, lit(email_[c.row]), id(kCustomers, c.row)));
      }
      case kProducts: {
        int t = template_[c.row];
        std::string w = t >= 0
                            ? weight(words::products()[size_t(t)], fake)
                            : fmt::format("round((weight * {})::numeric, 3)", fake.amount(90, 110));
        return statement(fmt::format("UPDATE inventory.products SET weight = {} WHERE id = {}", w,
                                     id(kProducts, c.row)));
      }
      case kOnHand:
        return statement(
            fmt::format("UPDATE inventory.products_on_hand SET quantity = {} WHERE product_id = {}",
                        fake.rng().between(0, 500), id(kProducts, c.row)));
      default:
        return statement(fmt::format("UPDATE inventory.orders SET quantity = {} WHERE id = {}",
                                     quantity(fake), id(kOrders, c.row)));
    }
  }

  static std::string weight(const words::Product& p, Fake& fake) {
    int64_t g = fake.rng().between(p.min_grams, p.max_grams);
    return fmt::format("{}.{:03}", g / 1000, g % 1000);
  }

  static int find_template(std::string_view name) {
    auto all = words::products();
    for (size_t i = 0; i < all.size(); ++i)
      if (all[i].name == name) return int(i);
    return -1;
  }

  // A fresh address for customer h, unique among the customers'.
  void set_email(uint32_t h, Fake& fake) {
    if (!email_[h].empty()) emails_.erase(email_[h]);
    std::string e = fake.email(first_[h], last_[h]);
    for (int n = 1; emails_.count(e); ++n) {
      auto at = e.find('@');
      e = e.substr(0, at) + std::to_string(id(kCustomers, h)) + (n > 1 ? std::to_string(n) : "") +
          e.substr(at);
    }
    email_[h] = e;
    emails_.insert(e);
  }

  // The index of the weighted choice k if its set has rows, else of the first one that has.
  template <size_t N>
  static int pick_nonempty(size_t k, const HandleSet* (&sets)[N]) {
    if (!sets[k]->empty()) return int(k);
    for (size_t i = 0; i < N; ++i)
      if (!sets[i]->empty()) return int(i);
    return -1;
  }

  uint32_t new_customer(int64_t key) {
    uint32_t h = tables_[kCustomers].add_row(key);
    customers_.add(h);
    customers_without_orders_.add(h);
    order_count_.push_back(0);
    first_.emplace_back();
    last_.emplace_back();
    email_.emplace_back();
    return h;
  }

  uint32_t new_product(int64_t key) {
    uint32_t h = tables_[kProducts].add_row(key);
    products_.add(h);
    unstocked_.add(h);
    template_.push_back(-1);
    return h;
  }

  // Products are never deleted, so an order's product needs no tracking.
  uint32_t new_order(uint32_t buyer, int64_t key) {
    uint32_t h = tables_[kOrders].add_row(key);
    orders_.add(h);
    purchaser_.push_back(buyer);
    if (order_count_[buyer]++ == 0) customers_without_orders_.remove(buyer);
    return h;
  }

  HandleSet customers_, customers_without_orders_, products_, stocked_, unstocked_, orders_;
  std::vector<int> order_count_;                   // per customer
  std::vector<std::string> first_, last_, email_;  // per customer
  std::unordered_set<std::string> emails_;         // of the customers that exist
  std::vector<int> template_;                      // per product: index in words::products()
  std::vector<uint32_t> purchaser_;                // per order
};

}  // namespace

std::unique_ptr<Dataset> make_inventory() { return std::make_unique<Inventory>(); }

}  // namespace sluice::gen
