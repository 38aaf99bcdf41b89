using Amazon.CDK;
using Amazon.CDK.AWS.S3;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// The source bucket (user activity: versioned, noncurrent versions expire, access logged), or an existing one; and
/// the log bucket that receives the source bucket's server access logs and the VPC's flow logs. Both are created in
/// the stack's own scope, so that the source bucket keeps the logical id it always had.
/// </summary>
internal sealed class SourceStorage
{
    public SourceStorage(Construct scope, DeploySettings settings)
    {
        Logs = new Bucket(scope, "Logs", new BucketProps
        {
            Encryption = BucketEncryption.S3_MANAGED, // server access logs can only be delivered to SSE-S3 buckets
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            EnforceSSL = true,
            RemovalPolicy = RemovalPolicy.RETAIN,
            LifecycleRules = [new LifecycleRule { Id = "ExpireLogs", Expiration = Duration.Days(settings.AccessLogDays) }],
        });

        if (!string.IsNullOrWhiteSpace(settings.BucketName))
        {
            // cdk-nag knows a bucket that receives another bucket's access logs; here it holds the flow logs only.
            NagSuppressions.Add(Logs, "AwsSolutions-S1",
                "This is the log bucket: it holds the VPC flow logs; logging its own accesses into itself would only log the log deliveries.");
            // Versioning, access logs and lifecycle of an existing bucket are its owner's (README, Deploy to AWS).
            Source = Bucket.FromBucketName(scope, "Source", settings.BucketName);
            return;
        }
        Source = new Bucket(scope, "Source", new BucketProps
        {
            Encryption = BucketEncryption.S3_MANAGED,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            EnforceSSL = true,
            Versioned = true,
            ServerAccessLogsBucket = Logs,
            ServerAccessLogsPrefix = "source-bucket/",
            LifecycleRules =
            [
                new LifecycleRule
                {
                    Id = "ExpireReplacedVersions",
                    NoncurrentVersionExpiration = Duration.Days(settings.NoncurrentVersionDays),
                    AbortIncompleteMultipartUploadAfter = Duration.Days(7),
                },
            ],
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
    }

    /// <summary>The bucket holding song_data/ and log_data/.</summary>
    public IBucket Source { get; }

    public Bucket Logs { get; }
}
