package io.keyway.store;

/**
 * The hash of the MVCC key space up to {@code revision} (etcd's HashKV): equal on every member that holds the
 * same history, whatever the progress of its physical compaction.
 *
 * @param hash            CRC32 (Castagnoli) as an unsigned 32-bit value
 * @param compactRevision the compaction revision the hash was taken with (0 if none)
 * @param revision        the revision the hash covers
 * @param currentRevision the store's revision when the hash was taken (the response header's revision)
 */
public record KvHash(long hash, long compactRevision, long revision, long currentRevision) {}
