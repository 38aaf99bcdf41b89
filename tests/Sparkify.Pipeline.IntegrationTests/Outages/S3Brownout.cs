using System.Net;
using System.Reflection;
using Amazon.S3;

namespace Sparkify.Pipeline.IntegrationTests.Outages;

/// <summary>
/// The real S3 client, except that while the brownout is on, reading objects fails as S3 does when it is overloaded
/// (503 Slow Down, after the SDK's own retries). Listing and the queue keep working.
/// </summary>
public class S3Brownout : DispatchProxy
{
    private IAmazonS3 _inner = null!;
    private volatile bool _on;
    private int _failures;

    public int Failures => Volatile.Read(ref _failures);

    public static (IAmazonS3 Client, S3Brownout Switch) Wrap(IAmazonS3 inner)
    {
        var client = Create<IAmazonS3, S3Brownout>();
        var brownout = (S3Brownout)(object)client;
        brownout._inner = inner;
        return (client, brownout);
    }

    public void Start() => _on = true;

    public void Stop() => _on = false;

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (_on && method!.Name is "GetObjectAsync" or "GetObjectMetadataAsync")
        {
            Interlocked.Increment(ref _failures);
            var exception = new AmazonS3Exception("Please reduce your request rate.") { StatusCode = HttpStatusCode.ServiceUnavailable, ErrorCode = "SlowDown" };
            var failed = typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!
                .MakeGenericMethod(method.ReturnType.GetGenericArguments()[0]);
            return failed.Invoke(null, [exception]);
        }
        try
        {
            return method!.Invoke(_inner, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is { } inner)
        {
            throw inner;
        }
    }
}
