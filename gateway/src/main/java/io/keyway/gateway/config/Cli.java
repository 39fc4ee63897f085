package io.keyway.gateway.config;

import io.keyway.gateway.EtcdVersion;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns etcd's command line, environment and config file into a {@link ServerConfig}, with etcd's
 * precedence: a config file replaces flags and environment entirely; otherwise a flag beats its
 * {@code ETCD_*} variable, which beats the default. Side-effect free apart from the two streams, so tests
 * can drive it like a process.
 */
public final class Cli {
  private Cli() {}

  /** What to do after parsing: exit with a code, or run with a config (after logging the warnings). */
  public sealed interface Outcome {
    record Exit(int code) implements Outcome {}

    record Run(ServerConfig config, List<String> warnings) implements Outcome {}
  }

  public static final int EXIT_OK = 0;
  /** etcd: configuration that parses but does not validate. */
  public static final int EXIT_INVALID_CONFIG = 1;
  /** Go's flag package: unknown or malformed flag. */
  public static final int EXIT_USAGE = 2;

  public static Outcome parse(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    CommandLineFlags.Parsed parsed;
    try {
      parsed = CommandLineFlags.parse(args);
    } catch (FlagException e) {
      err.println(e.getMessage());
      return new Outcome.Exit(EXIT_USAGE);
    }
    if (parsed.help()) {
      PrintWriter writer = new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true);
      CommandLineFlags.printUsage(writer);
      writer.flush();
      return new Outcome.Exit(EXIT_OK);
    }
    if (parsed.version()) {
      out.println("etcd Version: " + EtcdVersion.SERVER);
      out.println("Keyway Version: " + EtcdVersion.keyway());
      out.println("Java Version: " + System.getProperty("java.version"));
      out.println("OS/Arch: " + System.getProperty("os.name").toLowerCase() + "/" + System.getProperty("os.arch"));
      return new Outcome.Exit(EXIT_OK);
    }
    List<String> warnings = new ArrayList<>();
    try {
      String configFile = parsed.values().getOrDefault("config-file", env.getOrDefault("ETCD_CONFIG_FILE", ""));
      Map<String, String> values;
      if (!configFile.isEmpty()) {
        values = ConfigFile.load(Path.of(configFile), warnings);
        warnings.add("loaded server configuration from " + configFile
            + "; other configuration command line flags and environment variables are ignored");
      } else {
        values = fromFlagsAndEnv(parsed.values(), env, warnings);
      }
      warnIgnored(values, warnings);
      return new Outcome.Run(ServerConfig.resolve(values, configFile.isEmpty()), warnings);
    } catch (ConfigException e) {
      err.println("failed to verify flags: " + e.getMessage());
      return new Outcome.Exit(EXIT_INVALID_CONFIG);
    }
  }

  private static Map<String, String> fromFlagsAndEnv(Map<String, String> flags, Map<String, String> env,
      List<String> warnings) {
    Map<String, String> values = new LinkedHashMap<>(flags);
    Map<String, EtcdFlag> byEnv = new TreeMap<>();
    for (EtcdFlag flag : EtcdFlag.all()) {
      byEnv.put(flag.envName(), flag);
    }
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith("ETCD_") || key.equals("ETCD_CONFIG_FILE")) {
        continue;
      }
      EtcdFlag flag = byEnv.get(key);
      if (flag == null) {
        warnings.add("unrecognized environment variable " + key + "=" + e.getValue());
        continue;
      }
      if (values.containsKey(flag.name())) {
        warnings.add("ignored environment variable " + key + ": --" + flag.name() + " is set on the command line");
        continue;
      }
      try {
        flag.kind().check(flag.name(), e.getValue());
      } catch (FlagException ex) {
        throw new ConfigException("invalid value \"" + e.getValue() + "\" for " + key + ": "
            + ex.getMessage().substring(ex.getMessage().lastIndexOf(": ") + 2));
      }
      values.put(flag.name(), e.getValue());
    }
    return values;
  }

  private static void warnIgnored(Map<String, String> values, List<String> warnings) {
    for (Map.Entry<String, String> e : values.entrySet()) {
      EtcdFlag flag = EtcdFlag.find(e.getKey());
      if (!flag.implemented() && !sameAsDefault(flag, e.getValue())) {
        warnings.add("--" + flag.name() + "=" + e.getValue() + " is not supported by keyway yet and is ignored");
      }
    }
  }

  private static boolean sameAsDefault(EtcdFlag flag, String value) {
    if (flag.kind() == FlagKind.BOOL) {
      return FlagKind.parseBool(flag.name(), value) == FlagKind.parseBool(flag.name(), flag.defaultValue());
    }
    return flag.defaultValue().equals(value);
  }
}
