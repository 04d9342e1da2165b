// Built-in word lists for the fake-data generator: names, places, companies, products, job
// titles, the seeds' own catalogs (seed 002's departments and jobs, seed 004's survey) and the
// small enumerations the seeds' generators draw from. Plain ASCII, no downloads.
#pragma once
#include <span>
#include <string_view>

namespace sluice::gen::words {

struct City {
  std::string_view name;
  std::string_view country;
};

// An inventory product: name, description and a weight range in grams.
struct Product {
  std::string_view name;
  std::string_view description;
  int min_grams;
  int max_grams;
};

// One of seed 004's survey questions and its possible answers.
struct Question {
  std::string_view text;
  std::span<const std::string_view> answers;
};

std::span<const std::string_view> first_names();
std::span<const std::string_view> last_names();
std::span<const City> cities();
std::span<const std::string_view> company_suffixes();        // "Inc", "LLC", …
std::span<const std::string_view> company_industries();      // "Logistics", "Analytics", …
std::span<const std::string_view> merchants();               // shops and services
std::span<const std::string_view> free_email_domains();      // "gmail.com", …
std::span<const std::string_view> top_level_domains();       // "com", "net", …
std::span<const std::string_view> street_names();            // "Oak", "Maple", …
std::span<const std::string_view> street_suffixes();         // "Street", "Avenue", …
std::span<const std::string_view> tech_job_titles();         // at most 50 characters each
std::span<const std::string_view> technologies();            // "Python", "Kafka", …
std::span<const std::string_view> candidate_technologies();  // seed 000's extractor list
std::span<const std::string_view> job_types();               // "Full-time", "Part-time", …
std::span<const Product> products();

// Seed 001's enumerations.
std::span<const std::string_view> currencies();
std::span<const std::string_view> payment_methods();

// Seed 004's survey: generations and the nine questions with their answers.
std::span<const std::string_view> generations();
std::span<const Question> survey_questions();

// Seed 002's catalogs, exactly as in its departments.csv (ids 1..12) and jobs.csv (1..183).
std::span<const std::string_view> departments();
std::span<const std::string_view> jobs();

}  // namespace sluice::gen::words
