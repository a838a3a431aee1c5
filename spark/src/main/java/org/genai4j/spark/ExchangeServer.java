package org.genai4j.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where the tasks of one synchronous step meet to add up batch-wide sums (batch norm's per-channel
 * sums, a loss's token count), on the driver: each task sends its values for round (job, stage
 * attempt, call); when every shard of the round has sent, each gets back the sum, added in shard
 * order from zero as the local {@link org.genai4j.common.ops.ShardExchange} adds them, so every
 * shard holds the bits it would hold on threads. Spark's own {@code BarrierTaskContext.allGather}
 * polls once a second, which a model exchanging a few times per layer cannot afford.
 *
 * <p>Protocol, per request on a task's connection: {@code long job, int attempt, int call, int
 * shard, int shards, int n, n doubles}; reply: {@code n doubles}.
 */
final class ExchangeServer implements AutoCloseable {
  /** The most values one exchange may carry (a batch norm's channels, a few counts). */
  static final int MAX_VALUES = 1 << 20;

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "genai4j-shard-exchange");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Round> rounds = new HashMap<>();

  /** One exchange: the shards' values as they arrive, then the sum. */
  private static final class Round {
    final double[][] values;
    int arrived;
    double[] total;
    boolean abandoned;

    Round(int shards) {
      values = new double[shards][];
    }
  }

  ExchangeServer(String host) {
    try {
      server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
    } catch (IOException e) {
      throw new IllegalStateException("could not open the shard exchange on " + host + ": " + e.getMessage(), e);
    }
    threads.execute(this::accept);
  }

  String host() {
    return server.getInetAddress().getHostAddress();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        threads.execute(() -> serve(s));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket socket) {
    try (socket;
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()))) {
      socket.setTcpNoDelay(true);
      while (true) {
        long job;
        try {
          job = in.readLong();
        } catch (java.io.EOFException e) {
          return; // the task is done
        }
        int attempt = in.readInt();
        int call = in.readInt();
        int shard = in.readInt();
        int shards = in.readInt();
        int n = in.readInt();
        if (shards < 1 || shard < 0 || shard >= shards || n < 0 || n > MAX_VALUES) {
          return; // not one of our tasks: drop the connection
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          v[i] = in.readDouble();
        }
        double[] total = exchange(job + "/" + attempt + "/" + call, shard, shards, v);
        for (double d : total) {
          out.writeDouble(d);
        }
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // The task failed or was killed; Spark retries its stage, whose rounds have another attempt number.
    }
  }

  private synchronized double[] exchange(String key, int shard, int shards, double[] v) throws InterruptedException {
    Round r = rounds.computeIfAbsent(key, k -> new Round(shards));
    if (r.values.length != shards || r.values[shard] != null) {
      throw new InterruptedException("inconsistent round " + key);
    }
    r.values[shard] = v;
    if (++r.arrived == shards) {
      double[] total = new double[v.length];
      for (double[] s : r.values) {
        for (int i = 0; i < Math.min(total.length, s.length); i++) {
          total[i] += s[i];
        }
      }
      r.total = total;
      notifyAll();
    }
    while (r.total == null && !r.abandoned) {
      wait();
    }
    if (r.total == null) {
      throw new InterruptedException("round " + key + " abandoned: its stage failed");
    }
    if (--r.arrived == 0) {
      rounds.remove(key);
    }
    return r.total;
  }

  /** Forgets rounds that will never complete (a failed stage's) and releases their waiting connections. */
  synchronized void clear() {
    rounds.values().forEach(r -> r.abandoned = true);
    rounds.clear();
    notifyAll();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    threads.shutdownNow();
  }
}
