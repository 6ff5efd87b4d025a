package dev.keel.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real server a test starts on 127.0.0.1; registered as a JUnit extension it runs for the whole
 * test class. {@link #start()} after a stop reuses the same port, so tests can simulate outages.
 */
public interface TestServer extends BeforeAllCallback, AfterAllCallback, AutoCloseable {
    /** Starts the server (again, on the same port, after {@link #stop()}); returns it. */
    TestServer start();

    /** Stops the server but keeps its data, for outage tests. */
    void stop();

    /** Stops the server and deletes its data. */
    @Override
    void close();

    @Override
    default void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    default void afterAll(ExtensionContext context) {
        close();
    }
}
