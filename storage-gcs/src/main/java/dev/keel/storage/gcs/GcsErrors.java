package dev.keel.storage.gcs;

import com.google.cloud.BaseServiceException;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.Redactor;
import java.io.IOException;

/**
 * Turns Google Cloud client failures into IOException for operations and KeelException for verify.
 * Messages carry the service's status and reason, never a response body or a token, and pass through
 * the URL redactor in case an emulator host was given with credentials in it.
 */
final class GcsErrors {
    private GcsErrors() {
    }

    static IOException io(String action, String subject, RuntimeException e) {
        return new IOException(Redactor.urls(action + " failed on " + subject + ": " + summary(e)), e);
    }

    static boolean isNotFound(Throwable e) {
        return status(e) == 404;
    }

    /** The HTTP status of a service error anywhere in the causes, else 0 (no answer at all). */
    static int status(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BaseServiceException s && s.getCode() > 0) return s.getCode();
        }
        return 0;
    }

    /**
     * The verdict of verify(): what is wrong with the replica settings and what to change;
     * {@code operation} is what the refused request tried ("write objects").
     */
    static KeelException unavailable(String subject, String bucket, String endpoint, String operation, RuntimeException e) {
        int status = status(e);
        String message;
        String hint;
        if (status == 404) {
            message = "bucket '" + bucket + "' does not exist";
            hint = "create the bucket (gcloud storage buckets create gs://" + bucket + "), or fix 'bucket' in the replica config";
        } else if (status == 401) {
            message = "Google Cloud Storage refused the request without valid credentials to " + operation;
            hint = "set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, or run where the platform "
                    + "provides credentials (GKE workload identity, a VM's service account)";
        } else if (status == 403) {
            message = "the credentials may not " + operation + " in bucket '" + bucket + "'";
            hint = "grant the service account roles/storage.objectAdmin (list, read, write and delete objects) on bucket '"
                    + bucket + "'";
        } else if (status > 0) {
            message = "cannot " + operation + ": " + summary(e);
            hint = "check 'bucket' in the replica config and the service's status";
        } else {
            message = "cannot reach " + endpoint + ": " + summary(e);
            hint = "check the network (or STORAGE_EMULATOR_HOST when you use an emulator) and that the service is reachable";
        }
        // An unreachable service carries a ConnectException (redacted text only) as its cause: replication
        // then starts anyway, while a refusal stops the start.
        Throwable cause = status > 0 ? null : new java.net.ConnectException(Redactor.urls(summary(e)));
        return new KeelException(ErrorCode.STORAGE_UNAVAILABLE, Redactor.urls(message), subject, hint, cause);
    }

    /** One line: the status and reason of a service error, or the root cause of a network failure. */
    static String summary(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BaseServiceException s && s.getCode() > 0) {
                return "HTTP " + s.getCode() + (s.getReason() == null ? "" : " " + s.getReason());
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
