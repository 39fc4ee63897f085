package io.keyway.store.watch;

import com.google.protobuf.CodedOutputStream;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.api.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;

/** etcd's {@code sendFragments}: splits a response too large for one message at event boundaries. */
final class Fragments {
  private Fragments() {}

  /**
   * {@code response} itself when it is smaller than {@code maxBytes} or has fewer than two events; otherwise
   * consecutive pieces, each as large as fits below {@code maxBytes} but holding at least one event, all
   * with {@code fragment} set except the last.
   */
  static List<WatchResponse> split(WatchResponse response, int maxBytes) {
    int n = response.getEventsCount();
    if (response.getSerializedSize() < maxBytes || n < 2) {
      return List.of(response);
    }
    WatchResponse base = response.toBuilder().clearEvents().setFragment(true).build();
    int baseSize = base.getSerializedSize();
    List<WatchResponse> out = new ArrayList<>();
    int next = 0;
    while (next < n) {
      WatchResponse.Builder piece = base.toBuilder();
      int size = baseSize;
      int count = 0;
      while (next < n) {
        Event e = response.getEvents(next);
        int eventBytes = CodedOutputStream.computeMessageSize(WatchResponse.EVENTS_FIELD_NUMBER, e);
        if (count > 0 && size + eventBytes >= maxBytes) {
          break;
        }
        piece.addEvents(e);
        size += eventBytes;
        count++;
        next++;
      }
      if (next == n) {
        piece.setFragment(false);
      }
      out.add(piece.build());
    }
    return out;
  }
}
