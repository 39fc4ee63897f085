package io.keyway.raft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RatisSettingsTest {
  @TempDir Path dir;

  /** Ratis refuses to start a server whose log write buffer is not 8 bytes larger than the appender's limit. */
  @ParameterizedTest
  @ValueSource(ints = {1024, 1_572_864, 2_097_152, 3_145_728, 10_485_760})
  void logWriteBufferHoldsTheAppendersLimitForAnyRequestLimit(int maxRequestBytes) {
    NodeConfig config = NodeConfig.builder().name("m1").dataDir(dir)
        .listenPeerUrls(List.of("http://127.0.0.1:23999"))
        .initialAdvertisePeerUrls(List.of("http://127.0.0.1:23999"))
        .initialCluster("m1=http://127.0.0.1:23999")
        .maxRequestBytes(maxRequestBytes).build();
    RaftProperties p = RatisSettings.server(config, 1);
    long writeBuffer = RaftServerConfigKeys.Log.writeBufferSize(p).getSize();
    long appender = RaftServerConfigKeys.Log.Appender.bufferByteLimit(p).getSize();
    assertTrue(writeBuffer >= appender + 8, writeBuffer + " < " + appender + " + 8");
    assertTrue(appender >= 2L * maxRequestBytes, "an entry of max-request-bytes must fit the appender");
  }

  /** The write buffer is one zeroed direct buffer, resident for the member's life: not larger than needed. */
  @ParameterizedTest
  @ValueSource(ints = {1024, 1_572_864})
  void logWriteBufferOfAnUsualMemberStaysSmall(int maxRequestBytes) {
    NodeConfig config = NodeConfig.builder().name("m1").dataDir(dir)
        .listenPeerUrls(List.of("http://127.0.0.1:23999"))
        .initialAdvertisePeerUrls(List.of("http://127.0.0.1:23999"))
        .initialCluster("m1=http://127.0.0.1:23999")
        .maxRequestBytes(maxRequestBytes).build();
    long writeBuffer = RaftServerConfigKeys.Log.writeBufferSize(RatisSettings.server(config, 1)).getSize();
    assertTrue(writeBuffer <= 4L * 1024 * 1024, "write buffer of " + writeBuffer + " bytes");
  }
}
