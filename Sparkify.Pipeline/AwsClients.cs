using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SQS;

namespace Sparkify.Pipeline;

/// <summary>S3 and SQS clients for real AWS (standard credential and region chain) or a local endpoint.</summary>
public static class AwsClients
{
    private const string LocalRegion = "us-east-1";

    /// <param name="credentials">Explicit credentials; by default the standard AWS chain (environment, profile, role).</param>
    public static IAmazonS3 CreateS3(PipelineOptions options, AWSCredentials? credentials = null)
    {
        var config = new AmazonS3Config();
        if (!string.IsNullOrEmpty(options.AwsServiceUrl))
        {
            config.ServiceURL = options.AwsServiceUrl;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = options.AwsRegion ?? LocalRegion;
        }
        else if (!string.IsNullOrEmpty(options.AwsRegion))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.AwsRegion);
        }
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }

    public static IAmazonSQS CreateSqs(PipelineOptions options, AWSCredentials? credentials = null)
    {
        var config = new AmazonSQSConfig();
        if (!string.IsNullOrEmpty(options.AwsServiceUrl))
        {
            config.ServiceURL = options.AwsServiceUrl;
            config.AuthenticationRegion = options.AwsRegion ?? LocalRegion;
        }
        else if (!string.IsNullOrEmpty(options.AwsRegion))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.AwsRegion);
        }
        return credentials is null ? new AmazonSQSClient(config) : new AmazonSQSClient(credentials, config);
    }
}
