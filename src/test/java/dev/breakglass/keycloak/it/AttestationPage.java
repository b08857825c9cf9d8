package dev.breakglass.keycloak.it;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jsoup.nodes.Element;

/**
 * The attestation form (break-glass-attest.ftl), shown at the next login after a grant ended: the
 * grant's evidence, three yes/no questions and notes. Tests drive it over plain HTTP, posting the
 * answers (and, to test the server, grant ids and gaps the form would not send).
 */
public final class AttestationPage {

  private static final String FORM = "bg-attest-form";
  private static final String EVIDENCE_TICKET = "bg-evidence-ticket";
  private static final String EVIDENCE_REASON = "bg-evidence-reason";

  /** The form's fields: the hidden grant id, the three questions, the notes. */
  public static final String GRANT_ID = "grantId";

  public static final String NECESSARY = "necessary";
  public static final String SCOPE_CORRECT = "scopeCorrect";
  public static final String ALL_REMOVED = "allRemoved";
  public static final String NOTES = "notes";

  private final Browser browser;
  private final Browser.Page page;

  private AttestationPage(Browser browser, Browser.Page page) {
    this.browser = browser;
    this.page = page;
  }

  /**
   * The page {@code browser} is on, read as the attestation form (which it may turn out not to be).
   */
  public static AttestationPage http(Browser browser, Browser.Page page) {
    return new AttestationPage(browser, page);
  }

  /** The answers as the form posts them, for the given grant. */
  public static Map<String, List<String>> answers(
      String grantId, String necessary, String scopeCorrect, String allRemoved, String notes) {
    Map<String, List<String>> fields = new LinkedHashMap<>();
    fields.put(GRANT_ID, List.of(grantId));
    fields.put(NECESSARY, List.of(necessary));
    fields.put(SCOPE_CORRECT, List.of(scopeCorrect));
    fields.put(ALL_REMOVED, List.of(allRemoved));
    fields.put(NOTES, List.of(notes));
    return fields;
  }

  public Browser.Page page() {
    return page;
  }

  public boolean isShown() {
    return form() != null;
  }

  /** The grant the form is about (its hidden field). */
  public String grantId() {
    Element input = page.doc().selectFirst("input[name=" + GRANT_ID + "]");
    return input == null ? null : input.val();
  }

  public String evidenceTicket() {
    return text(EVIDENCE_TICKET);
  }

  public String evidenceReason() {
    return text(EVIDENCE_REASON);
  }

  /** The error shown next to a question, or null when there is none. */
  public String error(String question) {
    return text("input-error-" + question);
  }

  /** Posts these fields to the form's action; returns the next page. */
  public Browser.Page submit(Map<String, List<String>> fields) {
    Element form = form();
    if (form == null) {
      throw new AssertionError(
          "No attestation form on "
              + page.url()
              + " (status "
              + page.status()
              + "):\n"
              + page.body());
    }
    return browser.post(form.absUrl("action"), fields);
  }

  /** The same post, read as the attestation form again (shown again when an answer was refused). */
  public AttestationPage submitExpectingForm(Map<String, List<String>> fields) {
    return new AttestationPage(browser, submit(fields));
  }

  private Element form() {
    return page.doc().getElementById(FORM);
  }

  private String text(String id) {
    Element element = page.doc().getElementById(id);
    return element == null ? null : element.text();
  }
}
