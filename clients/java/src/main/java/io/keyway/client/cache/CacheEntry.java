package io.keyway.client.cache;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;

/**
 * One key as the cache holds it: etcd's KeyValue at {@code modRevision}. Immutable; equal entries are the same
 * version of the same key.
 */
public record CacheEntry(ByteSequence key, ByteSequence value, long createRevision, long modRevision, long version,
                         long lease) {

  static CacheEntry of(KeyValue kv) {
    return new CacheEntry(kv.getKey(), kv.getValue(), kv.getCreateRevision(), kv.getModRevision(), kv.getVersion(),
        kv.getLease());
  }

  public String keyString() {
    return Values.utf8(key);
  }

  public String valueString() {
    return Values.utf8(value);
  }

  public <T> T valueJson(Class<T> type) {
    return Values.json(value, type);
  }

  public JsonNode valueTree() {
    return Values.jsonTree(value);
  }

  @Override
  public String toString() {
    return keyString() + "@" + modRevision + "=" + valueString();
  }
}
