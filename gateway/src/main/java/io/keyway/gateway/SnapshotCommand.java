package io.keyway.gateway;

import io.keyway.raft.maintenance.SnapshotRestore;
import io.keyway.raft.maintenance.SnapshotRestore.SnapshotException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyway snapshot restore|status}: etcdutl's offline snapshot commands (same flags, defaults, messages and
 * exit codes: 1 for a failure, 128 for bad arguments) for snapshot files {@code etcdctl snapshot save} took from
 * a Keyway member. Reached only when the first argument is {@code snapshot}, so the server's flags are untouched.
 */
@Command(name = "snapshot", description = "Manages keyway node snapshots",
    subcommands = {SnapshotCommand.Restore.class, SnapshotCommand.Status.class})
public final class SnapshotCommand {
  /** etcd's cobrautl exit codes. */
  static final int EXIT_ERROR = 1;
  static final int EXIT_BAD_ARGS = 128;

  private final PrintStream out;
  private final PrintStream err;

  private SnapshotCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs {@code snapshot <args>}; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    SnapshotCommand root = new SnapshotCommand(out, err);
    CommandLine cli = new CommandLine(root, new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        if (cls == Restore.class) {
          return cls.cast(root.new Restore());
        }
        if (cls == Status.class) {
          return cls.cast(root.new Status());
        }
        return CommandLine.defaultFactory().create(cls);
      }
    });
    cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cli.setParameterExceptionHandler((e, a) -> {
      err.println("Error: " + e.getMessage());
      return EXIT_BAD_ARGS;
    });
    if (args.length == 0) {
      cli.usage(out);
      return 0;
    }
    return cli.execute(args);
  }

  private int fail(String message) {
    err.println("Error: " + message);
    return EXIT_ERROR;
  }

  @Command(name = "restore", description = "Restores a keyway member snapshot to a data directory",
      mixinStandardHelpOptions = true)
  final class Restore implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "<filename>") List<String> files = List.of();

    @Option(names = "--data-dir", description = "Path to the output data directory")
    String dataDir = "";

    @Option(names = "--initial-cluster", description = "Initial cluster configuration for restore bootstrap")
    String initialCluster;

    @Option(names = "--initial-cluster-token",
        description = "Initial cluster token for the etcd cluster during restore bootstrap")
    String initialClusterToken = "etcd-cluster";

    @Option(names = "--initial-advertise-peer-urls",
        description = "List of this member's peer URLs to advertise to the rest of the cluster")
    String peerUrls = "http://localhost:2380";

    @Option(names = "--name", description = "Human-readable name for this member")
    String name = "default";

    @Option(names = "--skip-hash-check", arity = "0..1", fallbackValue = "true",
        description = "Ignore snapshot integrity hash value (required if copied from data directory)")
    boolean skipHashCheck;

    @Override
    public Integer call() {
      if (files.size() != 1) {
        err.println("Error: snapshot restore requires exactly one argument");
        return EXIT_BAD_ARGS;
      }
      String cluster = initialCluster != null ? initialCluster
          : (name.isEmpty() ? "default" : name) + "=http://localhost:2380"; // etcdutl's default, from --name
      Path dir = Path.of(dataDir.isEmpty() ? name + ".etcd" : dataDir);
      try {
        SnapshotRestore.restore(new SnapshotRestore.Options(Path.of(files.get(0)), name, dir, cluster,
            initialClusterToken, Arrays.asList(peerUrls.split(",")), skipHashCheck));
      } catch (SnapshotException e) {
        return fail(e.getMessage());
      } catch (IOException | RuntimeException e) {
        return fail(e.getMessage() == null ? e.toString() : e.getMessage());
      }
      err.println("restored snapshot " + files.get(0) + " into data dir " + dir);
      return 0;
    }
  }

  @Command(name = "status", description = "Gets backend snapshot status of a given file",
      mixinStandardHelpOptions = true)
  final class Status implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "<filename>") List<String> files = List.of();

    @Option(names = {"-w", "--write-out"}, description = "set the output format (json, simple)")
    String writeOut = "simple";

    @Override
    public Integer call() {
      if (files.size() != 1) {
        err.println("Error: snapshot status requires exactly one argument");
        return EXIT_BAD_ARGS;
      }
      if (!writeOut.equals("simple") && !writeOut.equals("json")) {
        return fail("unsupported output format " + writeOut);
      }
      SnapshotRestore.Status s;
      try {
        Path file = Path.of(files.get(0));
        s = SnapshotRestore.status(file, Path.of(System.getProperty("java.io.tmpdir")));
      } catch (SnapshotException e) {
        return fail(e.getMessage());
      } catch (IOException | RuntimeException e) {
        return fail(e.getMessage() == null ? e.toString() : e.getMessage());
      }
      if (writeOut.equals("json")) {
        out.println("{\"hash\":" + s.hash() + ",\"revision\":" + s.revision() + ",\"totalKey\":" + s.totalKeys()
            + ",\"totalSize\":" + s.totalSize() + "}");
      } else {
        out.println(Long.toHexString(s.hash()) + ", " + s.revision() + ", " + s.totalKeys() + ", "
            + humanBytes(s.totalSize()));
      }
      return 0;
    }
  }

  /** go-humanize's Bytes: SI units, one decimal below 10 ("2.1 MB", "20 kB", "9 B"). */
  static String humanBytes(long size) {
    if (size < 10) {
      return size + " B";
    }
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    int e = (int) Math.floor(Math.log(size) / Math.log(1000));
    double val = Math.floor(size / Math.pow(1000, e) * 10 + 0.5) / 10;
    return (val < 10 ? String.format(Locale.ROOT, "%.1f", val) : String.format(Locale.ROOT, "%.0f", val)) + " " + units[e];
  }
}
