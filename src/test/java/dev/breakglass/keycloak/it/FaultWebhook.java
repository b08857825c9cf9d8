package dev.breakglass.keycloak.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A slow webhook endpoint for the fault suite: it keeps each request as soon as it has read it,
 * then answers 204 only after {@code delay}, so a node killed meanwhile has sent an alert it never
 * recorded as delivered (the case that makes an at-least-once outbox send it twice).
 */
final class FaultWebhook implements AutoCloseable {

  private final HttpServer server;
  private final List<WebhookReceiver.Delivery> received = new CopyOnWriteArrayList<>();

  private FaultWebhook(Duration delay) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
    server.createContext(
        "/hook",
        exchange -> {
          String body;
          try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
          received.add(
              new WebhookReceiver.Delivery(Map.copyOf(exchange.getRequestHeaders()), body));
          try {
            Thread.sleep(delay.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  static FaultWebhook start(Duration delay) throws IOException {
    return new FaultWebhook(delay);
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  /** Every request read so far, duplicates included. */
  List<WebhookReceiver.Delivery> received() {
    return new ArrayList<>(received);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
