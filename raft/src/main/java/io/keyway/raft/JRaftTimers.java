package io.keyway.raft;

import com.alipay.sofa.jraft.util.NamedThreadFactory;
import com.alipay.sofa.jraft.util.SPI;
import com.alipay.sofa.jraft.util.timer.DefaultRaftTimerFactory;
import com.alipay.sofa.jraft.util.timer.HashedWheelTimer;
import com.alipay.sofa.jraft.util.timer.Timer;
import java.util.concurrent.TimeUnit;

/**
 * JRaft's timers (its {@code RaftTimerFactory} SPI, chosen over the default by priority) with a 10 ms wheel tick
 * instead of 1 ms.
 *
 * <p>Each member has four of them (election, vote, step-down, snapshot), and a hashed wheel wakes its thread
 * every tick whether or not anything is due: at 1 ms that is 4,000 wake-ups a second per member doing nothing,
 * CPU a 2-core machine running three members takes from the write path. These timers only fire timeouts of
 * hundreds of milliseconds and more (election timeout, vote timeout, leader lease check, snapshot interval), so
 * 10 ms of extra jitter changes nothing; heartbeats and replication use JRaft's scheduler, not these wheels.
 */
@SPI(priority = 100)
public class JRaftTimers extends DefaultRaftTimerFactory {
  static final long TICK_MS = 10;

  @Override
  public Timer createTimer(String name) {
    return new HashedWheelTimer(new NamedThreadFactory(name, true), TICK_MS, TimeUnit.MILLISECONDS, 512);
  }
}
