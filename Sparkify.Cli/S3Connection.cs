using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using Amazon.S3.Model;
using Sparkify.Pipeline;

namespace Sparkify.Cli;

/// <summary>
/// The S3 client of a command that writes to a bucket. It is proven before any work (a one-key listing of the target),
/// and every S3 failure becomes one line a person can act on: no credentials or no region (<see cref="UsageException"/>),
/// an endpoint that cannot be reached or a refusal (<see cref="ServiceException"/>) — never the SDK's stack trace.
/// </summary>
internal static class S3Connection
{
    public static async Task<IAmazonS3> OpenAsync(S3Target target, string? serviceUrl, CancellationToken cancellationToken)
    {
        AWSCredentials credentials;
        try
        {
            credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
        catch (AmazonClientException)
        {
            throw new UsageException(
                "no AWS credentials for S3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run where a role provides them.");
        }
        IAmazonS3 client;
        try
        {
            client = AwsClients.CreateS3(new PipelineOptions { Bucket = target.Bucket, AwsServiceUrl = serviceUrl }, credentials);
        }
        catch (AmazonClientException)
        {
            throw new UsageException("no AWS region for S3: set AWS_REGION (or a profile's region), or pass --s3-service-url for a local endpoint.");
        }
        try
        {
            await CallAsync(target, serviceUrl, () => client.ListObjectsV2Async(
                new ListObjectsV2Request { BucketName = target.Bucket, Prefix = target.Prefix, MaxKeys = 1 }, cancellationToken));
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Runs S3 calls against the target, turning their failures into one line.</summary>
    public static async Task CallAsync(S3Target target, string? serviceUrl, Func<Task> calls)
    {
        var where = $"s3://{target.Bucket}/{target.Prefix}";
        var endpoint = string.IsNullOrEmpty(serviceUrl) ? "AWS" : serviceUrl;
        try
        {
            await calls();
        }
        catch (AmazonServiceException exception) when (exception.StatusCode != 0)
        {
            throw new ServiceException($"S3 refused {where} ({(int)exception.StatusCode} {exception.ErrorCode}): {FirstLine(exception.Message)}");
        }
        catch (Exception exception) when (exception is HttpRequestException or AmazonClientException or AmazonServiceException)
        {
            throw new ServiceException($"cannot reach S3 at {endpoint} for {where}: {FirstLine(Innermost(exception).Message)}");
        }
    }

    private static Exception Innermost(Exception exception) =>
        exception is HttpRequestException || exception.InnerException is null ? exception : Innermost(exception.InnerException);

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
