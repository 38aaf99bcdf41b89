using Amazon;
using Amazon.S3;
using Amazon.SQS;

namespace Sparkify.Pipeline;

/// <summary>S3 and SQS clients for real AWS (standard credential and region chain) or a local endpoint.</summary>
public static class AwsClients
{
    private const string LocalRegion = "us-east-1";

    public static IAmazonS3 CreateS3(PipelineOptions options)
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
        return new AmazonS3Client(config);
    }

    public static IAmazonSQS CreateSqs(PipelineOptions options)
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
        return new AmazonSQSClient(config);
    }
}
