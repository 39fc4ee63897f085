package io.keyway.store;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.mvccpb.Event;
import io.keyway.api.mvccpb.KeyValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * etcd 3.5's MVCC bookkeeping as etcd does it, independent of Keyway's: a bbolt-like "key" bucket of
 * 17/18-byte revision keys, key indexes made of generations, compaction that trims generations and deletes
 * from the bucket what its available set does not hold, and {@code hashByRev} with {@code Keep}. Fed the
 * events a Keyway store emits, it says what etcd would answer to HashKV for the same history.
 */
final class EtcdHashOracle {
  /** What HashKV answers: a hash with its compact revision, or an error. */
  record Answer(long hash, long compactRevision, EtcdError error) {}

  private record Rev(long main, long sub) {}

  private static final class KeyIndex {
    final List<List<Rev>> generations = new ArrayList<>(List.of(new ArrayList<>()));

    boolean isEmpty() {
      return generations.size() == 1 && generations.get(0).isEmpty();
    }
  }

  private final TreeMap<byte[], byte[]> bucket = new TreeMap<>(Arrays::compareUnsigned);
  private final Map<ByteString, KeyIndex> index = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
  private long currentRev = 1;
  private long compactMainRev = -1;

  /** One committed write: its events in sub-revision order. */
  void apply(long main, List<Event> events) {
    for (int sub = 0; sub < events.size(); sub++) {
      Event e = events.get(sub);
      ByteString key = e.getKv().getKey();
      KeyIndex ki = index.computeIfAbsent(key, k -> new KeyIndex());
      Rev rev = new Rev(main, sub);
      ki.generations.get(ki.generations.size() - 1).add(rev);
      if (e.getType() == Event.EventType.DELETE) {
        bucket.put(bucketKey(rev, true), KeyValue.newBuilder().setKey(key).build().toByteArray());
        ki.generations.add(new ArrayList<>());
      } else {
        bucket.put(bucketKey(rev, false), e.getKv().toByteArray());
      }
    }
    currentRev = main;
  }

  /** A compaction that etcd has finished, physical deletion included. */
  void compact(long rev) {
    compactMainRev = rev;
    Set<Rev> available = new HashSet<>();
    Iterator<KeyIndex> it = index.values().iterator();
    while (it.hasNext()) {
      KeyIndex ki = it.next();
      int[] found = doCompact(ki, rev, available);
      int genIdx = found[0];
      int revIndex = found[1];
      List<Rev> g = ki.generations.get(genIdx);
      if (!g.isEmpty() && revIndex != -1) {
        g.subList(0, revIndex).clear();
      }
      ki.generations.subList(0, genIdx).clear();
      if (ki.isEmpty()) {
        it.remove();
      }
    }
    bucket.entrySet().removeIf(e -> {
      Rev r = revOf(e.getKey());
      return r.main() <= rev && !available.contains(r);
    });
  }

  Answer hashKv(long rev) {
    if (rev > 0 && rev < compactMainRev) {
      return new Answer(0, 0, EtcdError.COMPACTED);
    }
    if (rev > 0 && rev > currentRev) {
      return new Answer(0, 0, EtcdError.FUTURE_REV);
    }
    if (rev == 0) {
      rev = currentRev;
    }
    Set<Rev> keep = new HashSet<>();
    for (KeyIndex ki : index.values()) {
      if (ki.isEmpty()) {
        continue;
      }
      int[] found = doCompact(ki, rev, keep);
      List<Rev> g = ki.generations.get(found[0]);
      if (!g.isEmpty() && found[1] == g.size() - 1 && found[0] != ki.generations.size() - 1) {
        keep.remove(g.get(found[1])); // a tombstone at exactly rev
      }
    }
    CRC32C crc = new CRC32C();
    crc.update("key".getBytes(StandardCharsets.US_ASCII));
    for (Map.Entry<byte[], byte[]> e : bucket.entrySet()) {
      Rev kr = revOf(e.getKey());
      boolean tombstone = e.getKey().length == 18;
      if (kr.main() > rev) {
        continue;
      }
      if (kr.main() <= compactMainRev && !keep.isEmpty() && !keep.contains(kr)) {
        continue;
      }
      if (kr.main() == compactMainRev && tombstone) {
        continue;
      }
      crc.update(e.getKey());
      crc.update(e.getValue());
    }
    return new Answer(crc.getValue(), compactMainRev, null);
  }

  /** etcd's keyIndex.doCompact: {generation index, revision index}; adds the revision it stops at. */
  private static int[] doCompact(KeyIndex ki, long atRev, Set<Rev> available) {
    int genIdx = 0;
    while (genIdx < ki.generations.size() - 1) {
      List<Rev> g = ki.generations.get(genIdx);
      if (g.get(g.size() - 1).main() >= atRev) {
        break;
      }
      genIdx++;
    }
    List<Rev> g = ki.generations.get(genIdx);
    for (int i = g.size() - 1; i >= 0; i--) {
      if (g.get(i).main() <= atRev) {
        available.add(g.get(i));
        return new int[] {genIdx, i};
      }
    }
    return new int[] {genIdx, -1};
  }

  private static byte[] bucketKey(Rev rev, boolean tombstone) {
    ByteBuffer b = ByteBuffer.allocate(tombstone ? 18 : 17);
    b.putLong(rev.main()).put((byte) '_').putLong(rev.sub());
    if (tombstone) {
      b.put((byte) 't');
    }
    return b.array();
  }

  private static Rev revOf(byte[] key) {
    ByteBuffer b = ByteBuffer.wrap(key);
    return new Rev(b.getLong(0), b.getLong(9));
  }
}
