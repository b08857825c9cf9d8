package dev.breakglass.keycloak.domain;

/**
 * The one hygiene rule for free text a person types (activation reason, attestation notes, revoke
 * reason, comments): bounded, no control, format or bidi characters, no line or paragraph
 * separators, no angle brackets. Such text ends up in log lines, chat alerts and e-mails, where
 * those characters forge lines, reorder what a reader sees or become markup. Pure.
 */
public final class TextRules {

  /** What is wrong with a text; {@code NONE} when it may be stored. */
  public enum Problem {
    NONE,
    TOO_LONG,
    CONTROL_CHARACTERS,
    MARKUP
  }

  private TextRules() {}

  /**
   * Checks already stripped text. {@code lineBreaks} allows CR and LF (notes may have several
   * lines; the audit log line escapes them), never U+2028/U+2029.
   */
  public static Problem check(String text, int maxLength, boolean lineBreaks) {
    if (text.length() > maxLength) {
      return Problem.TOO_LONG;
    }
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if ((cp == '\n' || cp == '\r') && lineBreaks) {
        continue;
      }
      if (isUnsafe(cp)) {
        return Problem.CONTROL_CHARACTERS;
      }
    }
    if (text.indexOf('<') >= 0 || text.indexOf('>') >= 0) {
      return Problem.MARKUP;
    }
    return Problem.NONE;
  }

  /**
   * How many characters of {@code text} a reader sees: control, format, combining and separator
   * characters and blank fillers do not count, so they never satisfy a minimum length.
   */
  public static int visibleLength(String text) {
    return (int) text.codePoints().filter(TextRules::isVisible).count();
  }

  /** Line breaks as {@code \n}, whatever the browser sent. */
  public static String normaliseLineBreaks(String text) {
    return text.replace("\r\n", "\n").replace('\r', '\n');
  }

  /**
   * {@code text} fit to echo in a log or a message: unsafe characters become spaces, and at most
   * {@code limit} characters are kept (then "...").
   */
  public static String printable(String text, int limit) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), limit) + 3);
    int kept = 0;
    for (int i = 0; i < text.length() && kept < limit; kept++) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      out.appendCodePoint(isUnsafe(cp) ? ' ' : cp);
    }
    return kept < text.codePointCount(0, text.length()) ? out + "..." : out.toString();
  }

  /**
   * Controls (C0, C1, DEL), format characters (bidi controls, zero-width), line and paragraph
   * separators.
   */
  static boolean isUnsafe(int cp) {
    int type = Character.getType(cp);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  private static boolean isVisible(int cp) {
    if (cp == ' ') {
      return true;
    }
    int type = Character.getType(cp);
    if (isUnsafe(cp)
        || type == Character.NON_SPACING_MARK
        || type == Character.ENCLOSING_MARK
        || type == Character.SPACE_SEPARATOR
        || Character.isWhitespace(cp)) {
      return false;
    }
    // Letters and symbols that render as nothing (Hangul fillers, Braille blank, Mongolian vowel
    // separator).
    return cp != 0x115F
        && cp != 0x1160
        && cp != 0x3164
        && cp != 0xFFA0
        && cp != 0x2800
        && cp != 0x180E;
  }
}
