package io.keyway.store;

/**
 * The hash of the MVCC key space up to {@code revision} (etcd's HashKV): equal on every member that holds the
 * same history, whatever the progress of its physical compaction, and equal to real etcd's for that history.
 *
 * @param hash            CRC-32C (Castagnoli) as an unsigned 32-bit value; etcd's value for the same history
 * @param compactRevision the compaction revision the hash was taken with, -1 if never compacted (as etcd)
 * @param revision        the revision the hash covers
 * @param currentRevision the store's revision when the hash was taken (the response header's revision)
 */
public record KvHash(long hash, long compactRevision, long revision, long currentRevision) {}
