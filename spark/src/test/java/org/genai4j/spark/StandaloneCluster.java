package org.genai4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A Spark standalone cluster on 127.0.0.1 for tests: a master and workers of one core each, each a
 * JVM of its own started from the test's classpath (Spark's {@code deploy.master.Master} and {@code
 * deploy.worker.Worker}). {@link #close} kills every process it started and their children (the
 * executors), also when the test failed.
 */
final class StandaloneCluster implements AutoCloseable {
  private final Path dir;
  private final int masterPort;
  private final Process master;
  private final List<Process> workers = new ArrayList<>();
  private final List<ProcessHandle> started = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::killAll);

  private StandaloneCluster(Path dir, int workerCount) throws IOException {
    this.dir = dir;
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    masterPort = freePort();
    master = launch("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
        String.valueOf(masterPort), "--webui-port", String.valueOf(freePort())));
    awaitPort(masterPort, master);
    for (int i = 0; i < workerCount; i++) {
      Path work = Files.createDirectories(dir.resolve("work-" + i));
      workers.add(launch("worker-" + i, List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
          "--cores", "1", "--memory", "1g", "--webui-port", String.valueOf(freePort()), "--work-dir", work.toString(),
          masterUrl())));
    }
  }

  /** Starts a master and {@code workers} one-core workers, their logs in {@code dir}. */
  static StandaloneCluster start(Path dir, int workers) {
    try {
      return new StandaloneCluster(dir, workers);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** The test's classpath, which executors get too (the project's classes and Spark's). */
  static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  /** JDK flags Spark needs on Java 17 (set by the pom for the test JVM). */
  static List<String> jvmFlags() {
    String flags = System.getProperty("spark.jvm.flags", "");
    return flags.isBlank() ? List.of() : Arrays.asList(flags.trim().split("\\s+"));
  }

  /** A context on this cluster whose application takes {@code cores} executors of one core; waits for them. */
  JavaSparkContext connect(int cores) {
    SparkConf conf = new SparkConf().setMaster(masterUrl()).setAppName("genai4j-cluster-test")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.ui.enabled", "false")
        .set("spark.executor.cores", "1")
        .set("spark.cores.max", String.valueOf(cores))
        .set("spark.executor.memory", "768m")
        .set("spark.executor.extraClassPath", classPath())
        .set("spark.executor.extraJavaOptions", String.join(" ", jvmFlags())
            + " -Dorg.slf4j.simpleLogger.defaultLogLevel=info")
        .set("spark.executorEnv.OMP_NUM_THREADS", "1")
        .set("spark.locality.wait", "0s")
        // A retried barrier stage waits for enough slots; check every second rather than every 15.
        .set("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s");
    JavaSparkContext spark = new JavaSparkContext(conf);
    try {
      awaitExecutors(spark, cores);
    } catch (RuntimeException e) {
      spark.stop();
      throw e;
    }
    return spark;
  }

  /** Waits until {@code n} executors (besides the driver) have registered. */
  static void awaitExecutors(JavaSparkContext spark, int n) {
    long deadline = System.currentTimeMillis() + 120_000;
    while (spark.sc().statusTracker().getExecutorInfos().length < n + 1) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("only " + (spark.sc().statusTracker().getExecutorInfos().length - 1) + " of " + n
            + " executors registered within 120 s");
      }
      sleep(200);
    }
  }

  /**
   * Kills the first worker that runs an executor, with its executor, at once (SIGKILL), as a machine
   * that fails; returns its index.
   */
  int killWorkerWithExecutor() {
    for (int i = 0; i < workers.size(); i++) {
      Process w = workers.get(i);
      if (w.isAlive() && w.descendants().findAny().isPresent()) {
        w.descendants().forEach(ProcessHandle::destroyForcibly);
        w.destroyForcibly();
        return i;
      }
    }
    throw new IllegalStateException("no worker runs an executor");
  }

  boolean workerAlive(int i) {
    return workers.get(i).isAlive();
  }

  /** The last lines of every process's log, for a failure message. */
  String logs() {
    StringBuilder b = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        List<String> lines = Files.readAllLines(f);
        b.append("== ").append(f.getFileName()).append('\n');
        lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> b.append(l).append('\n'));
      }
    } catch (IOException e) {
      b.append("(logs unreadable: ").append(e.getMessage()).append(")");
    }
    return b.toString();
  }

  private Process launch(String name, List<String> mainAndArgs) throws IOException {
    // Workers launch executors through SPARK_HOME's launcher, which wants a jars folder; the
    // executors' classes come from spark.executor.extraClassPath instead.
    Path home = Files.createDirectories(dir.resolve("spark-home"));
    Files.createDirectories(home.resolve("jars"));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Master and workers only pass messages: a small heap and the quick-starting compiler.
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    cmd.addAll(jvmFlags());
    cmd.add("-cp");
    cmd.add(classPath());
    cmd.addAll(mainAndArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", home.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    synchronized (started) {
      started.add(p.toHandle());
    }
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private void awaitPort(int port, Process p) {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("the Spark master exited:\n" + logs());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException e) {
        sleep(200);
      }
    }
    throw new IllegalStateException("the Spark master did not open port " + port + " within 60 s:\n" + logs());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Kills every process started here and their descendants, and waits for them to end. */
  private void killAll() {
    List<ProcessHandle> all = new ArrayList<>();
    synchronized (started) {
      for (ProcessHandle h : started) {
        h.descendants().forEach(all::add);
        all.add(h);
      }
    }
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        // Gone or stuck; nothing more we can do for it.
      }
    }
  }

  /** Every process this cluster started that still runs (for the test's check that none is left). */
  List<ProcessHandle> alive() {
    List<ProcessHandle> out = new ArrayList<>();
    synchronized (started) {
      for (ProcessHandle h : started) {
        h.descendants().filter(ProcessHandle::isAlive).forEach(out::add);
        if (h.isAlive()) {
          out.add(h);
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException ignored) {
      // the JVM is shutting down already
    }
  }
}
