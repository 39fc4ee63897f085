package io.keyway.raft.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.List;

/**
 * Member and cluster ids derived exactly as etcd 3.5 derives them (membership.computeMemberId, genID), so a
 * Keyway member started with the same flags as an etcd member reports the same ids.
 */
public final class ClusterIds {
  private ClusterIds() {}

  /** sha1 over the sorted peer URLs concatenated, followed by the cluster token; first 8 bytes big-endian. */
  public static long memberId(Collection<String> peerUrls, String clusterToken) {
    StringBuilder joined = new StringBuilder();
    PeerUrls.normalize(peerUrls).forEach(joined::append);
    joined.append(clusterToken);
    return first8(sha1(joined.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** sha1 over the member ids sorted as unsigned numbers, 8 bytes big-endian each; first 8 bytes. */
  public static long clusterId(Collection<Long> memberIds) {
    List<Long> sorted = memberIds.stream().sorted(Long::compareUnsigned).toList();
    ByteBuffer buf = ByteBuffer.allocate(8 * sorted.size());
    sorted.forEach(buf::putLong);
    return first8(sha1(buf.array()));
  }

  /** etcd prints ids as unpadded lower-case hex (types.ID.String()). */
  public static String hex(long id) {
    return Long.toHexString(id);
  }

  public static long parseHex(String hex) {
    return Long.parseUnsignedLong(hex, 16);
  }

  private static long first8(byte[] hash) {
    return ByteBuffer.wrap(hash, 0, 8).getLong();
  }

  private static byte[] sha1(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is mandatory in every JDK", e);
    }
  }
}
