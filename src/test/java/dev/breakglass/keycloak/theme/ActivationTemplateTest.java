package dev.breakglass.keycloak.theme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import freemarker.cache.ClassTemplateLoader;
import freemarker.cache.MultiTemplateLoader;
import freemarker.cache.StringTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.core.HTMLOutputFormat;
import freemarker.template.Configuration;
import freemarker.template.TemplateMethodModelEx;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

/**
 * The activation template rendered by FreeMarker without a server, with a stand-in for the login
 * theme's layout: covers what the browser test cannot reach yet, such as the drill notice (the
 * model carries {@code drill} only once drills exist), and pins the field names and ids that the
 * integration tests and the design rely on.
 */
class ActivationTemplateTest {

  /** Stands in for Keycloak's messagesPerField bean. */
  public static final class FieldMessages {
    private final Map<String, String> errors;

    FieldMessages(Map<String, String> errors) {
      this.errors = errors;
    }

    public boolean existsError(String... fields) {
      return Arrays.stream(fields).anyMatch(errors::containsKey);
    }

    public String get(String field) {
      return errors.getOrDefault(field, "");
    }
  }

  private static String render(Map<String, Object> breakGlass, Map<String, String> errors)
      throws Exception {
    StringTemplateLoader layout = new StringTemplateLoader();
    layout.putTemplate(
        "template.ftl",
        """
        <#macro registrationLayout displayMessage=true>
        <html><body><h1 id="kc-page-title"><#nested "header"></h1><main><#nested "form"></main></body></html>
        </#macro>\
        """);
    Configuration cfg = new Configuration(Configuration.VERSION_2_3_32);
    cfg.setTemplateLoader(
        new MultiTemplateLoader(
            new TemplateLoader[] {
              layout,
              new ClassTemplateLoader(ActivationTemplateTest.class, "/theme-resources/templates")
            }));
    // As Keycloak does: HTML auto-escaping, so ?no_esc is meaningful.
    cfg.setOutputFormat(HTMLOutputFormat.INSTANCE);

    Map<String, Object> model = new HashMap<>();
    model.put("breakGlass", breakGlass);
    model.put("messagesPerField", new FieldMessages(errors));
    model.put(
        "properties",
        Map.of("kcInputClass", "pf-v5-c-form-control", "kcFormGroupClass", "pf-v5-c-form__group"));
    model.put(
        "url",
        Map.of(
            "loginAction",
            "https://kc.example/login-actions/required-action?execution=break-glass-activate",
            "resourcesPath",
            "/resources/x/login/keycloak.v2"));
    model.put(
        "msg",
        (TemplateMethodModelEx)
            args ->
                "[" + args.stream().map(Object::toString).collect(Collectors.joining("|")) + "]");
    model.put("kcSanitize", (TemplateMethodModelEx) args -> args.get(0).toString());
    StringWriter out = new StringWriter();
    cfg.getTemplate("break-glass-activate.ftl").process(model, out);
    return out.toString();
  }

  private static Map<String, Object> model(boolean withDrill, boolean drill) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "roles",
        List.of(Map.of("name", "emergency-admin", "description", "Prod admin", "selected", false)));
    m.put("reason", "Primary <script>alert(1)</script> down");
    m.put("ticket", "INC-4711");
    m.put("duration", "15");
    m.put("maxDuration", 60);
    m.put("defaultDuration", 30);
    m.put("ticketExample", "INC-12345");
    m.put("minReasonLength", 20);
    if (withDrill) {
      m.put("drill", drill);
    }
    return m;
  }

  @Test
  void aDrillHasItsOwnWordingNotTheIncidentOne() throws Exception {
    Document page = Jsoup.parse(render(model(true, true), Map.of()));
    assertNotNull(page.getElementById("bg-drill"), "drill notice");
    assertEquals("[breakGlassDrillBannerTitle]", page.getElementById("bg-drill").text());
    String banner = page.getElementById("bg-banner").text();
    assertTrue(banner.contains("[breakGlassDrillBanner]"), banner);
    // Not on a banner that says "use it only for an active incident".
    assertFalse(banner.contains("[breakGlassBanner]"), banner);
    assertFalse(banner.contains("[breakGlassBannerTitle]"), banner);
  }

  @Test
  void errorsReplaceTheHelpAreAnnouncedAndTheFirstTakesTheFocus() throws Exception {
    Document clean = Jsoup.parse(render(model(false, false), Map.of()));
    assertEquals("", clean.getElementById("bg-errors").text(), "nothing to announce");
    assertTrue(clean.select("[autofocus]").isEmpty(), "no focus taken on a clean form");

    Document page =
        Jsoup.parse(
            render(model(false, false), Map.of("ticket", "Bad ticket.", "duration", "Too long.")));
    assertEquals("alert", page.getElementById("bg-errors").attr("role"));
    assertEquals("[breakGlassFormHasErrors]", page.getElementById("bg-errors").text());
    // The error stands where the help stood, once; the other fields keep their help.
    assertNull(page.getElementById("ticket-help"), "help replaced by the error");
    assertEquals("input-error-ticket", page.getElementById("ticket").attr("aria-describedby"));
    assertEquals("reason-help", page.getElementById("reason").attr("aria-describedby"));
    assertEquals(List.of("ticket"), page.select("[autofocus]").eachAttr("id"), "first error");
  }

  @Test
  void noDrillNoticeWhenTheModelHasNoDrillOrAFalseOne() throws Exception {
    assertNull(Jsoup.parse(render(model(false, false), Map.of())).getElementById("bg-drill"));
    assertNull(Jsoup.parse(render(model(true, false), Map.of())).getElementById("bg-drill"));
  }

  @Test
  void theFieldsKeepTheirNamesAndIdsAndShowTheLimits() throws Exception {
    Document page = Jsoup.parse(render(model(false, false), Map.of()));
    assertNotNull(page.getElementById("bg-activate-form"));
    assertNotNull(page.getElementById("bg-banner"));
    for (String name : List.of("reason", "ticket", "roles", "duration")) {
      assertFalse(page.select("[name=" + name + "]").isEmpty(), name);
    }
    assertEquals("[breakGlassReasonHelp|20]", page.getElementById("reason-help").text());
    assertEquals("[breakGlassTicketHelp|INC-12345]", page.getElementById("ticket-help").text());
    assertEquals("[breakGlassDurationHelp|60]", page.getElementById("duration-help").text());
    assertEquals("60", page.getElementById("duration").attr("max"));
    assertTrue(page.select("[id^=input-error-]").isEmpty(), "no errors before a submission");
    assertEquals("false", page.getElementById("reason").attr("aria-invalid"));
  }

  @Test
  void aFieldErrorSitsWithItsFieldAndTypedTextIsEscaped() throws Exception {
    String html = render(model(false, false), Map.of("reason", "Too short."));
    assertFalse(html.contains("<script>alert(1)</script>"), "typed text escaped");
    Document page = Jsoup.parse(html);
    assertEquals("Too short.", page.getElementById("input-error-reason").text());
    assertEquals("true", page.getElementById("reason").attr("aria-invalid"));
    assertTrue(
        page.getElementById("reason").attr("aria-describedby").contains("input-error-reason"));
    // Same form group as the field it is about.
    assertEquals(
        page.getElementById("reason").closest(".pf-v5-c-form__group"),
        page.getElementById("input-error-reason").closest(".pf-v5-c-form__group"));
    assertNull(page.getElementById("input-error-ticket"));
  }
}
