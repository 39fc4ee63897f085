package io.keyway.client.cache;

import java.util.List;

/** The prefix's contents at one revision, as a paged range returned them (key order). */
record Snapshot(long revision, List<CacheEntry> entries) {}
