/**
 * Reads and writes bbolt database files (go.etcd.io/bbolt, the file format of etcd's backend and of the
 * snapshots {@code etcdctl snapshot save} writes). Pure file format: pages, B+trees and buckets; what etcd
 * keeps in the buckets is the business of the layers above.
 *
 * <p>The format, little-endian throughout: the file is a sequence of pages of one size. Every page starts with a
 * 16-byte header (id u64, flags u16, count u16, overflow u32: the number of following pages the page spans).
 * Pages 0 and 1 are meta pages (magic 0xED0CDAED, version 2, page size, flags, root bucket {root page u64,
 * sequence u64}, freelist page, high-water page id, transaction id, FNV-64a checksum of the preceding 56 bytes);
 * the valid one with the higher transaction id wins. Leaf pages hold {@code count} elements (flags u32, pos
 * u32, key size u32, value size u32; {@code pos} counts from the element to its key, the value follows the
 * key), branch pages {@code count} elements (pos u32, key size u32, child page u64) whose key is the first key
 * of the child. A leaf element with flag 1 is a nested bucket: its value is a bucket header (root page u64,
 * sequence u64), followed, when the root page is 0, by the bucket's single leaf page inline.
 */
package io.keyway.store.bolt;
