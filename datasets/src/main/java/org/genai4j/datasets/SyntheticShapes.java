package org.genai4j.datasets;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Grayscale images of ten simple shapes drawn in code, for offline use and fast tests: white shapes on a black
 * background, like Fashion-MNIST, with random size, position, stroke width and brightness. Label i is the shape
 * class; image i has label {@code i % 10}, so every prefix of the data is balanced. The same seed always gives
 * the same images.
 */
public final class SyntheticShapes {

    /** The dataset name used by {@link Datasets}. */
    public static final String NAME = "synthetic-shapes";
    /** The shape classes in label order. */
    public static final List<String> CLASS_NAMES = List.of("circle", "square", "triangle", "plus", "cross", "ring",
            "frame", "diamond", "horizontal-bars", "vertical-bars");

    private SyntheticShapes() {
    }

    /**
     * @param count number of images
     * @param side  image height and width in pixels, at least 12
     * @param seed  random seed
     * @return images [count, 1, side, side] in [0, 1], labels 0..9
     */
    public static ImageData generate(int count, int side, long seed) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        if (side < 12) {
            throw new IllegalArgumentException("side must be >= 12 pixels for the shapes to be distinguishable, got " + side);
        }
        Random rng = new Random(seed);
        int plane = side * side;
        float[] pixels = new float[Math.multiplyExact(count, plane)];
        int[] labels = new int[count];
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        byte[] raster = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < count; i++) {
            int label = i % CLASS_NAMES.size();
            labels[i] = label;
            draw(img, label, side, rng);
            for (int p = 0; p < plane; p++) {
                pixels[i * plane + p] = (raster[p] & 0xFF) / 255f;
            }
        }
        return new ImageData(NAME, Nd4j.create(pixels, new long[]{count, 1, side, side}, DataType.FLOAT), labels,
                CLASS_NAMES.size(), CLASS_NAMES);
    }

    private static void draw(BufferedImage img, int label, int side, Random rng) {
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, side, side);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            int level = 180 + rng.nextInt(76);
            g.setColor(new Color(level, level, level));
            // Size 45-80 % of the image, placed anywhere it fits with a one-pixel margin.
            double size = side * (0.45 + 0.35 * rng.nextDouble());
            double room = side - size - 2;
            double x = 1 + room * rng.nextDouble();
            double y = 1 + room * rng.nextDouble();
            float stroke = (float) (side * (0.07 + 0.05 * rng.nextDouble()));
            g.setStroke(new BasicStroke(stroke, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
            double h = stroke / 2.0; // keeps outlines inside the shape's box
            double cx = x + size / 2;
            double cy = y + size / 2;
            switch (label) {
                case 0 -> g.fill(new Ellipse2D.Double(x, y, size, size));
                case 1 -> g.fill(new Rectangle2D.Double(x, y, size, size));
                case 2 -> g.fill(polygon(cx, y, x + size, y + size, x, y + size));
                case 3 -> {
                    g.draw(new Line2D.Double(cx, y, cx, y + size));
                    g.draw(new Line2D.Double(x, cy, x + size, cy));
                }
                case 4 -> {
                    g.draw(new Line2D.Double(x + h, y + h, x + size - h, y + size - h));
                    g.draw(new Line2D.Double(x + h, y + size - h, x + size - h, y + h));
                }
                case 5 -> g.draw(new Ellipse2D.Double(x + h, y + h, size - stroke, size - stroke));
                case 6 -> g.draw(new Rectangle2D.Double(x + h, y + h, size - stroke, size - stroke));
                case 7 -> g.fill(polygon(cx, y, x + size, cy, cx, y + size, x, cy));
                case 8 -> {
                    g.draw(new Line2D.Double(x, y + size * 0.25, x + size, y + size * 0.25));
                    g.draw(new Line2D.Double(x, y + size * 0.75, x + size, y + size * 0.75));
                }
                case 9 -> {
                    g.draw(new Line2D.Double(x + size * 0.25, y, x + size * 0.25, y + size));
                    g.draw(new Line2D.Double(x + size * 0.75, y, x + size * 0.75, y + size));
                }
                default -> throw new IllegalStateException("no shape for label " + label);
            }
        } finally {
            g.dispose();
        }
    }

    private static Path2D polygon(double... xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }
}
