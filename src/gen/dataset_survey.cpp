// Seed 004: the survey web app's transactional model (aws/postgres-rds/create_tables.sql, with
// SATISFACTION as at the repository's HEAD). Like its generate_mock_data.py, each respondent
// (a name, one of five generations, a satisfaction of 0-5) is followed by one response to each
// of the nine questions, IS_REAL false, seconds apart (within the ksqlDB join's 10-minute
// window). Updates change a satisfaction or an answer; deletes remove responses, and
// respondents only once none of their responses is left.
#include <fmt/format.h>

#include <unordered_map>

#include "gen/dataset.h"

namespace sluice::gen {

namespace {

enum : int { kRespondents = 0, kResponses = 1 };

class Survey : public Dataset {
 public:
  Survey() {
    tables_.push_back({"public.survey_respondents", "respondent_id", true});
    tables_.push_back({"public.survey_responses", "response_id", true});
  }

  std::vector<TableDdl> ddl() const override {
    return {
        {"public.survey_respondents",
         "CREATE TABLE IF NOT EXISTS public.SURVEY_RESPONDENTS (RESPONDENT_ID SERIAL NOT NULL "
         "PRIMARY KEY, NAME VARCHAR(100) NOT NULL, GENERATION VARCHAR(100) NOT NULL, "
         "SATISFACTION INT NOT NULL, CREATED_AT TIMESTAMP DEFAULT LOCALTIMESTAMP)",
         ""},
        {"public.survey_responses",
         "CREATE TABLE IF NOT EXISTS public.SURVEY_RESPONSES (RESPONSE_ID SERIAL NOT NULL PRIMARY "
         "KEY, RESPONDENT_ID INT NOT NULL REFERENCES public.SURVEY_RESPONDENTS(RESPONDENT_ID), "
         "QUESTION VARCHAR(100) NOT NULL, ANSWER VARCHAR(100) NOT NULL, IS_REAL BOOLEAN NOT NULL "
         "DEFAULT TRUE, CREATED_AT TIMESTAMP DEFAULT LOCALTIMESTAMP)",
         ""},
    };
  }

  void load(pg::Connection& conn) override {
    std::unordered_map<int64_t, uint32_t> respondent_of;
    auto rs = load_rows(conn, kRespondents);
    for (int i = 0; i < rs.rows(); ++i) {
      uint32_t h = new_respondent(std::stoll(rs.str(i, 0)));
      respondent_of[id(kRespondents, h)] = h;
    }
    auto qs = words::survey_questions();
    auto ps = load_rows(conn, kResponses, "respondent_id, question, answer");
    for (int i = 0; i < ps.rows(); ++i) {
      auto who = respondent_of.find(std::stoll(ps.str(i, 1)));
      if (who == respondent_of.end()) continue;
      int q = -1, a = -1;
      for (size_t j = 0; j < qs.size(); ++j)
        if (qs[j].text == ps.get(i, 2)) q = int(j);
      if (q >= 0)
        for (size_t j = 0; j < qs[size_t(q)].answers.size(); ++j)
          if (qs[size_t(q)].answers[j] == ps.get(i, 3)) a = int(j);
      new_response(who->second, q, std::stoll(ps.str(i, 0)));
      answer_.back() = a;
    }
    start_clock(conn,
                "SELECT extract(epoch FROM greatest((SELECT max(created_at) FROM "
                "public.survey_respondents), (SELECT max(created_at) FROM "
                "public.survey_responses)))::bigint");
  }

  Change plan(Op op, Rng& rng) override {
    Change c;
    c.op = op;
    if (op == Op::update) {
      static constexpr int kWeights[] = {30, 70};  // respondents, responses
      int t = int(rng.weighted(kWeights));
      if (set(t).empty()) t = 1 - t;
      if (!set(t).empty()) {
        c.table = t;
        c.row = set(t).pick(rng);
        return c;
      }
    } else if (op == Op::remove) {
      static constexpr int kWeights[] = {15, 85};  // respondents without responses, responses
      size_t k = rng.weighted(kWeights);
      if (k == 0 && unanswered_.empty()) k = 1;
      if (k == 1 && responses_.empty()) k = unanswered_.empty() ? 2 : 0;
      if (k == 0) {
        c.table = kRespondents;
        c.row = unanswered_.pick(rng);
        unanswered_.remove(c.row);
        respondents_.remove(c.row);
        if (current_ == int64_t(c.row)) current_ = -1;
        return c;
      }
      if (k == 1) {
        c.table = kResponses;
        c.row = responses_.pick(rng);
        responses_.remove(c.row);
        uint32_t who = respondent_[c.row];
        if (--response_count_[who] == 0 && respondents_.contains(who)) unanswered_.add(who);
        return c;
      }
    }
    // Inserts: the current respondent's next question, or a new respondent.
    c.op = Op::insert;
    int questions = int(words::survey_questions().size());
    if (current_ >= 0 && next_question_ < questions) {
      c.table = kResponses;
      c.ref[0] = uint32_t(current_);
      c.row = new_response(uint32_t(current_), next_question_++, 0);
      return c;
    }
    c.table = kRespondents;
    c.row = new_respondent(0);
    current_ = c.row;
    next_question_ = 0;
    return c;
  }

  Statement render(const Change& c, Fake& fake) override {
    auto qs = words::survey_questions();
    if (c.table == kRespondents) {
      int64_t key = id(kRespondents, c.row);
      if (c.op == Op::remove)
        return statement(
            fmt::format("DELETE FROM public.survey_respondents WHERE respondent_id = {}", key));
      int64_t satisfaction = fake.rng().between(0, 5);
      if (c.op == Op::update)
        return statement(
            fmt::format("UPDATE public.survey_respondents SET satisfaction = {} WHERE "
                        "respondent_id = {}",
                        satisfaction, key));
      std::string name = fake.name();
      auto generation = fake.rng().pick(words::generations());
      int64_t at = tick(fake, 30, 900);
      return insert_row("public.survey_respondents",
                        "respondent_id, name, generation, satisfaction, created_at",
                        {std::to_string(key), name, std::string(generation),
                         std::to_string(satisfaction), Fake::timestamp(at)});
    }
    int64_t key = id(kResponses, c.row);
    if (c.op == Op::remove)
      return statement(
          fmt::format("DELETE FROM public.survey_responses WHERE response_id = {}", key));
    int q = question_[c.row];
    if (q < 0)  // a question this generator does not know: leave the answer alone
      return statement(
          fmt::format("UPDATE public.survey_responses SET is_real = FALSE WHERE "
                      "response_id = {}",
                      key));
    auto answers = qs[size_t(q)].answers;
    int a = int(fake.rng().below(answers.size()));
    if (c.op == Op::update && answer_[c.row] >= 0 && answers.size() > 1) {
      // A changed mind: any answer but the current one.
      a = int(fake.rng().below(answers.size() - 1));
      if (a >= answer_[c.row]) ++a;
    }
    answer_[c.row] = a;
    if (c.op == Op::update)
      return statement(
          fmt::format("UPDATE public.survey_responses SET answer = {} WHERE "
                      "response_id = {}",
                      lit(answers[size_t(a)]), key));
    int64_t at = tick(fake, 2, 30);
    return insert_row("public.survey_responses",
                      "response_id, respondent_id, question, answer, is_real, created_at",
                      {std::to_string(key), std::to_string(id(kRespondents, c.ref[0])),
                       std::string(qs[size_t(q)].text), std::string(answers[size_t(a)]), "f",
                       Fake::timestamp(at)});
  }

 private:
  HandleSet& set(int t) { return t == kRespondents ? respondents_ : responses_; }

  uint32_t new_respondent(int64_t key) {
    uint32_t h = tables_[kRespondents].add_row(key);
    respondents_.add(h);
    unanswered_.add(h);
    response_count_.push_back(0);
    return h;
  }

  uint32_t new_response(uint32_t who, int question, int64_t key) {
    uint32_t h = tables_[kResponses].add_row(key);
    responses_.add(h);
    respondent_.push_back(who);
    question_.push_back(question);
    answer_.push_back(-1);
    if (response_count_[who]++ == 0) unanswered_.remove(who);
    return h;
  }

  HandleSet respondents_, unanswered_, responses_;
  std::vector<int> response_count_;   // per respondent
  std::vector<uint32_t> respondent_;  // per response
  std::vector<int> question_;         // per response: index in words::survey_questions(), or -1
  std::vector<int> answer_;           // per response: index of the answer, or -1
  int64_t current_ = -1;              // the respondent answering the questions now
  int next_question_ = 0;
};

}  // namespace

std::unique_ptr<Dataset> make_survey() { return std::make_unique<Survey>(); }

}  // namespace sluice::gen
