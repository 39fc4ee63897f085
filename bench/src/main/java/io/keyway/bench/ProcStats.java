package io.keyway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What Linux's /proc says about one server process: CPU time used and resident memory. */
final class ProcStats {
  /** USER_HZ; 100 on every Linux architecture the servers run on. */
  static final double TICKS_PER_SECOND = 100.0;

  private ProcStats() {}

  /** utime + stime of a live process, in seconds; -1 when the process is gone. */
  static double cpuSeconds(long pid) {
    try {
      return cpuSecondsFromStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException e) {
      return -1;
    }
  }

  /** Resident set size now, in MiB; -1 when the process is gone. */
  static double rssMib(long pid) {
    return statusKib(pid, "VmRSS") / 1024.0;
  }

  /** Peak resident set size over the process's life, in MiB; -1 when the process is gone. */
  static double peakRssMib(long pid) {
    return statusKib(pid, "VmHWM") / 1024.0;
  }

  private static double statusKib(long pid, String field) {
    try {
      return statusFieldKib(Files.readString(Path.of("/proc", Long.toString(pid), "status")), field);
    } catch (IOException e) {
      return -1024;
    }
  }

  /** Fields 14 and 15 of /proc/PID/stat, counted after the parenthesised command name (which may hold spaces). */
  static double cpuSecondsFromStat(String stat) {
    String afterName = stat.substring(stat.lastIndexOf(')') + 2);
    String[] f = afterName.trim().split("\\s+");
    // afterName starts at field 3 (state): utime is field 14, stime field 15
    long utime = Long.parseLong(f[14 - 3]);
    long stime = Long.parseLong(f[15 - 3]);
    return (utime + stime) / TICKS_PER_SECOND;
  }

  /** A "Name:   123 kB" line of /proc/PID/status, in KiB; -1024 when absent. */
  static double statusFieldKib(String status, String field) {
    for (String line : status.split("\n")) {
      if (line.startsWith(field + ":")) {
        String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
        return Long.parseLong(parts[0]);
      }
    }
    return -1024;
  }

  /** The 1-minute load average of the machine. */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
