package io.keyway.gateway.config;

import java.time.Duration;
import java.util.Map;

/**
 * etcd's backend maintenance flags: the space quota and auto-compaction.
 *
 * @param quotaBackendBytes {@code --quota-backend-bytes}: negative disables, 0 is etcd's default (2 GiB)
 * @param autoCompactionMode {@code periodic} or {@code revision}
 * @param autoCompactionRetention parsed as etcd does: a duration in periodic mode (a bare integer counts
 *     hours); in revision mode a bare integer is a number of revisions, stored like etcd as that many
 *     nanoseconds; zero disables auto-compaction
 */
public record MaintenanceSettings(long quotaBackendBytes, String autoCompactionMode,
    Duration autoCompactionRetention) {

  static MaintenanceSettings resolve(Map<String, String> values) {
    String quotaText = value(values, "quota-backend-bytes");
    long quota;
    try {
      quota = Long.parseLong(quotaText.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new ConfigException(FlagKind.invalid("quota-backend-bytes", quotaText, "parse error").getMessage());
    }
    String mode = value(values, "auto-compaction-mode");
    switch (mode) {
      case "periodic", "revision" -> { }
      case "" -> throw new ConfigException("undefined auto-compaction-mode");
      default -> throw new ConfigException("unknown auto-compaction-mode \"" + mode + "\"");
    }
    String retention = value(values, "auto-compaction-retention");
    if (retention.isEmpty()) {
      retention = "0";
    }
    return new MaintenanceSettings(quota, mode, retention(mode, retention));
  }

  /** etcd's parseCompactionRetention. */
  static Duration retention(String mode, String text) {
    Long whole = null;
    try {
      whole = Long.parseLong(text);
    } catch (NumberFormatException e) {
      // not a bare number: a Go duration
    }
    if (whole != null && whole >= 0) {
      return mode.equals("revision") ? Duration.ofNanos(whole) : Duration.ofHours(whole);
    }
    Duration d;
    try {
      d = GoDuration.parse("auto-compaction-retention", text);
    } catch (FlagException e) {
      throw new ConfigException("error parsing CompactionRetention: time: invalid duration \"" + text + "\"");
    }
    if (d.isNegative()) {
      // etcd would start a compactor that spins on a negative period; refusing is the useful reading
      throw new ConfigException("--auto-compaction-retention must not be negative (set to " + text + ")");
    }
    return d;
  }

  private static String value(Map<String, String> values, String flag) {
    return values.getOrDefault(flag, EtcdFlag.find(flag).defaultValue());
  }
}
