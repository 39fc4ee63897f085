package io.keyway.store;

import io.keyway.api.mvccpb.Event;
import java.util.List;

/** The events of one committed revision, as read back from history (see {@link KvStore#changes}). */
public record RevisionChanges(long revision, List<Event> events) {}
