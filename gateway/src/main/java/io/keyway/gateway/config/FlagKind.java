package io.keyway.gateway.config;

import java.util.List;
import java.util.regex.Pattern;

/** Value syntax of an etcd flag, checked the way Go's flag values check it, with the same error texts. */
enum FlagKind {
  STRING,
  BOOL,
  UINT,
  INT64,
  DURATION,
  URLS,
  CLUSTER_STATE;

  private static final Pattern DURATION_SYNTAX =
      Pattern.compile("[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)");

  /** @throws FlagException when etcd's flag parser would reject {@code value} */
  void check(String flag, String value) {
    switch (this) {
      case BOOL -> parseBool(flag, value);
      case UINT -> parseUnsigned(flag, value);
      case INT64 -> {
        try {
          Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
          throw invalid(flag, value, "parse error");
        }
      }
      case DURATION -> {
        if (!DURATION_SYNTAX.matcher(value).matches()) {
          throw invalid(flag, value, "parse error");
        }
      }
      case URLS -> {
        try {
          EtcdUrls.parse(value);
        } catch (IllegalArgumentException e) {
          throw invalid(flag, value, e.getMessage());
        }
      }
      case CLUSTER_STATE -> {
        if (!List.of("new", "existing").contains(value)) {
          throw invalid(flag, value, "invalid value");
        }
      }
      default -> { }
    }
  }

  /** strconv.ParseBool. */
  static boolean parseBool(String flag, String value) {
    return switch (value) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default -> throw new FlagException("invalid boolean value \"" + value + "\" for -" + flag + ": parse error");
    };
  }

  /** strconv.ParseUint(s, 0, 64): decimal, 0x hex, 0o or leading-0 octal, 0b binary, underscores. */
  static long parseUnsigned(String flag, String value) {
    String s = value.replace("_", "");
    int radix = 10;
    if (s.startsWith("0x") || s.startsWith("0X")) {
      radix = 16;
      s = s.substring(2);
    } else if (s.startsWith("0o") || s.startsWith("0O")) {
      radix = 8;
      s = s.substring(2);
    } else if (s.startsWith("0b") || s.startsWith("0B")) {
      radix = 2;
      s = s.substring(2);
    } else if (s.length() > 1 && s.startsWith("0")) {
      radix = 8;
      s = s.substring(1);
    }
    if (s.isEmpty() || s.startsWith("+") || s.startsWith("-")) {
      throw invalid(flag, value, "parse error");
    }
    String digits = s;
    int base = radix;
    try {
      return Long.parseUnsignedLong(digits, base);
    } catch (NumberFormatException e) {
      boolean digitsOnly = digits.chars().allMatch(c -> Character.digit(c, base) >= 0);
      throw invalid(flag, value, digitsOnly ? "value out of range" : "parse error");
    }
  }

  static FlagException invalid(String flag, String value, String reason) {
    return new FlagException("invalid value \"" + value + "\" for flag -" + flag + ": " + reason);
  }
}
