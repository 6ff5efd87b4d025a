package dev.keel.storage.azure;

import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.Redactor;
import java.io.IOException;

/**
 * Turns Azure SDK failures into IOException for operations and KeelException for verify. Every message
 * passes through the client's {@link Redactor}, so Java API callers never see a key, a SAS token or an
 * endpoint's credential parameters either.
 */
final class AzureErrors {
    private AzureErrors() {
    }

    static IOException io(String action, String subject, RuntimeException e, Redactor redactor) {
        return new IOException(redactor.redact(action + " failed on " + subject + ": " + summary(e)), e);
    }

    static boolean isNotFound(RuntimeException e) {
        return e instanceof BlobStorageException b && b.getStatusCode() == 404;
    }

    static boolean isInvalidRange(RuntimeException e) {
        return e instanceof BlobStorageException b && b.getStatusCode() == 416;
    }

    /**
     * The verdict of verify(): what is wrong with the replica settings and what to change;
     * {@code operation} is what the refused request tried ("write blobs").
     */
    static KeelException unavailable(String subject, String container, String endpoint, String operation, RuntimeException e,
                                     Redactor redactor) {
        String message;
        String hint;
        if (e instanceof BlobStorageException b) {
            BlobErrorCode code = b.getErrorCode();
            if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(code) || (b.getStatusCode() == 404 && code == null)) {
                message = "container '" + container + "' does not exist";
                hint = "create the container, or fix 'bucket' (the container) and 'account-name' in the replica config";
            } else if (b.getStatusCode() == 401 || b.getStatusCode() == 403) {
                message = "the storage refused the credentials to " + operation + (code == null ? "" : " (" + code + ")");
                hint = "check account-name and account-key (or LITESTREAM_AZURE_ACCOUNT_KEY), or that the SAS token is "
                        + "valid and grants read, write, delete and list (sp=rwdl) on container '" + container + "'";
            } else {
                message = "cannot " + operation + ": Azure Blob error " + summary(e);
                hint = "check the account, container and credentials in the replica config";
            }
        } else {
            message = "cannot reach " + endpoint + ": " + summary(e);
            hint = "check 'endpoint' and 'account-name' in the replica config and that the service is reachable";
        }
        // An unreachable service carries a ConnectException (redacted text only, never the SDK's own message)
        // as its cause: replication then starts anyway, while a refusal stops the start.
        Throwable cause = e instanceof BlobStorageException ? null : new java.net.ConnectException(redactor.redact(summary(e)));
        return new KeelException(ErrorCode.STORAGE_UNAVAILABLE, redactor.redact(message), redactor.redact(subject), hint, cause);
    }

    /** One line: the service's error code, or the root cause of a network failure. */
    private static String summary(RuntimeException e) {
        if (e instanceof BlobStorageException b) {
            return (b.getErrorCode() == null ? "" : b.getErrorCode() + ", ") + "HTTP " + b.getStatusCode();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
        return text;
    }
}
