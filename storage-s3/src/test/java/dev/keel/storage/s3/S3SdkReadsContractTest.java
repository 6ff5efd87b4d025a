package dev.keel.storage.s3;

/** The contract again with direct reads off: the SDK client's read path, which every fallback takes, must pass it too. */
class S3SdkReadsContractTest extends S3ReplicaClientContractTest {
    @Override
    protected S3Options options() {
        return super.options().withDirectReads(false);
    }
}
