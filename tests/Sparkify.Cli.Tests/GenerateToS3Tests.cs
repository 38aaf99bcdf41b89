using Amazon.S3.Model;
using Sparkify.Pipeline;
using Sparkify.Testing;

namespace Sparkify.Cli.Tests;

[CollectionDefinition(Name)]
public sealed class FauxqsCollection : ICollectionFixture<FauxqsFixture>
{
    public const string Name = "fauxqs";
}

[Collection(FauxqsCollection.Name)]
public sealed class GenerateToS3Tests(FauxqsFixture fauxqs)
{
    [Fact]
    public async Task Generate_writes_straight_to_a_bucket_prefix()
    {
        var options = new PipelineOptions { Bucket = "generated-" + Guid.NewGuid().ToString("N")[..8], AwsServiceUrl = fauxqs.Server.ServiceUrl };
        using var s3 = AwsClients.CreateS3(options);
        await s3.PutBucketAsync(options.Bucket);

        var result = await Sparkify.RunAsync("generate", $"s3://{options.Bucket}/raw", "--songs", "25", "--events", "300", "--days", "3",
            "--s3-service-url", fauxqs.Server.ServiceUrl);

        Assert.True(result.ExitCode == 0, result.Error);
        var keys = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = options.Bucket })).S3Objects.Select(o => o.Key).ToList();
        Assert.Equal(25, keys.Count(k => k.StartsWith("raw/song_data/", StringComparison.Ordinal)));
        Assert.Equal(3, keys.Count(k => k.StartsWith("raw/log_data/2018/11/", StringComparison.Ordinal)));
        Assert.Equal(28, keys.Count);
        Assert.Contains($"to s3://{options.Bucket}/raw", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bucket_that_does_not_exist_is_one_line_and_exit_3_before_any_data_is_written()
    {
        var bucket = "missing-" + Guid.NewGuid().ToString("N")[..8];

        var result = await Sparkify.RunAsync("generate", $"s3://{bucket}/raw", "--songs", "25", "--events", "300",
            "--s3-service-url", fauxqs.Server.ServiceUrl);

        UnreachableServiceTests.AssertOneErrorLine(result, ExitCodes.ServiceError, $"S3 refused s3://{bucket}/raw/ (404 NoSuchBucket)");
        Assert.Empty(result.Output);
    }
}
