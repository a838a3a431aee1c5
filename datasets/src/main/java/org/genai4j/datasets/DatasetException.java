package org.genai4j.datasets;

/**
 * A dataset could not be found, downloaded or read. The message always names the dataset or file
 * concerned and what was expected, so it can be shown to a user as it is.
 */
public class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the file or dataset and what was expected */
    public DatasetException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the file or dataset and what was expected
     * @param cause   the underlying I/O or format error
     */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
