package io.keyway.gateway;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an idle member small when started as plain {@code java -jar keyway.jar}, without a relaunch.
 *
 * <p>The heap limit cannot change after start, but HotSpot's manageable flags can: free heap is returned to
 * the OS after collections, and an idle G1 heap is collected and shrunk periodically, so a member that
 * served a burst does not keep the burst's footprint. Flags the operator set on the command line win.
 */
final class JvmFootprint {
  private static final Logger LOG = LoggerFactory.getLogger(JvmFootprint.class);

  private static final List<String[]> DEFAULTS = List.of(
      new String[] {"MinHeapFreeRatio", "10"},
      new String[] {"MaxHeapFreeRatio", "30"},
      new String[] {"G1PeriodicGCInterval", "30000"});

  private static final String NETTY_JFR = "io.netty.jfr.enabled";

  private JvmFootprint() {}

  static void apply() {
    // Netty asks the JDK whether Flight Recorder is available when it starts, which loads ~110 jdk.jfr classes
    // into every member (and its CDS archive) only for Netty's own allocator events. JFR itself still works;
    // -Dio.netty.jfr.enabled=true brings Netty's events back.
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    if (hotspot == null) {
      return;
    }
    for (String[] flag : DEFAULTS) {
      try {
        VMOption current = hotspot.getVMOption(flag[0]);
        if (current.isWriteable() && current.getOrigin() == VMOption.Origin.DEFAULT) {
          hotspot.setVMOption(flag[0], flag[1]);
        }
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // another JVM or GC without this flag: nothing to tune
        LOG.debug("cannot set {}: {}", flag[0], e.getMessage());
      }
    }
  }
}
