using System.Reflection;
using Amazon.S3;
using Amazon.S3.Model;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>
/// The real S3 client, except that every object it lists was last modified in the same second: as S3 (whole seconds)
/// reports two uploads of a key made within one second.
/// </summary>
public class S3SameSecondListing : DispatchProxy
{
    public static readonly DateTime Second = new(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc);

    private IAmazonS3 _inner = null!;

    public static IAmazonS3 Wrap(IAmazonS3 inner)
    {
        var client = Create<IAmazonS3, S3SameSecondListing>();
        ((S3SameSecondListing)(object)client)._inner = inner;
        return client;
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        try
        {
            var result = method!.Invoke(_inner, args);
            return result is Task<ListObjectsV2Response> listing ? InSameSecondAsync(listing) : result;
        }
        catch (TargetInvocationException exception) when (exception.InnerException is { } inner)
        {
            throw inner;
        }
    }

    private static async Task<ListObjectsV2Response> InSameSecondAsync(Task<ListObjectsV2Response> listing)
    {
        var response = await listing;
        foreach (var item in response.S3Objects ?? [])
        {
            item.LastModified = Second;
        }
        return response;
    }
}
