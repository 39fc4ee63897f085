package io.keyway.gateway.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Error texts are the ones Go's encoding/json produces (checked against etcd's gateway). */
class GoJsonReaderTest {

  private static JsonValue decode(String s) {
    return GoJsonReader.decodeFirst(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeError(String s) {
    return assertThrows(JsonDecodeException.class, () -> decode(s)).getMessage();
  }

  private static String unmarshalError(String s) {
    return assertThrows(JsonDecodeException.class,
        () -> GoJsonReader.unmarshal(s.getBytes(StandardCharsets.UTF_8))).getMessage();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "\n\t\r "})
  void emptyInputIsNoValue(String input) {
    assertNull(decode(input));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{\"key\":|unexpected EOF",
      "{\"key\":\"Zm9v\"|unexpected EOF",
      "tru|unexpected EOF",
      "[1,|unexpected EOF",
      "\"abc|unexpected EOF",
      "-|unexpected EOF",
      "1.|unexpected EOF",
      "garbage|invalid character 'g' looking for beginning of value",
      "{\"key\" 1}|invalid character '1' after object key",
      "{\"a\":1 \"b\":2}|invalid character '\"' after object key:value pair",
      "{1:2}|invalid character '1' looking for beginning of object key string",
      "{\"a\":1,}|invalid character '}' looking for beginning of object key string",
      "[1 2]|invalid character '2' after array element",
      "[,]|invalid character ',' looking for beginning of value",
      "{\"a\":tx}|invalid character 'x' in literal true (expecting 'r')",
      "{\"a\":nul!}|invalid character '!' in literal null (expecting 'l')",
      "{\"a\":-x}|invalid character 'x' in numeric literal",
      "{\"a\":1.x}|invalid character 'x' after decimal point in numeric literal",
      "{\"a\":1ex}|invalid character 'x' in exponent of numeric literal",
      "{\"a\":\"\\x\"}|invalid character 'x' in string escape code",
      "{\"a\":\"\\u12g4\"}|invalid character 'g' in \\u hexadecimal character escape",
      "'a'|invalid character '\\'' looking for beginning of value",
  })
  void decoderErrorsMatchGo(String input, String message) {
    assertEquals(message, decodeError(input));
  }

  @Test
  void controlCharacterInStringIsNamedLikeGo() {
    assertEquals("invalid character '\\n' in string literal", decodeError("{\"a\":\"x\ny\"}"));
  }

  @Test
  void decoderIgnoresWhatFollowsTheFirstValue() {
    JsonValue.Obj obj = assertInstanceOf(JsonValue.Obj.class, decode("{\"a\":1} trailing {garbage"));
    assertEquals(new JsonValue.Num("1"), obj.members().get("a"));
    assertEquals(new JsonValue.Num("12"), decode("12x"));
    assertEquals(new JsonValue.Bool(true), decode("truex"));
  }

  @Test
  void unmarshalRequiresExactlyOneValue() {
    assertEquals("invalid character 'x' after top-level value", unmarshalError("12x"));
    assertEquals("unexpected end of JSON input", unmarshalError(""));
    assertEquals("unexpected end of JSON input", unmarshalError("{\"a\":"));
    assertEquals("invalid character ' ' after decimal point in numeric literal", unmarshalError("12."));
    assertEquals(new JsonValue.Num("-0.5e+3"), GoJsonReader.unmarshal(" -0.5e+3 ".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void repeatedKeyKeepsTheLastValue() {
    JsonValue.Obj obj = assertInstanceOf(JsonValue.Obj.class, decode("{\"k\":1,\"k\":2}"));
    assertEquals(new JsonValue.Num("2"), obj.members().get("k"));
  }

  @Test
  void stringsAreUnescapedAndKeepTheirRawLiteral() {
    JsonValue.Str s = assertInstanceOf(JsonValue.Str.class, decode("\"a\\u00e9\\ud83d\\ude00\\n\\/\""));
    assertEquals("aé\uD83D\uDE00\n/", s.value());
    assertEquals("\"a\\u00e9\\ud83d\\ude00\\n\\/\"", new String(s.raw(), StandardCharsets.UTF_8));
    JsonValue.Str lone = assertInstanceOf(JsonValue.Str.class, decode("\"\\ud83dx\""));
    assertEquals("\uFFFDx", lone.value());
  }

  @Test
  void nestingBeyondGosLimitIsRejectedWithoutExhaustingTheStack() {
    String deep = "[".repeat(10_001);
    assertEquals("invalid character '[' exceeded max depth", decodeError(deep));
    String ok = "[".repeat(10_000) + "]".repeat(10_000);
    assertInstanceOf(JsonValue.Arr.class, decode(ok));
  }
}
