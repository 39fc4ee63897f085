package io.keyway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcStatsTest {

  @Test
  void cpuTimeIsUtimePlusStimeEvenWhenTheCommandNameHasSpacesAndParens() {
    String stat = "4242 (java (my) app) S 1 4242 4242 0 -1 4194560 12000 0 3 0 1234 566 0 0 20 0 40 0 "
        + "1000 5000000000 60000 18446744073709551615 1 1 0 0 0 0 0 4096 17102 0 0 0 17 1 0 0 0 0 0";
    assertEquals(18.0, ProcStats.cpuSecondsFromStat(stat), 1e-9);
  }

  @Test
  void statusFieldsAreReadInKib() {
    String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
    assertEquals(204800, ProcStats.statusFieldKib(status, "VmHWM"));
    assertEquals(102400, ProcStats.statusFieldKib(status, "VmRSS"));
    assertEquals(-1024, ProcStats.statusFieldKib(status, "VmSwap"));
  }

  @Test
  void ownProcessHasCpuTimeAndMemory() {
    long pid = ProcessHandle.current().pid();
    assertTrue(ProcStats.cpuSeconds(pid) > 0);
    assertTrue(ProcStats.rssMib(pid) > 1);
    assertTrue(ProcStats.peakRssMib(pid) >= ProcStats.rssMib(pid) - 1);
  }
}
