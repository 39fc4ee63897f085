package io.keyway.raft.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Makes renames and new files in a directory durable (the directory entry itself must be fsynced on Linux). */
public final class Fsync {
  private Fsync() {}

  public static void directory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some file systems refuse to open directories; the rename is still atomic there
      if (!e.getMessage().contains("Is a directory")) {
        throw e;
      }
    }
  }
}
