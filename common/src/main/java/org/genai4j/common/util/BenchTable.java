package org.genai4j.common.util;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A benchmark table printed with aligned columns under a header that states the machine and
 * thread counts ({@link Threads#machine()}), so every figure says where it was measured.
 *
 * <pre>{@code
 * BenchTable t = new BenchTable("DCGAN step", "batch", "threads", "ms/step", "img/s");
 * t.row(64, 1, 812.4, 78.8);
 * t.print(System.out);
 * }</pre>
 */
public final class BenchTable {

  private final String title;
  private final List<String> columns;
  private final List<List<String>> rows = new ArrayList<>();

  public BenchTable(String title, String... columns) {
    if (columns.length == 0) {
      throw new IllegalArgumentException("a table needs at least one column");
    }
    this.title = title;
    this.columns = List.of(columns);
  }

  /** Adds a row; doubles are printed with up to 4 significant decimals, other values as text. */
  public BenchTable row(Object... cells) {
    if (cells.length != columns.size()) {
      throw new IllegalArgumentException("row has " + cells.length + " cells, the table has "
          + columns.size() + " columns " + columns);
    }
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      r.add(format(c));
    }
    rows.add(r);
    return this;
  }

  static String format(Object c) {
    if (c instanceof Double || c instanceof Float) {
      double d = ((Number) c).doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return String.format("%.0f", d);
      }
      double a = Math.abs(d);
      return a >= 100 ? String.format("%.1f", d) : a >= 1 ? String.format("%.3f", d) : String.format("%.4g", d);
    }
    return String.valueOf(c);
  }

  /** The table as text: title, machine line, header, rule, rows (numbers right-aligned). */
  public String render() {
    int[] w = new int[columns.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = columns.get(i).length();
      for (List<String> r : rows) {
        w[i] = Math.max(w[i], r.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append("## ").append(title).append('\n');
    sb.append("machine: ").append(Threads.machine()).append('\n');
    line(sb, columns, w, false);
    for (int i = 0; i < w.length; i++) {
      sb.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
    }
    sb.append('\n');
    for (List<String> r : rows) {
      line(sb, r, w, true);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells, int[] w, boolean alignNumbers) {
    for (int i = 0; i < w.length; i++) {
      String c = cells.get(i);
      boolean right = alignNumbers && c.matches("-?[0-9.,eE+%-]+");
      String pad = " ".repeat(w[i] - c.length());
      sb.append(i == 0 ? "" : "  ").append(right ? pad + c : c + pad);
    }
    int end = sb.length();
    while (end > 0 && sb.charAt(end - 1) == ' ') {
      end--;
    }
    sb.setLength(end);
    sb.append('\n');
  }

  public void print(PrintStream out) {
    out.print(render());
    out.flush();
  }

  @Override
  public String toString() {
    return render();
  }
}
