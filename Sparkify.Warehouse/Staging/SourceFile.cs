namespace Sparkify.Warehouse.Staging;

public enum FileKind
{
    Song,
    Event,
}

/// <summary>
/// A file to stage, wherever it lives. <paramref name="Key"/> says where, uniquely: the absolute path of a local
/// file, or <c>s3://bucket/key</c>. <paramref name="ETag"/> identifies its content (the S3 ETag, or an MD5 of the
/// bytes for local files, which is what S3 reports for a single-part upload).
/// </summary>
public sealed record SourceFile(string Key, string ETag, long Size, FileKind Kind, Func<CancellationToken, Task<Stream>> OpenAsync)
{
    /// <summary>The source's modification time (S3 LastModified, a local file's).</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>The pipeline batch whose scan saw this version as its key's current content (the message's batch); null for local files.</summary>
    public long? SeenInBatch { get; init; }

    /// <summary>What orders it against another version of its key: of two, the newer stays loaded (<see cref="SourceVersion"/>).</summary>
    public SourceVersion Version => new(SeenInBatch, LastModified, ETag);

    /// <summary>A source file's name: <c>.json</c>, or <c>.json.gz</c> (read transparently, see <see cref="SourceDecoding"/>).</summary>
    public static bool IsSourceName(string name) =>
        name.EndsWith(".json", StringComparison.Ordinal) || name.EndsWith(".json.gz", StringComparison.Ordinal);

    /// <summary>The kind a path says it is: below a <c>song_data</c> or a <c>log_data</c> folder.</summary>
    public static FileKind? KindOfKey(string key)
    {
        foreach (var segment in key.Split('/'))
        {
            if (segment == "song_data")
            {
                return FileKind.Song;
            }
            if (segment == "log_data")
            {
                return FileKind.Event;
            }
        }
        return null;
    }
}
