package org.genai4j.common.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThreadsTest {

  @Test
  void setChangesEveryPoolAndReadsBack() {
    int before = Threads.current();
    try {
      Threads.set(2);
      // ND4J's op pool cannot grow past its size at load time (1 under surefire's OMP_NUM_THREADS=1).
      assertEquals(Math.min(2, Threads.startupMax()), Threads.current());
      assertEquals(2, Threads.openMp());
      assertEquals(2, Threads.blas());
      Threads.set(1);
      assertEquals(1, Threads.current());
      assertEquals(1, Threads.openMp());
      assertEquals(1, Threads.blas());
      Threads.setBlas(2);
      assertEquals(2, Threads.blas());
      assertEquals(1, Threads.openMp());
      assertEquals(1, Threads.current());
    } finally {
      Threads.set(before);
    }
    assertThrows(IllegalArgumentException.class, () -> Threads.set(0));
    assertThrows(IllegalArgumentException.class, () -> Threads.setBlas(0));
  }

  @Test
  void machineLineNamesCpuCoresJvmAndThreads() {
    String m = Threads.machine();
    assertTrue(m.contains(Runtime.getRuntime().availableProcessors() + " cores"), m);
    assertTrue(m.contains("Java " + System.getProperty("java.version")), m);
    assertTrue(m.contains("OMP_NUM_THREADS="), m);
    assertTrue(m.contains("threads ops=" + Threads.current() + "/" + Threads.startupMax()), m);
    assertTrue(!m.contains("\n"), "one line: " + m);
  }
}
