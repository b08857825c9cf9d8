package dev.breakglass.keycloak.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An SMTP server on localhost that accepts every message and keeps it: just enough of RFC 5321 for
 * Keycloak's mail sender without authentication or TLS.
 */
public final class SmtpSink implements AutoCloseable {

  /** One message: envelope recipients and the raw data (headers and body). */
  public record Mail(List<String> recipients, String data) {}

  private final ServerSocket socket;
  private final List<Mail> mails = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private SmtpSink(int port) throws IOException {
    socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "smtp-sink");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public static SmtpSink start() throws IOException {
    return new SmtpSink(0);
  }

  /** On a given port: a mail server that comes back where the realm expects it after an outage. */
  public static SmtpSink startOn(int port) throws IOException {
    return new SmtpSink(port);
  }

  public int port() {
    return socket.getLocalPort();
  }

  public List<Mail> mails() {
    return new ArrayList<>(mails);
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Thread handler = new Thread(() -> serve(client), "smtp-sink-session");
        handler.setDaemon(true);
        handler.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = client.getOutputStream()) {
      reply(out, "220 localhost smtp-sink");
      List<String> recipients = new ArrayList<>();
      for (String line; (line = in.readLine()) != null; ) {
        String command =
            line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
        switch (command) {
          case "EHLO", "HELO" -> reply(out, "250 localhost");
          case "MAIL" -> {
            recipients = new ArrayList<>();
            reply(out, "250 OK");
          }
          case "RCPT" -> {
            recipients.add(line.substring(line.indexOf('<') + 1, line.lastIndexOf('>')));
            reply(out, "250 OK");
          }
          case "DATA" -> {
            reply(out, "354 End data with <CR><LF>.<CR><LF>");
            StringBuilder data = new StringBuilder();
            for (String d; (d = in.readLine()) != null && !d.equals("."); ) {
              data.append(d.startsWith("..") ? d.substring(1) : d).append('\n');
            }
            mails.add(new Mail(List.copyOf(recipients), data.toString()));
            reply(out, "250 OK queued");
          }
          case "QUIT" -> {
            reply(out, "221 Bye");
            return;
          }
          default -> reply(out, "250 OK");
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static void reply(OutputStream out, String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
