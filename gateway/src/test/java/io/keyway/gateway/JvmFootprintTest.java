package io.keyway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class JvmFootprintTest {
  @Test
  void returnsFreeHeapToTheOsUnlessTheOperatorChoseOtherwise() {
    HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    VMOption before = hotspot.getVMOption("MaxHeapFreeRatio");
    JvmFootprint.apply();
    String expected = before.getOrigin() == VMOption.Origin.DEFAULT ? "30" : before.getValue();
    assertEquals(expected, hotspot.getVMOption("MaxHeapFreeRatio").getValue());
  }
}
