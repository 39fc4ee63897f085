package io.keyway.raft.maintenance;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.CompactionRequest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's v3compactor ({@code --auto-compaction-mode/-retention}): the leader proposes ordinary Compaction
 * requests through Raft on a schedule. Members that do not lead keep their clocks and observations running
 * but propose nothing (etcd pauses the compactor on them).
 *
 * <ul>
 *   <li><b>periodic</b> (retention is a duration): every tenth of the retention (at most 6 minutes) the current
 *   revision is recorded; once a whole retention has passed since the start (later: since the last compaction,
 *   at most an hour), the store is compacted to the revision recorded one retention ago.
 *   <li><b>revision</b> (retention is a number of revisions): every 5 minutes the store is compacted to the
 *   current revision minus the retention, if that is positive and new.
 * </ul>
 *
 * <p>A compaction that fails with "required revision has been compacted" counts as done, as in etcd; other
 * failures are retried on the next tick. The revision mode's 5-minute interval can be shortened for tests
 * only, with the system property {@value #REVISION_INTERVAL_PROPERTY} (milliseconds).
 */
public final class AutoCompactor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AutoCompactor.class);

  public static final String MODE_PERIODIC = "periodic";
  public static final String MODE_REVISION = "revision";
  /** Hidden test hook: the revision mode's check interval in milliseconds. */
  public static final String REVISION_INTERVAL_PROPERTY = "keyway.autoCompaction.revisionIntervalMs";
  private static final Duration REVISION_INTERVAL = Duration.ofMinutes(5);
  private static final Duration HOUR = Duration.ofHours(1);
  private static final int RETRY_DIVISOR = 10;

  private final ScheduledExecutorService timer;
  private final LongSupplier revision;
  private final BooleanSupplier leading;
  private final Function<CompactionRequest, CompletableFuture<?>> compact;
  private final long timeoutMs;

  private AutoCompactor(LongSupplier revision, BooleanSupplier leading,
      Function<CompactionRequest, CompletableFuture<?>> compact, long timeoutMs) {
    this.revision = revision;
    this.leading = leading;
    this.compact = compact;
    this.timeoutMs = timeoutMs;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "keyway-auto-compactor");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts auto-compaction, or returns null when {@code retention} is zero (disabled).
   *
   * @param retention a duration (periodic) or a number of revisions as nanoseconds (revision), as etcd parses
   *     the flag
   * @param revision the store's current revision
   * @param leading whether this member leads now (only the leader proposes)
   * @param compact proposes a compaction through Raft, completing once it is applied
   * @param timeoutMs how long one proposal may take before it counts as failed
   */
  public static AutoCompactor start(String mode, Duration retention, LongSupplier revision, BooleanSupplier leading,
      Function<CompactionRequest, CompletableFuture<?>> compact, long timeoutMs) {
    if (retention.isZero()) {
      return null;
    }
    AutoCompactor c = new AutoCompactor(revision, leading, compact, timeoutMs);
    switch (mode) {
      case MODE_PERIODIC -> c.new Periodic(retention).start();
      case MODE_REVISION -> c.new ByRevision(retention.toNanos()).start();
      default -> throw new IllegalArgumentException("unsupported compaction mode " + mode);
    }
    return c;
  }

  /** Proposes a compaction to {@code rev}; true when it is done (or was done already). */
  private boolean compactTo(long rev) {
    try {
      compact.apply(CompactionRequest.newBuilder().setRevision(rev).build())
          .get(timeoutMs, TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof EtcdException ee && ee.error() == EtcdError.COMPACTED) {
        return true;
      }
      LOG.warn("failed auto compaction to revision {}: {}", rev, cause == null ? e.toString() : cause.toString());
      return false;
    } catch (TimeoutException e) {
      LOG.warn("failed auto compaction to revision {}: no result within {} ms", rev, timeoutMs);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (RuntimeException e) {
      LOG.warn("failed auto compaction to revision {}: {}", rev, e.toString());
      return false;
    }
  }

  private final class Periodic {
    private final Duration period;
    private final Duration retryInterval;
    private final Duration compactInterval;
    private final int retentions;
    private final Deque<Long> revs = new ArrayDeque<>();
    private long lastRevision;
    private long lastSuccess = System.nanoTime();
    private Duration baseInterval;

    Periodic(Duration period) {
      this.period = period;
      Duration capped = period.compareTo(HOUR) > 0 ? HOUR : period;
      this.compactInterval = capped;
      this.retryInterval = capped.dividedBy(RETRY_DIVISOR);
      this.retentions = (int) (period.toNanos() / Math.max(1, retryInterval.toNanos())) + 1;
      this.baseInterval = period;
    }

    void start() {
      LOG.info("auto periodic compaction: retention {}, checked every {}", period, retryInterval);
      record();
      long every = Math.max(1, retryInterval.toNanos());
      timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.NANOSECONDS);
    }

    /** The revision at the start of each interval; the oldest one is always the revision one period ago. */
    private void record() {
      revs.addLast(revision.getAsLong());
      if (revs.size() > retentions) {
        revs.removeFirst();
      }
    }

    private void tick() {
      try {
        if (leading.getAsBoolean()) {
          maybeCompact();
        }
        record();
      } catch (RuntimeException e) {
        LOG.warn("auto periodic compaction check failed: {}", e.toString()); // a closing store; keep the timer
      }
    }

    private void maybeCompact() {
      long rev = revs.getFirst();
      if (System.nanoTime() - lastSuccess < baseInterval.toNanos() || rev == lastRevision) {
        return;
      }
      if (baseInterval.equals(period)) {
        baseInterval = compactInterval;
      }
      LOG.info("starting auto periodic compaction: revision {}, compact-period {}", rev, period);
      long started = System.nanoTime();
      if (compactTo(rev)) {
        LOG.info("completed auto periodic compaction: revision {}, compact-period {}, took {} ms", rev, period,
            (System.nanoTime() - started) / 1_000_000);
        lastRevision = rev;
        lastSuccess = System.nanoTime();
      }
    }
  }

  private final class ByRevision {
    private final long retention;
    private long previous;

    ByRevision(long retention) {
      this.retention = retention;
    }

    void start() {
      long every = Long.getLong(REVISION_INTERVAL_PROPERTY, REVISION_INTERVAL.toMillis());
      LOG.info("auto revision compaction: retention {} revisions, checked every {} ms", retention, every);
      timer.scheduleWithFixedDelay(this::tick, every, Math.max(1, every), TimeUnit.MILLISECONDS);
    }

    private void tick() {
      try {
        check();
      } catch (RuntimeException e) {
        LOG.warn("auto revision compaction check failed: {}", e.toString()); // a closing store; keep the timer
      }
    }

    private void check() {
      if (!leading.getAsBoolean()) {
        return;
      }
      long rev = revision.getAsLong() - retention;
      if (rev <= 0 || rev == previous) {
        return;
      }
      LOG.info("starting auto revision compaction: revision {}, revision-compaction-retention {}", rev, retention);
      long started = System.nanoTime();
      if (compactTo(rev)) {
        previous = rev;
        LOG.info("completed auto revision compaction: revision {}, revision-compaction-retention {}, took {} ms",
            rev, retention, (System.nanoTime() - started) / 1_000_000);
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
