package io.keyway.gateway;

import io.keyway.gateway.config.Cli;
import io.keyway.gateway.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The {@code keyway} executable: etcd's command line, then a member serving clients until SIGTERM or
 * SIGINT, on which it stops its listeners, then the member, and exits 0.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("snapshot")) {
      // etcdutl's offline snapshot commands; anything else is the server's (etcd's) command line
      System.exit(SnapshotCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
      return;
    }
    Cli.Outcome outcome = Cli.parse(args, System.getenv(), System.out, System.err);
    if (outcome instanceof Cli.Outcome.Exit exit) {
      System.exit(exit.code());
      return;
    }
    Cli.Outcome.Run run = (Cli.Outcome.Run) outcome;
    ServerConfig config = run.config();
    LogSetup.apply(config);
    JvmFootprint.apply();
    Logger log = LoggerFactory.getLogger(Main.class);
    for (String warning : run.warnings()) {
      log.warn(warning);
    }
    log.info("starting keyway {} (etcd {} API) as member {}, data dir {}", EtcdVersion.keyway(),
        EtcdVersion.SERVER, config.name(), config.dataDir().toAbsolutePath());

    KeywayServer server;
    try {
      server = KeywayServer.start(config);
    } catch (Exception e) {
      log.error("cannot start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "keyway-shutdown-hook"));
    server.onMemberRemoved(() -> System.exit(0));
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        Thread shutdown = new Thread(() -> {
          log.info("received SIG{}, shutting down", name);
          server.close();
          System.exit(0);
        }, "keyway-shutdown");
        // the signal thread is a daemon: without this the JVM could end while the store is still closing
        shutdown.setDaemon(false);
        shutdown.start();
      });
    }
  }
}
