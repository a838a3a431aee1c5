package org.genai4j.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.apache.spark.TaskContext;
import org.genai4j.common.ops.ShardExchange;

/**
 * A task's side of the {@link ExchangeServer}: the shard's batch-wide sums go to the driver and
 * come back added over all shards. Waits in one-second slices so a task Spark kills (another task
 * of the stage failed) stops waiting.
 */
final class DriverExchange extends ShardExchange implements AutoCloseable {
  /** How long a shard waits for the others before the step fails. */
  private static final long MAX_WAIT_MS = 10 * 60 * 1000;

  private final String host;
  private final int port;
  private final long job;
  private final int attempt;
  private int calls;
  private Socket socket;
  private BufferedInputStream buffered;
  private DataInputStream in;
  private DataOutputStream out;

  DriverExchange(String host, int port, long job, int attempt, int shards) {
    super(shards);
    this.host = host;
    this.port = port;
    this.job = job;
    this.attempt = attempt;
  }

  @Override
  public void sum(int shard, double[] values) {
    if (shards() == 1) {
      return;
    }
    if (values.length > ExchangeServer.MAX_VALUES) {
      throw new IllegalArgumentException("a shard exchange carries at most " + ExchangeServer.MAX_VALUES
          + " values, got " + values.length);
    }
    try {
      connect();
      out.writeLong(job);
      out.writeInt(attempt);
      out.writeInt(calls++);
      out.writeInt(shard);
      out.writeInt(shards());
      out.writeInt(values.length);
      for (double v : values) {
        out.writeDouble(v);
      }
      out.flush();
      awaitReply();
      for (int i = 0; i < values.length; i++) {
        values[i] = in.readDouble();
      }
      socket.setSoTimeout(1000);
    } catch (IOException e) {
      throw new IllegalStateException("the shard exchange with the driver at " + host + ":" + port + " failed: "
          + e.getMessage(), e);
    }
  }

  /** Waits, in one-second slices, until the reply's first byte is there (then reads the rest in one go). */
  private void awaitReply() throws IOException {
    long start = System.currentTimeMillis();
    while (true) {
      try {
        buffered.mark(1);
        if (buffered.read() < 0) {
          throw new IOException("the driver closed the exchange");
        }
        buffered.reset();
        socket.setSoTimeout(60_000);
        return;
      } catch (SocketTimeoutException e) {
        TaskContext task = TaskContext.get();
        if (task != null && task.isInterrupted()) {
          throw new IOException("the task was killed while waiting for the other shards");
        }
        if (System.currentTimeMillis() - start > MAX_WAIT_MS) {
          throw new IOException("the other shards of the batch did not arrive within " + MAX_WAIT_MS / 1000 + " s");
        }
      }
    }
  }

  private void connect() throws IOException {
    if (socket != null) {
      return;
    }
    socket = new Socket();
    socket.connect(new InetSocketAddress(host, port), 30_000);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(1000);
    buffered = new BufferedInputStream(socket.getInputStream());
    in = new DataInputStream(buffered);
    out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
  }

  @Override
  public void abort() {
    close();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
      socket = null;
    }
  }
}
