package io.keyway.raft;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.alipay.sofa.jraft.JRaftUtils;
import com.alipay.sofa.jraft.util.timer.Timer;
import com.alipay.sofa.jraft.util.timer.TimerTask;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JRaftTimersTest {
  @Test
  void jraftUsesTheCoarseTimersAndTheyStillFire() throws Exception {
    // the SPI entry must win over JRaft's own factory, or the 1 ms wheels come back unnoticed
    assertInstanceOf(JRaftTimers.class, JRaftUtils.raftTimerFactory());
    Timer timer = JRaftUtils.raftTimerFactory().getElectionTimer(false, "test-election");
    try {
      CountDownLatch fired = new CountDownLatch(1);
      long start = System.nanoTime();
      TimerTask task = t -> fired.countDown();
      timer.newTimeout(task, 50, TimeUnit.MILLISECONDS);
      assertTrue(fired.await(5, TimeUnit.SECONDS), "a timeout fires");
      assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "not before it is due");
    } finally {
      timer.stop();
    }
  }
}
