using Amazon.S3.Model;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Sparkify.Testing;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>Transform reads only the bucket it is configured with, whatever a message names.</summary>
[Collection(PipelineCollection.Name)]
public sealed class ConfiguredBucketTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    [Fact]
    public async Task A_message_naming_another_bucket_fails_that_file_without_any_read_of_that_bucket()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        const string key = "log_data/2018/11/2018-11-05-events.json";
        var other = harness.Options.Bucket + "-other";
        await harness.S3.PutBucketAsync(other);
        // The other bucket holds a perfectly good file under the same key: reading it would load it.
        await harness.S3.PutObjectAsync(new PutObjectRequest { BucketName = other, Key = key, ContentBody = TestEvents.Plays(2) });
        await harness.UploadAsync("log_data/2018/11/2018-11-06-events.json", TestEvents.Plays(3, firstItem: 10));
        var ours = await harness.S3.GetObjectMetadataAsync(harness.Options.Bucket, "log_data/2018/11/2018-11-06-events.json");
        var theirs = await harness.S3.GetObjectMetadataAsync(other, key);
        var files = new[]
        {
            new ManifestFile(S3Keys.Of(harness.Options.Bucket, "log_data/2018/11/2018-11-06-events.json"), S3Keys.BareETag(ours.ETag), ours.ContentLength),
            new ManifestFile(S3Keys.Of(other, key), S3Keys.BareETag(theirs.ETag), theirs.ContentLength),
        };
        var batchId = await new BatchManifests(harness.DataSource).OpenAsync("a message naming another bucket", files);
        var queueUrl = (await harness.Sqs.GetQueueUrlAsync(harness.Options.QueueName)).QueueUrl;
        foreach (var file in files)
        {
            await harness.Sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = queueUrl, MessageBody = FileMessage.Of(batchId, file).ToJson() });
        }
        var (s3, reads) = S3ReadRecorder.Wrap(harness.S3);

        await harness.StartTransformAsync(services => services.AddSingleton(s3));

        Assert.Equal("completed_with_failures", await harness.WaitForBatchAsync(batchId));
        Assert.Contains($"the message names the bucket {other}, not the configured bucket {harness.Options.Bucket}",
            await harness.ScalarAsync<string>("SELECT failure_reason FROM batch_files WHERE batch_id = $1 AND state = 'failed'", batchId), StringComparison.Ordinal);
        Assert.Equal(S3Keys.Of(harness.Options.Bucket, "log_data/2018/11/2018-11-06-events.json"),
            await harness.ScalarAsync<string>("SELECT file_key FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.NotEmpty(reads.Buckets);
        Assert.All(reads.Buckets, bucket => Assert.Equal(harness.Options.Bucket, bucket));
    }
}
