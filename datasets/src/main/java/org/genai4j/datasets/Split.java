package org.genai4j.datasets;

/** Which part of an image dataset to load: the training set or the held-out test set. */
public enum Split {
    /** The training images (Fashion-MNIST/MNIST: 60,000; CIFAR-10: 50,000). */
    TRAIN,
    /** The test images (10,000 for Fashion-MNIST, MNIST and CIFAR-10). */
    TEST
}
