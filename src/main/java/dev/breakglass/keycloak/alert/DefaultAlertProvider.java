package dev.breakglass.keycloak.alert;

public class DefaultAlertProvider implements AlertProvider {

  private final AlertDispatcher dispatcher;

  public DefaultAlertProvider(AlertDispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  @Override
  public void deliverSoon() {
    dispatcher.deliverSoon();
  }

  @Override
  public AlertDispatcher.Result deliverNow() {
    return dispatcher.drain();
  }

  @Override
  public void close() {}
}
