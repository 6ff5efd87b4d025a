package dev.keel.bench.storage.soak;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * s3proxy with a filesystem store, alone in its JVM so the soak can {@code kill -9} it as a crash of a
 * real S3 server: {@code S3ProxyMain PORT DATA_DIR ACCESS_KEY SECRET BUCKET}. Set up as the test
 * suite's {@code S3TestServer} does; prints "ready" once it serves.
 */
public final class S3ProxyMain {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path data = Files.createDirectories(Path.of(args[1]));
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", data.toString());
        props.setProperty("jclouds.identity", args[2]);
        props.setProperty("jclouds.credential", args[3]);
        BlobStore store = BlobStores.create("filesystem", props);
        if (!store.containerExists(args[4])) store.createContainer(args[4]);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, args[2], args[3])
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) Thread.sleep(10);
        System.out.println("ready");
        Thread.currentThread().join();
    }
}
