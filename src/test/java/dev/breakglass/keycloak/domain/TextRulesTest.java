package dev.breakglass.keycloak.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TextRulesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\n",
        "\r",
        "\t",
        "\u001b[2J",
        "\u0085",
        "\u2028",
        "\u2029",
        "\u202E",
        "\u2066",
        "\u200F",
        "\u200B",
        "\uFEFF",
        "\u061C"
      })
  void controlFormatBidiAndSeparatorsAreRefused(String bad) {
    assertEquals(
        TextRules.Problem.CONTROL_CHARACTERS, TextRules.check("ok " + bad + " ok", 100, false));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u2028", "\u202E", "\u001b", "\t"})
  void notesAllowLineBreaksButNothingElseInvisible(String bad) {
    assertEquals(TextRules.Problem.NONE, TextRules.check("line one\r\nline two\nthree", 100, true));
    assertEquals(TextRules.Problem.CONTROL_CHARACTERS, TextRules.check("line" + bad, 100, true));
  }

  @ParameterizedTest
  @ValueSource(strings = {"<b>", "a > b", "<"})
  void angleBracketsAreMarkup(String text) {
    assertEquals(TextRules.Problem.MARKUP, TextRules.check(text, 100, false));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\u200B\u200B\u200B",
        "\u3164\u3164\u3164",
        "\u0301\u0301\u0301",
        "\u2800\u2800\u2800",
        "\u00A0\u00A0\u00A0",
        "\u2003\u2003\u2003"
      })
  void invisibleCharactersDoNotCount(String invisible) {
    assertEquals(2, TextRules.visibleLength("a" + invisible + "b"));
  }

  @Property
  void visibleLengthNeverExceedsCodePoints(@ForAll String text) {
    int visible = TextRules.visibleLength(text);
    assertTrue(visible >= 0 && visible <= text.codePointCount(0, text.length()));
  }

  @Property
  void acceptedTextHasNothingUnsafe(@ForAll @StringLength(max = 60) String text) {
    if (TextRules.check(text, 60, false) == TextRules.Problem.NONE) {
      assertTrue(text.codePoints().noneMatch(TextRules::isUnsafe), text);
      assertTrue(text.indexOf('<') < 0 && text.indexOf('>') < 0, text);
    }
  }

  @Property
  void printableIsSafeAndBounded(
      @ForAll String text, @ForAll @IntRange(min = 1, max = 80) int limit) {
    String shown = TextRules.printable(text, limit);
    assertTrue(shown.codePoints().noneMatch(TextRules::isUnsafe), shown);
    assertTrue(shown.codePointCount(0, shown.length()) <= limit + 3, shown);
  }

  @Property
  void tooLongIsReportedFirst(@ForAll @StringLength(min = 11, max = 40) String text) {
    assertEquals(TextRules.Problem.TOO_LONG, TextRules.check(text, 10, false));
  }

  /** One code point of each Unicode general category that matters here, and its verdict. */
  @ParameterizedTest
  @CsvSource({
    // category, code point, counts toward a minimum, refused in text
    "Lu uppercase letter, 0041, true, false",
    "Ll lowercase letter, 00E9, true, false",
    "Lo other letter, 4E2D, true, false",
    "Lo Hangul filler, 3164, false, false",
    "Nd digit, 0037, true, false",
    "Po punctuation, 0021, true, false",
    "So symbol, 1F6A8, true, false",
    "So Braille blank, 2800, false, false",
    "Zs space, 0020, true, false",
    "Zs no-break space, 00A0, false, false",
    "Zs em space, 2003, false, false",
    "Mn combining accent, 0301, false, false",
    "Me enclosing circle, 20DD, false, false",
    "Cc escape, 001B, false, true",
    "Cc C1 control, 0085, false, true",
    "Cf zero-width space, 200B, false, true",
    "Cf word joiner, 2060, false, true",
    "Cf byte order mark, FEFF, false, true",
    "Cf right-to-left override, 202E, false, true",
    "Cf first-strong isolate, 2068, false, true",
    "Zl line separator, 2028, false, true",
    "Zp paragraph separator, 2029, false, true"
  })
  void eachCategoryCountsAndPassesAsTheRuleSays(
      String category, String hex, boolean counts, boolean refused) {
    String c = Character.toString(Integer.parseInt(hex, 16));
    assertEquals(counts ? 1 : 0, TextRules.visibleLength(c), category);
    assertEquals(
        refused, TextRules.check("x" + c + "x", 10, false) != TextRules.Problem.NONE, category);
  }
}
