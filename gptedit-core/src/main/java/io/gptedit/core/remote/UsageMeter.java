package io.gptedit.core.remote;

import static java.util.Objects.requireNonNull;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe counters of what a client did and spent: calls, retries, failures by kind, tokens, images and the
 * estimated cost (from a {@link PriceTable}).
 *
 * <p>A call is one invocation of a service method; it makes one or more attempts (HTTP requests). {@link
 * #retries()} counts attempts after the first; {@link #failures(RemoteException.Kind)} counts calls that ended in
 * an exception of that kind (after any retries). Usage is what successful replies reported.
 *
 * @since 0.1
 */
public final class UsageMeter {
  private final PriceTable prices;
  private final Map<Endpoint, Counters> byEndpoint = new EnumMap<>(Endpoint.class);
  private final Map<RemoteException.Kind, LongAdder> failures = new EnumMap<>(RemoteException.Kind.class);

  private static final class Counters {
    final LongAdder calls = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder successes = new LongAdder();
    final LongAdder inputTokens = new LongAdder();
    final LongAdder outputTokens = new LongAdder();
    final LongAdder images = new LongAdder();
  }

  /**
   * Creates a meter with all counters at zero.
   *
   * @param prices the prices used by {@link #estimatedCostUsd()}
   */
  public UsageMeter(PriceTable prices) {
    this.prices = requireNonNull(prices, "prices");
    for (Endpoint e : Endpoint.values()) {
      byEndpoint.put(e, new Counters());
    }
    for (RemoteException.Kind k : RemoteException.Kind.values()) {
      failures.put(k, new LongAdder());
    }
  }

  void recordCall(Endpoint endpoint) {
    byEndpoint.get(endpoint).calls.increment();
  }

  void recordRetry(Endpoint endpoint) {
    byEndpoint.get(endpoint).retries.increment();
  }

  void recordFailure(RemoteException.Kind kind) {
    failures.get(kind).increment();
  }

  void recordSuccess(Endpoint endpoint, Usage usage) {
    Counters c = byEndpoint.get(endpoint);
    c.successes.increment();
    c.inputTokens.add(usage.inputTokens());
    c.outputTokens.add(usage.outputTokens());
    c.images.add(usage.images());
  }

  /**
   * Returns the prices this meter estimates cost with.
   *
   * @return the price table
   */
  public PriceTable prices() {
    return prices;
  }

  /**
   * Returns the number of calls started on all endpoints.
   *
   * @return the count
   */
  public long calls() {
    return byEndpoint.values().stream().mapToLong(c -> c.calls.sum()).sum();
  }

  /**
   * Returns the number of calls started on one endpoint.
   *
   * @param endpoint the endpoint
   * @return the count
   */
  public long calls(Endpoint endpoint) {
    return byEndpoint.get(endpoint).calls.sum();
  }

  /**
   * Returns the number of calls that returned a result.
   *
   * @return the count
   */
  public long successes() {
    return byEndpoint.values().stream().mapToLong(c -> c.successes.sum()).sum();
  }

  /**
   * Returns the number of retries (attempts after the first) on all endpoints.
   *
   * @return the count
   */
  public long retries() {
    return byEndpoint.values().stream().mapToLong(c -> c.retries.sum()).sum();
  }

  /**
   * Returns the number of retries on one endpoint.
   *
   * @param endpoint the endpoint
   * @return the count
   */
  public long retries(Endpoint endpoint) {
    return byEndpoint.get(endpoint).retries.sum();
  }

  /**
   * Returns the number of calls that failed, of any kind.
   *
   * @return the count
   */
  public long failures() {
    return failures.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /**
   * Returns the number of calls that failed with one kind of error.
   *
   * @param kind the kind
   * @return the count
   */
  public long failures(RemoteException.Kind kind) {
    return failures.get(requireNonNull(kind, "kind")).sum();
  }

  /**
   * Returns the usage reported by successful replies on one endpoint.
   *
   * @param endpoint the endpoint
   * @return tokens and images
   */
  public Usage usage(Endpoint endpoint) {
    Counters c = byEndpoint.get(endpoint);
    return new Usage(c.inputTokens.sum(), c.outputTokens.sum(), c.images.sum());
  }

  /**
   * Returns the usage reported by successful replies on all endpoints.
   *
   * @return tokens and images
   */
  public Usage usage() {
    Usage total = Usage.NONE;
    for (Endpoint e : Endpoint.values()) {
      total = total.plus(usage(e));
    }
    return total;
  }

  /**
   * Returns the estimated spend: each endpoint's usage priced by {@link PriceTable#priceFor(Endpoint)}.
   *
   * @return US dollars (an estimate; only as good as the price table)
   */
  public double estimatedCostUsd() {
    double cost = 0;
    for (Endpoint e : Endpoint.values()) {
      cost += prices.priceFor(e).cost(usage(e));
    }
    return cost;
  }

  /**
   * Returns a one-line summary, such as {@code calls=10 ok=9 retries=3 failures=1 tokens=1200/4000 images=8
   * cost=$0.17}.
   *
   * @return the summary
   */
  @Override
  public String toString() {
    Usage u = usage();
    return String.format(
        Locale.ROOT,
        "calls=%d ok=%d retries=%d failures=%d tokens=%d/%d images=%d cost=$%.4f",
        calls(),
        successes(),
        retries(),
        failures(),
        u.inputTokens(),
        u.outputTokens(),
        u.images(),
        estimatedCostUsd());
  }
}
