package dev.breakglass.keycloak.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A webhook endpoint on localhost that keeps what it receives. It can go down and come back on the
 * same port (an outage), or hang without answering (a stuck receiver).
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One POST as received. */
  public record Delivery(Map<String, List<String>> headers, String body) {
    /** The body as JSON: alerts always are. */
    public JsonNode json() {
      try {
        return Oidc.JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("Not JSON: " + body, e);
      }
    }

    public String header(String name) {
      for (var entry : headers.entrySet()) {
        if (entry.getKey().equalsIgnoreCase(name)) {
          return entry.getValue().get(0);
        }
      }
      return null;
    }
  }

  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private int port;
  private HttpServer server;
  private volatile CountDownLatch hang;

  private WebhookReceiver() {}

  /** Starts on a free port; later restarts ({@link #up()}) reuse it. */
  public static WebhookReceiver start() throws IOException {
    WebhookReceiver receiver = new WebhookReceiver();
    receiver.up();
    return receiver;
  }

  /** Starts on a fixed port: for a URL that must be known before the server starts. */
  public static WebhookReceiver startOn(int port) throws IOException {
    WebhookReceiver receiver = new WebhookReceiver();
    receiver.port = port;
    receiver.up();
    return receiver;
  }

  public synchronized void up() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
    port = server.getAddress().getPort();
    server.createContext(
        "/hook",
        exchange -> {
          String body;
          try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
          CountDownLatch stuck = hang;
          if (stuck != null) {
            try {
              stuck.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
          }
          deliveries.add(new Delivery(Map.copyOf(exchange.getRequestHeaders()), body));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  public synchronized int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port() + "/hook";
  }

  /** Stops listening: connections are refused until {@link #up()}. */
  public synchronized void down() {
    server.stop(0);
  }

  /** From now on requests are read but never answered, until {@link #release()}. */
  public void hang() {
    hang = new CountDownLatch(1);
  }

  public void release() {
    CountDownLatch stuck = hang;
    hang = null;
    if (stuck != null) {
      stuck.countDown();
    }
  }

  public List<Delivery> deliveries() {
    return new ArrayList<>(deliveries);
  }

  public void clear() {
    deliveries.clear();
  }

  @Override
  public void close() {
    release();
    server.stop(0);
  }
}
