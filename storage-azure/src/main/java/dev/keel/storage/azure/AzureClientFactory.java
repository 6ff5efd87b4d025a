package dev.keel.storage.azure;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.BlobServiceVersion;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import dev.keel.core.Redactor;
import dev.keel.replication.spi.ReplicaStorage;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/** Builds the Azure SDK client for one replica's container: endpoint, credentials, timeouts, pinned service version. */
final class AzureClientFactory {
    /** Pinned so that the SDK and Azurite agree whatever their release dates. */
    static final BlobServiceVersion SERVICE_VERSION = BlobServiceVersion.V2025_11_05;

    private AzureClientFactory() {
    }

    static BlobContainerClient create(ReplicaStorage.Azure storage, AzureOptions options, UnaryOperator<String> env) {
        var http = new JdkHttpClientBuilder()
                .connectionTimeout(options.connectTimeout())
                .responseTimeout(options.ioTimeout())
                .readTimeout(options.ioTimeout())
                .writeTimeout(options.ioTimeout())
                .build();
        var builder = new BlobServiceClientBuilder()
                .endpoint(endpoint(storage))
                .httpClient(http)
                .serviceVersion(SERVICE_VERSION)
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, options.maxTries(), options.tryTimeout(),
                        Duration.ofMillis(200), Duration.ofSeconds(5), null));
        String key = accountKey(storage, env);
        if (present(key)) {
            if (!present(storage.accountName())) {
                throw new IllegalArgumentException("an Azure replica with an account key needs account-name");
            }
            builder.credential(new StorageSharedKeyCredential(storage.accountName(), key));
        } else if (present(storage.sasToken())) {
            builder.sasToken(storage.sasToken());
        }
        return builder.buildClient().getBlobContainerClient(storage.container());
    }

    /** What the replica's messages must hide: its account key and SAS token, URL passwords and credential parameters. */
    static Redactor redactor(ReplicaStorage.Azure storage, UnaryOperator<String> env) {
        return Redactor.URLS.with(Arrays.asList(accountKey(storage, env), storage.sasToken()));
    }

    /**
     * True when the endpoint has user info ({@code http://user:password@host}): Azure does not use it,
     * and the SDK fails to parse such a URL with a message that quotes the password.
     */
    static boolean endpointHasUserInfo(ReplicaStorage.Azure storage) {
        if (!present(storage.endpoint())) return false;
        String url = endpoint(storage);
        String rest = url.substring(url.indexOf("://") + 3);
        int end = rest.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) end = i;
        }
        return rest.substring(0, end).indexOf('@') >= 0;
    }

    /** The configured endpoint (Azurite, sovereign clouds), else the account's public endpoint. */
    static String endpoint(ReplicaStorage.Azure storage) {
        String endpoint = storage.endpoint();
        if (present(endpoint)) return endpoint.contains("://") ? endpoint : "https://" + endpoint;
        if (!present(storage.accountName())) throw new IllegalArgumentException("an Azure replica needs account-name or endpoint");
        return "https://" + storage.accountName() + ".blob.core.windows.net";
    }

    /** The replica's account key, else LITESTREAM_AZURE_ACCOUNT_KEY. */
    static String accountKey(ReplicaStorage.Azure storage, UnaryOperator<String> env) {
        if (present(storage.accountKey())) return storage.accountKey();
        if (present(storage.sasToken())) return null;
        return env.apply("LITESTREAM_AZURE_ACCOUNT_KEY");
    }

    static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
