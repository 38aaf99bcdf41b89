using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SQS;

namespace Sparkify.Pipeline;

/// <summary>
/// How the S3 and SQS clients reach real AWS (the standard credential and region chain) or a local endpoint. The
/// workers get their clients from AWSSDK.Extensions.NETCore.Setup (see <see cref="PipelineHostingExtensions"/>) with
/// <see cref="ApplyEndpoint"/>; the tools and tests build theirs here.
/// </summary>
public static class AwsClients
{
    private const string LocalRegion = "us-east-1";

    /// <summary>
    /// Points a client's config at <see cref="PipelineOptions.AwsServiceUrl"/> when one is set (S3 then addresses
    /// buckets by path: a local endpoint has no per-bucket host names), else at <see cref="PipelineOptions.AwsRegion"/>
    /// when one is set; otherwise leaves the region to the standard chain.
    /// </summary>
    public static void ApplyEndpoint(ClientConfig config, PipelineOptions options)
    {
        if (!string.IsNullOrEmpty(options.AwsServiceUrl))
        {
            config.ServiceURL = options.AwsServiceUrl;
            config.AuthenticationRegion = options.AwsRegion ?? LocalRegion;
            if (config is AmazonS3Config s3)
            {
                s3.ForcePathStyle = true;
            }
        }
        else if (!string.IsNullOrEmpty(options.AwsRegion))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.AwsRegion);
        }
    }

    /// <param name="credentials">Explicit credentials; by default the standard AWS chain (environment, profile, role).</param>
    public static IAmazonS3 CreateS3(PipelineOptions options, AWSCredentials? credentials = null)
    {
        var config = new AmazonS3Config();
        ApplyEndpoint(config, options);
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }

    public static IAmazonSQS CreateSqs(PipelineOptions options, AWSCredentials? credentials = null)
    {
        var config = new AmazonSQSConfig();
        ApplyEndpoint(config, options);
        return credentials is null ? new AmazonSQSClient(config) : new AmazonSQSClient(credentials, config);
    }
}
