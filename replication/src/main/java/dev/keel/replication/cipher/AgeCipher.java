package dev.keel.replication.cipher;

import com.exceptionfactory.jagged.PayloadException;
import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.AgeEncryption;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The age layer of one replica's objects, as Litestream 0.3 applies it: an object written is an age
 * file (X25519 recipients, the age v1 format through the jagged library) whose payload is the LZ4
 * frame; an object read is decrypted when it starts with the age header. A replica either holds
 * only age files (it has identities) or only plain LZ4 frames (it has none): any other object is
 * refused with an error naming it, so a wrong key or a replica that mixes both never yields a
 * partial restore. Errors never show a key. Safe for concurrent use.
 */
public final class AgeCipher {
    /** The first line of every age v1 file. */
    static final byte[] AGE_HEADER = "age-encryption.org/v1\n".getBytes(StandardCharsets.US_ASCII);
    /** A replica without keys: writes plain frames and refuses age files with a clear message. */
    public static final AgeCipher PLAIN = new AgeCipher(List.of(), List.of());

    private final List<RecipientStanzaWriter> recipients;
    private final List<RecipientStanzaReader> identities;

    private AgeCipher(List<RecipientStanzaWriter> recipients, List<RecipientStanzaReader> identities) {
        this.recipients = recipients;
        this.identities = identities;
    }

    /** The cipher for a replica's keys; {@link #PLAIN} for null. */
    public static AgeCipher of(AgeEncryption keys) {
        if (keys == null) return PLAIN;
        try {
            List<RecipientStanzaWriter> writers = new ArrayList<>();
            for (String r : keys.recipients()) writers.add(X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(r));
            List<RecipientStanzaReader> readers = new ArrayList<>();
            for (String i : keys.identities()) readers.add(X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(i));
            return new AgeCipher(List.copyOf(writers), List.copyOf(readers));
        } catch (GeneralSecurityException e) {
            // AgeEncryption checked every key already; keep the library's text (it may quote a key) out.
            throw new KeelException(ErrorCode.BAD_INPUT, "an age key cannot be used: " + e.getClass().getSimpleName());
        }
    }

    /** True when objects written are encrypted. */
    public boolean encrypts() {
        return !recipients.isEmpty();
    }

    /** True when age objects can be read. */
    public boolean decrypts() {
        return !identities.isEmpty();
    }

    /**
     * {@code sink} itself when this replica writes plain objects; else a stream whose bytes become one age
     * file in {@code sink}. Closing it finishes the age file (its last chunk) and closes {@code sink}.
     */
    public OutputStream encrypting(OutputStream sink) throws IOException {
        if (!encrypts()) return sink;
        WritableByteChannel channel;
        try {
            channel = new StandardEncryptingChannelFactory().newEncryptingChannel(Channels.newChannel(sink), recipients);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot start an age file: " + e.getClass().getSimpleName(), e);
        }
        // Channels.newOutputStream writes whole buffers; closing it closes the channel, which writes the final chunk.
        return new FilterOutputStream(Channels.newOutputStream(channel)) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                try {
                    out.close();
                } finally {
                    sink.close();
                }
            }
        };
    }

    /**
     * The plain bytes of an object read as {@code in}: decrypted when it is an age file and this replica
     * has identities, as is when it is plain and the replica has none; otherwise a {@link KeelException}
     * naming {@code object} (the replica URL and key) and what to do. A damaged or altered age file fails
     * when read, naming the object too.
     */
    public InputStream decrypting(InputStream in, String object) throws IOException {
        PushbackInputStream peek = new PushbackInputStream(in, AGE_HEADER.length);
        byte[] head = peek.readNBytes(AGE_HEADER.length);
        peek.unread(head);
        boolean age = Arrays.equals(head, AGE_HEADER);
        if (age && !decrypts()) {
            throw failure(in, new KeelException(ErrorCode.BAD_INPUT,
                    "the replica is age-encrypted and no age identity is configured for it: the key does not match", object,
                    "restore with -config, giving the replica's entry the identity its files were encrypted to "
                            + "(age: identities: or identity-files:)"));
        }
        if (!age && decrypts()) {
            throw failure(in, new KeelException(ErrorCode.BAD_INPUT,
                    "the replica mixes encrypted and plain files: this file is not age-encrypted", object,
                    "a replica with age identities must hold only age files; remove the plain files or restore "
                            + "them with a configuration without 'age:'"));
        }
        if (!age) return peek;
        try {
            InputStream plain = Channels.newInputStream(
                    new StandardDecryptingChannelFactory().newDecryptingChannel(Channels.newChannel(peek), identities));
            return new Authenticated(plain, object);
        } catch (GeneralSecurityException e) {
            throw failure(in, new KeelException(ErrorCode.BAD_INPUT,
                    "no configured age identity opens this file: the key does not match the one the replica was encrypted to", object,
                    "give the identity (AGE-SECRET-KEY-1...) whose recipient (age1...) the replica was written with"));
        } catch (PayloadException e) {
            throw failure(in, damaged(object));
        }
    }

    private static KeelException damaged(String object) {
        return new KeelException(ErrorCode.BAD_INPUT, "age file is damaged or was altered (authentication failed)", object,
                "the replica file is damaged; restore an earlier point (-timestamp, -index), another generation or another replica");
    }

    /** Closes the source stream before failing, so no connection or file handle is left open. */
    private static KeelException failure(InputStream in, KeelException e) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the failure being reported matters more
        }
        return e;
    }

    /** Turns the library's authentication failures while reading into errors that name the object. */
    private static final class Authenticated extends FilterInputStream {
        private final String object;

        Authenticated(InputStream in, String object) {
            super(in);
            this.object = object;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (PayloadException e) {
                throw damaged(object);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (PayloadException e) {
                throw damaged(object);
            }
        }
    }
}
