package org.genai4j.datasets;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a folder of PNG/JPEG images, resized to a fixed size, as grayscale or RGB. If the folder has
 * sub-folders, each sub-folder is a class (sorted by name, as torchvision's ImageFolder does) and its images
 * are labelled with it; otherwise all images are in one class named after the folder. Files are read in
 * sorted order, so the result is deterministic.
 */
public final class ImageFolderReader {

    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");
    /** The largest image accepted (a 64-megapixel photo); training images are resized to a few thousand pixels. */
    static final long MAX_PIXELS = 1L << 26;
    /** The most that deflate (PNG's compression) can expand its input. */
    private static final long DEFLATE_MAX_RATIO = 1032;

    private ImageFolderReader() {
    }

    /**
     * @param root     the folder
     * @param height   output height in pixels
     * @param width    output width in pixels
     * @param channels 1 (grayscale, by luminance) or 3 (RGB)
     * @return images [N, channels, height, width] in [0, 1]
     * @throws DatasetException when the folder holds no images or an image cannot be decoded
     */
    public static ImageData read(Path root, int height, int width, int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 (grayscale) or 3 (RGB), got " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("height and width must be >= 1, got " + height + "x" + width);
        }
        if (!Files.isDirectory(root)) {
            throw new DatasetException("Image folder " + root + " does not exist or is not a folder");
        }
        List<Path> classDirs = sorted(root, Files::isDirectory);
        List<String> classNames = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        if (classDirs.isEmpty()) {
            classNames.add(root.getFileName() == null ? "images" : root.getFileName().toString());
            for (Path f : sorted(root, ImageFolderReader::isImageFile)) {
                files.add(f);
                labels.add(0);
            }
        } else {
            for (Path dir : classDirs) {
                List<Path> images = sorted(dir, ImageFolderReader::isImageFile);
                if (images.isEmpty()) {
                    continue; // an empty sub-folder is not a class
                }
                for (Path f : images) {
                    files.add(f);
                    labels.add(classNames.size());
                }
                classNames.add(dir.getFileName().toString());
            }
        }
        if (files.isEmpty()) {
            throw new DatasetException("Image folder " + root + " holds no .png, .jpg or .jpeg files"
                    + " (directly or in class sub-folders)");
        }
        int plane = height * width;
        MemoryBudget.check(root, files.size() + " images of " + channels + "x" + height + "x" + width,
                4L * files.size() * channels * plane);
        if ((long) files.size() * channels * plane > Integer.MAX_VALUE - 16) {
            throw new DatasetException(MemoryBudget.name(root) + ": " + files.size() + " images of " + channels + "x"
                    + height + "x" + width + " are more than one array can hold");
        }
        float[] pixels = new float[Math.multiplyExact(files.size(), channels * plane)];
        for (int i = 0; i < files.size(); i++) {
            BufferedImage img = resize(decode(files.get(i)), width, height);
            int base = i * channels * plane;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int rgb = img.getRGB(x, y);
                    int r = (rgb >> 16) & 0xFF;
                    int g = (rgb >> 8) & 0xFF;
                    int b = rgb & 0xFF;
                    int p = y * width + x;
                    if (channels == 1) {
                        pixels[base + p] = (0.299f * r + 0.587f * g + 0.114f * b) / 255f; // ITU-R BT.601 luma
                    } else {
                        pixels[base + p] = r / 255f;
                        pixels[base + plane + p] = g / 255f;
                        pixels[base + 2 * plane + p] = b / 255f;
                    }
                }
            }
        }
        int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
        String name = root.getFileName() == null ? root.toString() : root.getFileName().toString();
        return new ImageData(name, Nd4j.create(pixels, new long[]{files.size(), channels, height, width}, DataType.FLOAT),
                y, classNames.size(), classNames);
    }

    /**
     * Decodes one image after checking the size its header declares: a few hundred bytes can declare a
     * 100000x100000 image, which the decoder would reserve before finding the data missing.
     */
    private static BufferedImage decode(Path file) {
        String name = MemoryBudget.name(file);
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new DatasetException(name + ": could not open the image file");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DatasetException(name + ": not a PNG or JPEG image that ImageIO can decode");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width < 1 || height < 1) {
                    throw new DatasetException(name + ": header declares a " + width + "x" + height + " image; expected"
                            + " positive sizes");
                }
                // The decoder holds up to 4 bytes per pixel (ARGB) and the resize another 4.
                long pixels = width * height;
                String declared = "header declares a " + width + "x" + height + " image";
                if (pixels > MAX_PIXELS) {
                    throw new DatasetException(name + ": " + declared + ", more than the " + MAX_PIXELS
                            + " pixels an image may have here");
                }
                // Deflate expands at most 1032-fold and a PNG pixel takes at least one bit, so a PNG's size bounds
                // the pixels it can really hold.
                long pngLimit = 8 * DEFLATE_MAX_RATIO * Files.size(file);
                if ("png".equalsIgnoreCase(reader.getFormatName()) && pixels > pngLimit) {
                    throw new DatasetException(name + ": " + declared + " but a PNG of " + MemoryBudget.size(Files.size(file))
                            + " can hold at most " + pngLimit + " pixels");
                }
                MemoryBudget.check(file, declared, 8 * pixels);
                BufferedImage img = reader.read(0);
                if (img == null) {
                    throw new DatasetException(name + ": not a PNG or JPEG image that ImageIO can decode");
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (DatasetException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO's decoders answer corrupt data with IIOException and also with unchecked exceptions
            // (IndexOutOfBounds, IllegalArgument, NegativeArraySize): all of them mean an unreadable image.
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
            throw new DatasetException(name + ": unreadable image, expected a PNG or JPEG (" + why + ")", e);
        }
    }

    /** Bilinear resize into an RGB image (also normalizes palette/gray/alpha images to plain RGB). */
    private static BufferedImage resize(BufferedImage src, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static boolean isImageFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    private static List<Path> sorted(Path dir, java.util.function.Predicate<Path> keep) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(keep).sorted().toList();
        } catch (IOException e) {
            throw new DatasetException("Could not list image folder " + dir + ": " + e, e);
        }
    }
}
