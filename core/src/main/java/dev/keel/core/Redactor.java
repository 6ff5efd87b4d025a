package dev.keel.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets in text meant for people (error messages, listings, logs): the password in a URL's
 * user info ({@code sftp://u:***@host}), the values of query parameters that carry credentials
 * ({@code ?sig=***}, {@code X-Amz-Signature=***}, {@code token=***}, ...) and any value known to be a
 * secret (a config file's {@code secret-access-key}, {@code account-key}, {@code password},
 * {@code sas-token}, ...). Immutable; {@link #with} gives a redactor that also knows more secrets.
 */
public final class Redactor {
    /** What a hidden value is shown as. */
    public static final String MASK = "***";

    /** A redactor that knows no secret values, only the shapes of URLs that carry them. */
    public static final Redactor URLS = new Redactor(List.of());

    /** Values shorter than this are not searched for: hiding every "ab" would garble messages, not protect. */
    static final int MIN_SECRET_LENGTH = 4;

    // [scheme:]//user:password@ — the password runs to the last '@' before the path, as URL parsers read it.
    private static final Pattern USER_INFO = Pattern.compile("((?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^:/@\\s]*):([^\\s/]*)@");
    // Query parameters of Azure SAS tokens, S3 presigned URLs and anything named like a credential.
    private static final Pattern SECRET_PARAMETER = Pattern.compile("(?i)([?&;](?:sig|se|sp|sv|sr|st|spr|srt|ss|skoid|sktid|skt|ske|sks|skv"
            + "|x-amz-[a-z-]+|[a-z0-9_.-]*(?:token|secret|password|passwd|pwd|key|credential|signature|sas)[a-z0-9_.-]*)=)"
            + "[^&;#\\s'\"]*");

    private final List<String> secrets;

    private Redactor(List<String> secrets) {
        this.secrets = secrets;
    }

    /** This redactor plus {@code more} secret values (nulls and values under 4 characters are ignored). */
    public Redactor with(Collection<String> more) {
        Set<String> all = new LinkedHashSet<>(secrets);
        for (String s : more) {
            if (s != null && s.length() >= MIN_SECRET_LENGTH) all.add(s);
        }
        if (all.size() == secrets.size()) return this;
        List<String> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingInt(String::length).reversed()); // a secret containing another goes first
        return new Redactor(List.copyOf(sorted));
    }

    /** The secret values this redactor hides wherever they appear. */
    public List<String> secrets() {
        return secrets;
    }

    /** {@code text} with every secret replaced by {@value #MASK}; null stays null. */
    public String redact(String text) {
        if (text == null || text.isEmpty()) return text;
        String out = text;
        for (String secret : secrets) {
            if (out.contains(secret)) out = out.replace(secret, MASK);
        }
        if (out.indexOf("//") >= 0) out = replace(USER_INFO, out, "$1:" + MASK + "@");
        if (out.indexOf('=') >= 0) out = replace(SECRET_PARAMETER, out, "$1" + MASK);
        return out;
    }

    /** Shorthand for {@code URLS.redact(text)}: URL passwords and credential parameters hidden. */
    public static String urls(String text) {
        return URLS.redact(text);
    }

    private static String replace(Pattern pattern, String text, String replacement) {
        Matcher m = pattern.matcher(text);
        return m.find() ? m.replaceAll(replacement) : text;
    }
}
