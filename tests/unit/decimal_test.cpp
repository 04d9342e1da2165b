#include "core/decimal.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::decimal {
namespace {

// Hex of a byte string, for readable comparisons.
std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string unscaled_hex(const char* text, int scale) {
  auto p = parse(text);
  EXPECT_TRUE(p.has_value()) << text;
  return p ? hex(unscaled_bytes(*p, scale)) : "";
}

TEST(DecimalParse, SplitsSignDigitsAndScale) {
  auto p = parse("-12.340");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->negative);
  EXPECT_EQ(p->digits, "12340");
  EXPECT_EQ(p->scale, 3);

  p = parse("7");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->negative);
  EXPECT_EQ(p->digits, "7");
  EXPECT_EQ(p->scale, 0);

  p = parse("+0.05");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->negative);
  EXPECT_EQ(p->digits, "005");
  EXPECT_EQ(p->scale, 2);
}

TEST(DecimalParse, AcceptsJavaBigDecimalForms) {
  auto p = parse(".5");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->digits, "5");
  EXPECT_EQ(p->scale, 1);

  p = parse("5.");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->digits, "5");
  EXPECT_EQ(p->scale, 0);

  p = parse("1.5e3");  // exponent folded into the digits
  ASSERT_TRUE(p);
  EXPECT_EQ(p->digits, "1500");
  EXPECT_EQ(p->scale, 0);

  p = parse("15E-3");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->digits, "15");
  EXPECT_EQ(p->scale, 3);
}

TEST(DecimalParse, RejectsSpecialValuesAndJunk) {
  EXPECT_FALSE(parse("NaN"));
  EXPECT_FALSE(parse("Infinity"));
  EXPECT_FALSE(parse("-Infinity"));
  EXPECT_FALSE(parse(""));
  EXPECT_FALSE(parse("-"));
  EXPECT_FALSE(parse("."));
  EXPECT_FALSE(parse("1.2.3"));
  EXPECT_FALSE(parse("12a"));
  EXPECT_FALSE(parse(" 1"));
  EXPECT_FALSE(parse("1e"));
}

// Expected bytes are java.math.BigInteger#toByteArray of the unscaled value.
TEST(DecimalUnscaledBytes, PositiveValuesAreMinimalBigEndian) {
  EXPECT_EQ(unscaled_hex("100.00", 2), "2710");
  EXPECT_EQ(unscaled_hex("1.10", 2), "6e");
  EXPECT_EQ(unscaled_hex("1234.56", 2), "01e240");
  EXPECT_EQ(unscaled_hex("128", 0), "0080");  // sign byte needed
  EXPECT_EQ(unscaled_hex("1.5", 2), "0096");
  EXPECT_EQ(unscaled_hex("18446744073709551616", 0), "010000000000000000");
  EXPECT_EQ(unscaled_hex("9223372036854775808", 0), "008000000000000000");
  EXPECT_EQ(unscaled_hex("12345678901234567890.12", 2), "42ed123b0bd8203a14");
  EXPECT_EQ(unscaled_hex("10000000000000000000000000000000000000001", 0),
            "1d6329f1c35ca4bfabb9f5610000000001");
}

TEST(DecimalUnscaledBytes, NegativeValuesAreTwosComplement) {
  EXPECT_EQ(unscaled_hex("-1.00", 2), "9c");
  EXPECT_EQ(unscaled_hex("-1", 0), "ff");
  EXPECT_EQ(unscaled_hex("-128", 0), "80");
  EXPECT_EQ(unscaled_hex("-129", 0), "ff7f");
  EXPECT_EQ(unscaled_hex("-256", 0), "ff00");
  EXPECT_EQ(unscaled_hex("-1234.11", 2), "fe1ded");
  EXPECT_EQ(unscaled_hex("-9223372036854775808", 0), "8000000000000000");
  EXPECT_EQ(unscaled_hex("-18446744073709551616", 0), "ff0000000000000000");
  EXPECT_EQ(unscaled_hex("-12345678901234567890.12", 2), "bd12edc4f427dfc5ec");
}

TEST(DecimalUnscaledBytes, ZeroIsOneZeroByte) {
  EXPECT_EQ(unscaled_hex("0", 0), "00");
  EXPECT_EQ(unscaled_hex("0.000", 3), "00");
  EXPECT_EQ(unscaled_hex("-0.00", 2), "00");
  EXPECT_EQ(unscaled_hex("000", 5), "00");
}

TEST(DecimalUnscaledBytes, RescalesByPaddingOrTruncating) {
  EXPECT_EQ(unscaled_hex("1.5", 3), "05dc");   // 1500
  EXPECT_EQ(unscaled_hex("1.999", 1), "13");   // 19, extra digits cut
  EXPECT_EQ(unscaled_hex("-1.999", 1), "ed");  // -19
  EXPECT_EQ(unscaled_hex("0.004", 2), "00");
  EXPECT_EQ(unscaled_hex("22", 4), "035b60");  // 220000
}

}  // namespace
}  // namespace sluice::decimal
