package org.genai4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.genai4j.common.testing.FileFuzzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {
    @TempDir
    Path dir;

    private static void solid(Path file, int w, int h, Color color, String format) throws Exception {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, w, h);
        g.dispose();
        assertTrue(ImageIO.write(img, format, file.toFile()));
    }

    @Test
    void classSubfoldersBecomeSortedLabelsAndImagesAreResizedRgb() throws Exception {
        solid(dir.resolve("red/a.png"), 40, 20, new Color(255, 0, 0), "png");
        solid(dir.resolve("red/b.PNG"), 7, 9, new Color(255, 0, 0), "png");
        solid(dir.resolve("blue/x.jpg"), 64, 64, new Color(0, 0, 255), "jpg");
        Files.writeString(dir.resolve("blue/readme.txt"), "not an image"); // ignored: not an image extension
        ImageData data = ImageFolderReader.read(dir, 16, 12, 3);
        assertEquals(List.of("blue", "red"), data.classNames());
        assertArrayEquals(new int[]{0, 1, 1}, data.labels());
        assertArrayEquals(new long[]{3, 3, 16, 12}, data.images().shape());
        // a solid red PNG stays exactly red after resizing; JPEG is lossy so allow a little error
        assertEquals(1.0, data.images().getFloat(1, 0, 8, 6), 1e-6);
        assertEquals(0.0, data.images().getFloat(1, 1, 8, 6), 1e-6);
        assertEquals(1.0, data.images().getFloat(0, 2, 8, 6), 0.03);
        assertEquals(0.0, data.images().getFloat(0, 0, 8, 6), 0.03);
    }

    @Test
    void grayscaleUsesLuminanceAndFlatFolderIsOneClass() throws Exception {
        Path flat = dir.resolve("flat");
        solid(flat.resolve("g.png"), 5, 5, new Color(0, 255, 0), "png");
        solid(flat.resolve("w.png"), 5, 5, Color.WHITE, "png");
        ImageData data = ImageFolderReader.read(flat, 4, 4, 1);
        assertEquals(List.of("flat"), data.classNames());
        assertArrayEquals(new long[]{2, 1, 4, 4}, data.images().shape());
        assertEquals(0.587, data.images().getFloat(0, 0, 2, 2), 1e-3);
        assertEquals(1.0, data.images().getFloat(1, 0, 2, 2), 1e-3);
    }

    @Test
    void unreadableImageNamesTheFile() throws Exception {
        solid(dir.resolve("ok/fine.png"), 5, 5, Color.WHITE, "png");
        Files.write(dir.resolve("ok/broken.png"), new byte[]{1, 2, 3, 4, 5});
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolderReader.read(dir, 4, 4, 1));
        assertTrue(e.getMessage().startsWith("broken.png: not a PNG or JPEG"), e.getMessage());
        assertTrue(e.getMessage().contains("broken.png") && e.getMessage().contains("PNG or JPEG"), e.getMessage());
    }

    @Test
    void folderWithoutImagesIsReported() throws Exception {
        Files.createDirectories(dir.resolve("nothing"));
        DatasetException e = assertThrows(DatasetException.class,
                () -> ImageFolderReader.read(dir.resolve("nothing"), 4, 4, 1));
        assertTrue(e.getMessage().contains("nothing") && e.getMessage().contains("holds no .png"), e.getMessage());
        assertThrows(DatasetException.class, () -> ImageFolderReader.read(dir.resolve("missing"), 4, 4, 1));
    }

    /** A valid 8x8 PNG whose header (IHDR width and height) is rewritten to declare {@code w x h}. */
    private static byte[] pngDeclaring(Path scratch, int w, int h) throws Exception {
        solid(scratch, 8, 8, Color.GREEN, "png");
        byte[] png = Files.readAllBytes(scratch);
        java.nio.ByteBuffer.wrap(png).putInt(16, w).putInt(20, h);
        return png;
    }

    @Test
    void pngDeclaringGiantSizeIsRefusedBeforeDecoding() throws Exception {
        byte[] png = pngDeclaring(dir.resolve("scratch/a.png"), 100_000, 100_000);
        Files.createDirectories(dir.resolve("giant"));
        Files.write(dir.resolve("giant/bomb.png"), png);
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolderReader.read(dir.resolve("giant"), 8, 8, 3));
        assertTrue(e.getMessage().startsWith("bomb.png: header declares a 100000x100000 image, more than the"), e.getMessage());

        Files.write(dir.resolve("giant/bomb.png"), pngDeclaring(dir.resolve("scratch/b.png"), 4000, 4000));
        e = assertThrows(DatasetException.class, () -> ImageFolderReader.read(dir.resolve("giant"), 8, 8, 3));
        assertTrue(e.getMessage().startsWith("bomb.png: header declares a 4000x4000 image but a PNG of"), e.getMessage());
    }

    @Test
    void fuzzedPngEndsInAResultOrANamedError() throws Exception {
        Path scratch = dir.resolve("scratch/seed.png");
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.setRGB(x, y, (x * 16) << 16 | (y * 16) << 8 | ((x + y) * 8));
            }
        }
        Files.createDirectories(scratch.getParent());
        assertTrue(ImageIO.write(img, "png", scratch.toFile()));
        Path folder = Files.createDirectories(dir.resolve("fuzz"));
        FileFuzzer.Report report = FileFuzzer.of("image.png", Files.readAllBytes(scratch))
                // a PNG may legitimately hold 8 x 1032 pixels per byte, 4 bytes each while decoding and resizing
                .allowance(size -> 8 * 8 * 1032 * size + (8L << 20))
                .run(folder, 2_000, 13, f -> ImageFolderReader.read(folder, 8, 8, 3));
        System.out.println("image folder (PNG) fuzz: " + report.summary());
        assertEquals(0, report.failed(), String.join("\n", report.failures()));
    }
}
