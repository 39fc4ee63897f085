package io.keyway.gateway.config;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * etcd's command line on picocli: every flag of {@link EtcdFlag} as {@code --flag} and {@code -flag}, with
 * {@code =value} or a separate value, booleans with an optional {@code =true|false}. Errors carry the texts
 * of Go's flag package, which is what etcd prints.
 */
final class CommandLineFlags {
  private CommandLineFlags() {}

  /** @param values flags given on the command line, by name without dashes */
  record Parsed(Map<String, String> values, boolean help, boolean version) {}

  static Parsed parse(String[] args) {
    CommandLine cl = commandLine();
    ParseResult result;
    try {
      result = cl.parseArgs(args);
    } catch (CommandLine.UnmatchedArgumentException e) {
      String arg = e.getUnmatched().isEmpty() ? "" : e.getUnmatched().get(0);
      throw unmatched(arg);
    } catch (CommandLine.MissingParameterException e) {
      String option = e.getMissing().isEmpty() ? "" : ((OptionSpec) e.getMissing().get(0)).longestName();
      throw new FlagException("flag needs an argument: -" + stripDashes(option));
    } catch (CommandLine.OverwrittenOptionException e) {
      throw new FlagException(e.getMessage()); // unreachable: repeated flags are allowed, the last one wins
    } catch (CommandLine.ParameterException e) {
      throw new FlagException(e.getMessage());
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (OptionSpec option : result.matchedOptions()) {
      if (option.usageHelp() || option.versionHelp()) {
        continue;
      }
      String name = stripDashes(option.longestName());
      String value = result.matchedOption(option.longestName()).getValue();
      EtcdFlag flag = EtcdFlag.find(name);
      flag.kind().check(name, value);
      values.put(name, value);
    }
    return new Parsed(values, result.isUsageHelpRequested(), result.isVersionHelpRequested());
  }

  static void printUsage(PrintWriter out) {
    commandLine().usage(out);
  }

  private static FlagException unmatched(String arg) {
    if (arg.startsWith("-") && arg.length() > 1) {
      String name = stripDashes(arg);
      int eq = name.indexOf('=');
      return new FlagException("flag provided but not defined: -" + (eq >= 0 ? name.substring(0, eq) : name));
    }
    return new FlagException("'" + arg + "' is not a valid flag");
  }

  private static String stripDashes(String s) {
    return s.startsWith("--") ? s.substring(2) : s.startsWith("-") ? s.substring(1) : s;
  }

  private static CommandLine commandLine() {
    CommandSpec spec = CommandSpec.create().name("keyway");
    spec.usageMessage()
        .description("Keyway: an etcd-compatible (etcd 3.5 API), Raft-replicated key-value store.",
            "Flags take etcd's names and defaults; each may also come from its ETCD_* environment variable "
                + "(--foo-bar <-> ETCD_FOO_BAR), a flag on the command line wins.")
        .footer("", "Other etcd 3.5 flags (TLS, discovery, auto-compaction, logging outputs, ...) are accepted "
            + "for compatibility and ignored with a warning when set to a non-default value.")
        .abbreviateSynopsis(true)
        .width(120);
    spec.parser()
        .overwrittenOptionsAllowed(true)
        .posixClusteredShortOptionsAllowed(false)
        .unmatchedOptionsArePositionalParams(false);
    for (EtcdFlag flag : EtcdFlag.all()) {
      String description = flag.description()
          + (flag.defaultValue().isEmpty() ? "" : " (default: " + flag.defaultValue() + ")");
      OptionSpec.Builder option = OptionSpec.builder("--" + flag.name(), "-" + flag.name())
          .type(String.class)
          .paramLabel("<" + flag.name() + ">")
          .description(description.replace("%", "%%").replace("${", "$${"))
          .hidden(!flag.implemented());
      if (flag.kind() == FlagKind.BOOL) {
        option.arity("0..1").fallbackValue("true").paramLabel("<bool>");
      } else {
        option.arity("1");
      }
      spec.addOption(option.build());
    }
    spec.addOption(OptionSpec.builder("--help", "-help", "-h").usageHelp(true)
        .description("Show this help and exit.").build());
    spec.addOption(OptionSpec.builder("--version", "-version").versionHelp(true)
        .description("Print the version and exit.").build());
    return new CommandLine(spec);
  }
}
