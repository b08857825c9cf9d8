package dev.breakglass.keycloak.ticket;

import dev.breakglass.keycloak.domain.TicketCheckPolicy;
import dev.breakglass.keycloak.domain.TicketCheckResult;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * GETs the policy's ticket URL for one ticket. The URL's host is the template's (the ticket is
 * fully percent-encoded), redirects are failures, the answer is cut off after {@link
 * TicketResponses#MAX_BODY_BYTES}, and the whole exchange is bounded by {@link
 * HttpTicketCheckProviderFactory#TOTAL_TIMEOUT}. The authorization header is never logged.
 */
public class HttpTicketCheckProvider implements TicketCheckProvider {

  private static final Logger LOG = Logger.getLogger(HttpTicketCheckProvider.class);

  private final HttpClient client;

  HttpTicketCheckProvider(HttpClient client) {
    this.client = client;
  }

  @Override
  public TicketCheckResult check(TicketCheckPolicy policy, String ticket) {
    if (policy.urlTemplate() == null) {
      return TicketCheckResult.failed("no ticket URL configured");
    }
    long timeout = HttpTicketCheckProviderFactory.TOTAL_TIMEOUT.toMillis();
    URI uri;
    try {
      uri = URI.create(TicketCheckPolicy.url(policy.urlTemplate(), ticket));
    } catch (IllegalArgumentException e) {
      return TicketCheckResult.failed("ticket URL invalid");
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .GET()
            .timeout(HttpTicketCheckProviderFactory.TOTAL_TIMEOUT)
            .header("Accept", "application/json");
    if (policy.authorization() != null) {
      request.header("Authorization", policy.authorization());
    }
    CompletableFuture<HttpResponse<byte[]>> exchange =
        client.sendAsync(request.build(), info -> new CappedBody(TicketResponses.MAX_BODY_BYTES));
    try {
      HttpResponse<byte[]> response = exchange.get(timeout, TimeUnit.MILLISECONDS);
      return TicketResponses.classify(policy, response.statusCode(), response.body());
    } catch (TimeoutException e) {
      exchange.cancel(true);
      return TicketCheckResult.failed("no answer within " + timeout + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return TicketCheckResult.failed("interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TooLarge) {
        return TicketCheckResult.failed(
            "response larger than " + TicketResponses.MAX_BODY_BYTES + " bytes");
      }
      LOG.debugf("Ticket check to %s failed: %s", uri.getHost(), e.getCause());
      return TicketCheckResult.failed("incident system unreachable");
    }
  }

  @Override
  public void close() {}

  /** The answer as bytes; more than {@code cap} cancels the exchange. */
  static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int cap;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    CappedBody(int cap) {
      this.cap = cap;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer buffer : buffers) {
        if (bytes.size() + buffer.remaining() > cap) {
          subscription.cancel();
          result.completeExceptionally(new TooLarge());
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toByteArray());
    }
  }

  static final class TooLarge extends RuntimeException {
    TooLarge() {
      super("response too large", null, false, false);
    }
  }
}
