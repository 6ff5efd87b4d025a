package dev.keel.storage.s3;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.Redactor;
import java.io.IOException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns AWS SDK failures into what Keel's callers expect: IOException for operations, KeelException for
 * verify. Every message passes through the client's {@link Redactor}: an application calling the Java
 * API gets no redaction from the command line, so the endpoint's password and the secret key are
 * hidden here, where the message is made.
 */
final class S3Errors {
    private S3Errors() {
    }

    static IOException io(String action, String subject, SdkException e, Redactor redactor) {
        return new IOException(redactor.redact(action + " failed on " + subject + ": " + summary(e)), e);
    }

    /**
     * True when the server does not implement a request at all; Google Cloud Storage answers
     * DeleteObjects with NotImplemented (or, in older versions, InvalidArgument).
     */
    static boolean isUnsupported(S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return e.statusCode() == 501 || "NotImplemented".equals(code) || "InvalidArgument".equals(code);
    }

    /**
     * The verdict of verify(): what is wrong with the replica settings and what to change;
     * {@code operation} is what the refused request tried ("write objects").
     */
    static KeelException unavailable(String subject, String bucket, String endpoint, String operation, SdkException e, Redactor redactor) {
        String code = e instanceof S3Exception s3 && s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorCode() : null;
        int status = e instanceof S3Exception s3 ? s3.statusCode() : 0;
        String message;
        String hint;
        boolean unreachable = false;
        if ("NoSuchBucket".equals(code) || (status == 404 && code == null)) {
            message = "bucket '" + bucket + "' does not exist";
            hint = "create the bucket, or fix 'bucket' (and 'endpoint'/'region') in the replica config";
        } else if ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)
                || "InvalidClientTokenId".equals(code) || status == 401 || status == 403) {
            message = "the storage refused the credentials to " + operation + (code == null ? "" : " (" + code + ")");
            hint = "check access-key-id and secret-access-key in the replica config, or LITESTREAM_ACCESS_KEY_ID/"
                    + "LITESTREAM_SECRET_ACCESS_KEY (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), and that they may list, "
                    + "read, write and delete objects in bucket '" + bucket + "'";
        } else if (e instanceof SdkClientException && hasCause(e, javax.net.ssl.SSLException.class)) {
            message = "the TLS certificate of " + endpoint + " is not trusted: " + summary(e);
            hint = "if the server uses a self-signed or private CA certificate, add that CA to the JVM's trust store "
                    + "(or set 'skip-verify: true' on the replica, which turns certificate checks off)";
        } else if (e instanceof SdkClientException) {
            unreachable = true;
            message = "cannot reach " + (endpoint == null ? "S3" : endpoint) + ": " + summary(e);
            hint = "check 'endpoint' and 'region' in the replica config and that the server is running and reachable";
        } else {
            message = "S3 error: " + summary(e);
            hint = "check the bucket, region and credentials in the replica config";
        }
        // An unreachable server carries a ConnectException (redacted text only, never the SDK's own message)
        // as its cause: replication then starts anyway, while a refusal stops the start.
        Throwable cause = unreachable ? new java.net.ConnectException(redactor.redact(summary(e))) : null;
        return new KeelException(ErrorCode.STORAGE_UNAVAILABLE, redactor.redact(message), redactor.redact(subject), hint, cause);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) return true;
        }
        return false;
    }

    /** One line: the SDK's message without its request-id noise, plus the root cause of client errors. */
    private static String summary(SdkException e) {
        if (e instanceof S3Exception s3 && s3.awsErrorDetails() != null) {
            var details = s3.awsErrorDetails();
            return (details.errorCode() == null ? "" : details.errorCode() + ": ")
                    + (details.errorMessage() == null ? "HTTP " + s3.statusCode() : details.errorMessage());
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e ? message : message + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
}
