using Microsoft.Extensions.DependencyInjection;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sparkify.Pipeline;
using Sparkify.DevTools;

namespace Sparkify.AppHost;

/// <summary>The local S3 + SQS endpoint: fauxqs from tools/fauxqs, on a loopback port the orchestrator picks.</summary>
public static class LocalAwsExtensions
{
    public const string EndpointName = "http";

    /// <summary>The credentials the workers present to the local endpoint, which accepts any.</summary>
    public const string LocalAccessKey = "local";

    public static IResourceBuilder<ExecutableResource> AddLocalAws(this IDistributedApplicationBuilder builder, string name, string repositoryRoot)
    {
        var tools = LocalTools.FauxqsFolder(repositoryRoot);
        var node = LocalTools.FauxqsNode(repositoryRoot);
        if (!File.Exists(node))
        {
            throw new InvalidOperationException($"The local S3/SQS endpoint is not installed: run scripts/ensure-fauxqs.sh (it runs `npm ci` in {tools}).");
        }
        var aws = builder.AddExecutable(name, node, tools, "--no-warnings", "launch.mjs")
            .WithHttpEndpoint(name: EndpointName, env: "FAUXQS_PORT", isProxied: false);
        var healthCheck = $"{name}-answers";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
        {
            try
            {
                using var s3 = AwsClients.CreateS3(LocalOptions(aws.GetEndpoint(EndpointName).Url, "unused"), LocalCredentials);
                await s3.ListBucketsAsync(new ListBucketsRequest(), cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is AmazonS3Exception or HttpRequestException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy(exception.Message);
            }
        });
        return aws.WithHealthCheck(healthCheck);
    }

    public static readonly Amazon.Runtime.BasicAWSCredentials LocalCredentials = new(LocalAccessKey, LocalAccessKey);

    public static PipelineOptions LocalOptions(string serviceUrl, string bucket) => new() { Bucket = bucket, AwsServiceUrl = serviceUrl };
}
