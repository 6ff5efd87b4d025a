package dev.keel.replication.api;

/**
 * A setting of {@link DatabaseConfig} or {@link ReplicaConfig} that the engine cannot run with. It names
 * the setting (the record component, e.g. {@code syncInterval}) so a config loader can point at the key
 * and line it came from; the message reads on its own for Java callers.
 */
public final class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String setting;
    private final String requirement;

    InvalidSettingException(String setting, String requirement, Object value) {
        super(setting + " " + requirement + ", not " + value);
        this.setting = setting;
        this.requirement = requirement;
    }

    /** The record component at fault, e.g. {@code syncInterval}. */
    public String setting() {
        return setting;
    }

    /** What the setting must be, e.g. "must be at least 1ms". */
    public String requirement() {
        return requirement;
    }
}
