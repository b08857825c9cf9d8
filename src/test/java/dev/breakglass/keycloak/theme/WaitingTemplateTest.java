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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

/**
 * The requester's waiting page rendered by FreeMarker without a server: it refreshes only while
 * waiting, says what happens at the timeout, and shows typed text (reason, an approver's comment)
 * as text, never as markup.
 */
class WaitingTemplateTest {

  private static final String REFRESH =
      "https://kc.example/login-actions/required-action?session_code=abc&execution=break-glass-activate";

  private static Document render(Map<String, Object> wait) throws Exception {
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
              new ClassTemplateLoader(WaitingTemplateTest.class, "/theme-resources/templates")
            }));
    cfg.setOutputFormat(HTMLOutputFormat.INSTANCE);
    Map<String, Object> model = new HashMap<>();
    model.put("breakGlassWait", wait);
    model.put("properties", Map.of());
    model.put(
        "url",
        Map.of("loginRestartFlowUrl", "https://kc.example/restart", "resourcesPath", "/resources"));
    model.put(
        "msg",
        (TemplateMethodModelEx)
            args ->
                "[" + args.stream().map(Object::toString).collect(Collectors.joining("|")) + "]");
    StringWriter out = new StringWriter();
    cfg.getTemplate("break-glass-waiting.ftl").process(model, out);
    return Jsoup.parse(out.toString());
  }

  private static Map<String, Object> model(String state, String fallback) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", state);
    m.put("requestId", "req-1");
    m.put("roles", "emergency-admin");
    m.put("reason", "Primary <script>alert(1)</script> down");
    m.put("ticket", "INC-4711");
    m.put("duration", 20);
    m.put("approverGroup", "/approvers");
    m.put("timesOutAt", "2026-11-29 10:55:00 UTC");
    m.put("fallback", fallback);
    m.put("fallbackMaxDuration", 5);
    m.put("refreshUrl", REFRESH);
    m.put("refreshSeconds", 5);
    m.put("rejectedBy", "approver");
    m.put("comment", "Use the <b>runbook</b>");
    return m;
  }

  @Test
  void whileWaitingItRefreshesAndSaysWhoDecidesUntilWhenAndWhatThen() throws Exception {
    Document page = render(model("waiting", "deny"));
    assertEquals("waiting", page.getElementById("bg-wait").attr("data-state"));
    assertEquals("5;url=" + REFRESH, page.selectFirst("meta[http-equiv=refresh]").attr("content"));
    assertEquals(REFRESH, page.getElementById("bg-wait-check").attr("href"));
    assertEquals("/approvers", page.getElementById("bg-wait-approvers").text());
    assertEquals("2026-11-29 10:55:00 UTC", page.getElementById("bg-wait-until").text());
    assertEquals("[breakGlassWaitThenDeny]", page.getElementById("bg-wait-then").text());
    assertEquals(
        "[breakGlassWaitThenSelfActivate|5]",
        render(model("waiting", "self-activate")).getElementById("bg-wait-then").text());
    assertEquals(
        "Primary <script>alert(1)</script> down", page.getElementById("bg-wait-reason").text());
    // The one script is the product's own file (the pausable check); typed text is never markup.
    assertEquals(1, page.select("script").size());
    assertTrue(page.selectFirst("script").attr("src").endsWith("/js/break-glass.js"));
    // The meta refresh only for browsers without JavaScript; with it, a check a person can pause.
    assertEquals("noscript", page.selectFirst("meta[http-equiv=refresh]").parent().tagName());
    assertEquals("false", page.getElementById("bg-wait-pause").attr("aria-pressed"));
  }

  @Test
  void aRejectionSaysByWhomAndWhyAndStopsRefreshing() throws Exception {
    Document page = render(model("rejected", "deny"));
    assertNull(page.selectFirst("meta[http-equiv=refresh]"), "no refresh once decided");
    assertEquals(
        "[breakGlassWaitRejected|approver]", page.getElementById("bg-wait-outcome").text());
    assertTrue(page.getElementById("bg-wait-comment").text().contains("Use the <b>runbook</b>"));
    assertTrue(page.select("main b").isEmpty(), "the comment is text");
    assertNotNull(page.getElementById("bg-restart"));
    assertNull(page.getElementById("bg-wait-approvers"));
  }

  @Test
  void aTimeoutSaysNobodyApproved() throws Exception {
    Document page = render(model("timedOut", "deny"));
    assertEquals("[breakGlassWaitTimedOut]", page.getElementById("bg-wait-outcome").text());
    assertNull(page.getElementById("bg-wait-comment"));
    assertFalse(page.html().contains("http-equiv=\"refresh\""));
  }
}
