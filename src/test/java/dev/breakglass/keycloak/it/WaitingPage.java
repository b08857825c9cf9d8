package dev.breakglass.keycloak.it;

import org.jsoup.nodes.Element;

/**
 * The requester's page while a second person decides (and its outcome when it is not an approval),
 * as {@link Browser} fetched it. It moves on by a meta refresh, which {@link #refresh()} follows as
 * a browser would.
 */
final class WaitingPage {

  static final String WAITING = "waiting";
  static final String REJECTED = "rejected";
  static final String TIMED_OUT = "timedOut";

  private final Browser browser;
  private final Browser.Page page;

  private WaitingPage(Browser browser, Browser.Page page) {
    this.browser = browser;
    this.page = page;
  }

  static WaitingPage http(Browser browser, Browser.Page page) {
    return new WaitingPage(browser, page);
  }

  Browser.Page page() {
    return page;
  }

  boolean isShown() {
    return root() != null;
  }

  /** {@code waiting}, {@code rejected} or {@code timedOut}; null when this is another page. */
  String state() {
    return root() == null ? null : root().attr("data-state");
  }

  String requestId() {
    return root() == null ? null : root().attr("data-request");
  }

  private Element root() {
    return page.doc().getElementById("bg-wait");
  }

  String text(String id) {
    Element element = page.doc().getElementById(id);
    return element == null ? null : element.text();
  }

  /** The URL of the meta refresh ({@code 5;url=...}). */
  String refreshUrl() {
    Element meta = page.doc().selectFirst("meta[http-equiv=refresh]");
    if (meta == null) {
      throw new AssertionError("No refresh on this page (" + page.status() + "):\n" + page.body());
    }
    String content = meta.attr("content");
    return content.substring(content.indexOf("url=") + 4);
  }

  /** The page the refresh leads to: the waiting page again, an outcome, or the app's redirect. */
  WaitingPage refresh() {
    return new WaitingPage(browser, browser.get(refreshUrl()));
  }

  @Override
  public String toString() {
    return "page " + page.status() + " state " + state() + " location " + page.location();
  }
}
