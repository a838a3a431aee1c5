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
        assertTrue(e.getMessage().startsWith("Unreadable image"), e.getMessage());
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
}
