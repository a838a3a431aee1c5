package org.genai4j.common.ops;

/** erf in double, for test references: the series below 2.5, the continued fraction above. */
final class Erf {
  private Erf() {}

  static double erf(double x) {
    double a = Math.abs(x);
    double r;
    if (a < 2.5) {
      // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
      double term = a;
      double sum = a;
      for (int n = 1; n < 100; n++) {
        term *= -a * a / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17) {
          break;
        }
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), evaluated from the tail
      double f = 0;
      for (int n = 60; n >= 1; n--) {
        f = (n / 2.0) / (a + f);
      }
      r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
    }
    return x < 0 ? -r : r;
  }
}
