namespace Sparkify.Warehouse.Staging;

/// <summary>
/// The version of a file that a batch recorded is no longer there to read: a newer upload replaced it under the same key
/// (S3 answered a read conditioned on its ETag with 412). No fault of the file and nothing to retry: it is recorded as
/// superseded, and the newer version is loaded from its own event or the next scan.
/// </summary>
public sealed class SourceVersionGoneException(string fileKey, string etag, Exception? cause = null)
    : Exception($"{fileKey} (ETag {etag}) was replaced by a newer upload before it was read", cause)
{
    public const string Reason = "replaced by a newer upload before it was read";

    public string FileKey { get; } = fileKey;
}
