package org.genai4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class DatasetsTest {

    @Test
    void namesIncludeRegistryAndSyntheticDatasets() {
        assertEquals(List.of("fashion-mnist", "mnist", "cifar10", "tinyshakespeare", "the-verdict", "sms-spam",
                "instruct", "instruct-preference", "synthetic-shapes", "synthetic-text"), Datasets.names());
        assertTrue(Datasets.isAvailableOffline("synthetic-shapes"));
        assertTrue(Datasets.isAvailableOffline("synthetic-text"));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.images("fasion-mnist", Split.TRAIN));
        assertTrue(e.getMessage().contains("Unknown dataset 'fasion-mnist'")
                && e.getMessage().contains("fashion-mnist, mnist, cifar10, tinyshakespeare"), e.getMessage());
        assertThrows(DatasetException.class, () -> Datasets.isAvailableOffline("nope"));
    }

    @Test
    void wrongKindIsNamed() {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.images("tinyshakespeare", Split.TRAIN));
        assertTrue(e.getMessage().contains("'tinyshakespeare' is a text dataset"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> Datasets.text("synthetic-shapes"));
        assertTrue(e.getMessage().contains("'synthetic-shapes' is a image dataset") || e.getMessage().contains("image"),
                e.getMessage());
    }

    @Test
    void syntheticShapesSplitsAndSubset() {
        ImageData test = Datasets.images("synthetic-shapes", Split.TEST);
        assertEquals(Datasets.SYNTHETIC_TEST_SIZE, test.size());
        assertEquals(28, test.height());
        ImageData part = test.subset(10, 30);
        assertEquals(20, part.size());
        assertEquals(test.labels()[10], part.labels()[0]);
        assertEquals(test.images().getFloat(12, 0, 14, 14), part.images().getFloat(2, 0, 14, 14));
        assertThrows(DatasetException.class, () -> test.subset(5, 5));
        assertEquals(test.images().getFloat(3, 0, 2, 5), test.flattened().getFloat(3, 2 * 28 + 5));
        assertEquals(28 * 28, test.flattened().size(1));
    }

    @Test
    void imageDataRejectsInconsistentInput() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> new ImageData("x", Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 1, 2, 2),
                        new int[]{0, 1}, 2, List.of()));
        assertTrue(e.getMessage().contains("3 images but 2 labels"), e.getMessage());
    }
}
