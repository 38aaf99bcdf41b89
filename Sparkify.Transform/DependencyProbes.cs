using System.Net;
using Amazon.S3;
using Npgsql;
using Sparkify.Pipeline;
using Sparkify.Pipeline.Hosting;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Transform;

/// <summary>
/// For a failure that means a dependency is away, the cheapest question that tells when it is back: <c>SELECT 1</c>
/// for the database, a HEAD of the object that could not be read for S3. (An unreachable queue needs no probe: the
/// next receive asks it.)
/// </summary>
public sealed class DependencyProbes(NpgsqlDataSource dataSource, IAmazonS3 s3)
{
    public (string Dependency, Func<CancellationToken, Task<bool>> Answers)? ProbeFor(Exception exception) => exception switch
    {
        SourceUnavailableException source => ("S3", token => ObjectAnswersAsync(source.FileKey, token)),
        NpgsqlException database when TransientFaults.IsTransient(database) => ("the warehouse database", DatabaseAnswersAsync),
        _ when exception.InnerException is { } inner => ProbeFor(inner),
        _ => null,
    };

    private async Task<bool> DatabaseAnswersAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
        return true;
    }

    private async Task<bool> ObjectAnswersAsync(string fileKey, CancellationToken cancellationToken)
    {
        var (bucket, key) = S3Keys.Parse(fileKey);
        try
        {
            await s3.GetObjectMetadataAsync(bucket, key, cancellationToken);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode < HttpStatusCode.InternalServerError && !TransientFaults.IsTransient(exception))
        {
            // S3 answers: that the object is gone is the file's business, for the staging to record.
        }
        return true;
    }
}
