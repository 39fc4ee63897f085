package io.keyway.client.cache;

/** A registered listener; closing it removes the listener (no checked exception, unlike AutoCloseable). */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
