package io.keyway.store.rocks;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;

/**
 * The store's content as a canonical byte stream: per column family (in the backend's fixed order) its name,
 * then its entries in key order, each as a 4-byte length and the bytes of key and value; a length of -1
 * closes a column family, an empty name closes the dump. Two members holding the same data write the same
 * bytes, whatever their files look like (flushes, compactions and defragments differ per member) — as
 * etcd's snapshots of one cluster agree in size.
 */
public final class LogicalDump {
  private static final int END_OF_FAMILY = -1;
  private static final long BATCH_BYTES = 4L << 20;

  private LogicalDump() {}

  /** Writes every entry visible in {@code snapshot}; returns the number of bytes written. */
  public static long write(RocksBackend backend, Snapshot snapshot, DataOutputStream out) {
    long[] written = {0};
    byte[][] current = {null};
    try {
      backend.scanAll(snapshot, (family, key, value) -> {
        try {
          if (!Arrays.equals(family, current[0])) {
            if (current[0] != null) {
              out.writeInt(END_OF_FAMILY);
              written[0] += 4;
            }
            out.writeShort(family.length);
            out.write(family);
            written[0] += 2 + family.length;
            current[0] = family;
          }
          out.writeInt(key.length);
          out.write(key);
          out.writeInt(value.length);
          out.write(value);
          written[0] += 8L + key.length + value.length;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      if (current[0] != null) {
        out.writeInt(END_OF_FAMILY);
        written[0] += 4;
      }
      out.writeShort(0);
      return written[0] + 2;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads a dump written by {@link #write} into {@code backend}, which should be empty. */
  public static void read(DataInputStream in, RocksBackend backend) throws IOException {
    try {
      while (true) {
        int nameLength = in.readUnsignedShort();
        if (nameLength == 0) {
          return;
        }
        byte[] family = in.readNBytes(nameLength);
        if (family.length != nameLength || !backend.hasFamily(family)) {
          throw new IOException("not a keyway snapshot: unknown column family "
              + new String(family, StandardCharsets.UTF_8));
        }
        WriteBatch batch = new WriteBatch();
        try {
          long pending = 0;
          for (int keyLength = in.readInt(); keyLength != END_OF_FAMILY; keyLength = in.readInt()) {
            byte[] key = readExactly(in, keyLength);
            byte[] value = readExactly(in, in.readInt());
            backend.put(batch, family, key, value);
            pending += key.length + value.length;
            if (pending >= BATCH_BYTES) {
              backend.write(batch);
              batch.close();
              batch = new WriteBatch();
              pending = 0;
            }
          }
          backend.write(batch);
        } finally {
          batch.close();
        }
      }
    } catch (EOFException e) {
      throw new IOException("not a keyway snapshot: the file is truncated", e);
    }
  }

  private static byte[] readExactly(DataInputStream in, int length) throws IOException {
    if (length < 0) {
      throw new IOException("not a keyway snapshot: negative length " + length);
    }
    byte[] bytes = in.readNBytes(length);
    if (bytes.length != length) {
      throw new EOFException();
    }
    return bytes;
  }
}
