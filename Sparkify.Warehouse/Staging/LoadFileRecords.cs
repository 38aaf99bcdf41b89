using Npgsql;
using NpgsqlTypes;
using Sparkify.Warehouse.Parsing;

namespace Sparkify.Warehouse.Staging;

/// <summary>
/// The bookkeeping statements of staging, run in a group's transaction: which version of a key to stage, file ids,
/// and the <c>load_files</c> and <c>load_errors</c> rows that commit with the staged rows.
/// </summary>
internal static class LoadFileRecords
{
    /// <summary>
    /// One loaded version per key, the newest (<see cref="SourceVersion"/>): a file older than the loaded version of its
    /// key, or than another version in the same group, is stale (recorded as superseded, not staged); a loaded version
    /// older than the file is superseded by it. A loaded version was seen by the pipeline batch that staged it when that
    /// batch has a manifest (Ingest opened it). The loaded versions are locked, so that two loaders of two versions of
    /// one key decide one after the other; a version committed meanwhile surfaces as a unique violation, and the next
    /// attempt decides again.
    /// </summary>
    /// <returns>
    /// The files to stage, the stale ones, and the loaded versions each file to stage would supersede (superseded only
    /// once that file is staged: <see cref="SupersedeAsync"/>).
    /// </returns>
    public static async Task<(List<SourceFile> ToStage, List<SourceFile> Stale, Dictionary<SourceFile, long> Older)> SortVersionsAsync(
        WarehouseSession session, List<SourceFile> files)
    {
        var rows = await session.RowsAsync(
            """
            SELECT f.file_key, f.file_id, f.etag, f.source_modified_at, CASE WHEN b.has_manifest THEN f.batch_id END
            FROM load_files f JOIN batches b USING (batch_id)
            WHERE f.status = 'loaded' AND f.file_key = ANY($1)
            FOR UPDATE OF f
            """,
            reader => (Key: reader.GetString(0), FileId: reader.GetInt64(1), Version: new SourceVersion(
                reader.IsDBNull(4) ? null : reader.GetInt64(4),
                reader.IsDBNull(3) ? null : new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero),
                reader.GetString(2))),
            (object)files.Select(f => f.Key).Distinct().ToArray()); // one text[] parameter, not a string per parameter
        var loaded = new Dictionary<string, (long FileId, SourceVersion Version)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            loaded[row.Key] = (row.FileId, row.Version);
        }
        var newestInGroup = files.GroupBy(f => f.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Aggregate((a, b) => b.Version.IsNewerThan(a.Version) ? b : a), StringComparer.Ordinal);
        List<SourceFile> toStage = [], stale = [];
        Dictionary<SourceFile, long> older = new(ReferenceEqualityComparer.Instance);
        foreach (var file in files)
        {
            var current = loaded.TryGetValue(file.Key, out var version) && version.Version.ETag != file.ETag ? version : default((long, SourceVersion)?);
            var olderThanLoaded = current is { } other && !file.Version.IsNewerThan(other.Item2);
            if (olderThanLoaded || !ReferenceEquals(newestInGroup[file.Key], file))
            {
                stale.Add(file);
                continue;
            }
            toStage.Add(file);
            if (current is { } superseded)
            {
                older[file] = superseded.Item1;
            }
        }
        return (toStage, stale, older);
    }

    public static async Task<long[]> AllocateFileIdsAsync(WarehouseSession session, int count) =>
        [.. await session.RowsAsync("SELECT nextval('load_file_id_seq') FROM generate_series(1, $1)", reader => reader.GetInt64(0), count)];

    /// <summary>
    /// Older loaded versions of the keys being staged: their records are kept as superseded, and the next star load
    /// takes their rows out of staging and the star schema.
    /// </summary>
    public static async Task SupersedeAsync(WarehouseSession session, List<long> fileIds)
    {
        if (fileIds.Count > 0)
        {
            await session.ExecuteAsync("UPDATE load_files SET status = 'superseded' WHERE file_id = ANY($1)", fileIds.ToArray());
        }
    }

    /// <summary>
    /// Versions never staged because a newer one is loaded or was uploaded (<paramref name="reason"/>): recorded (so a
    /// redelivery is only acknowledged), never staged.
    /// </summary>
    public static async Task InsertSupersededAsync(WarehouseSession session, long batchId, List<SourceFile> stale, string reason)
    {
        if (stale.Count == 0)
        {
            return;
        }
        await session.ExecuteAsync(
            """
            WITH stale AS (
                INSERT INTO load_files (batch_id, file_key, etag, size_bytes, kind, status, rows_loaded, rows_rejected, source_modified_at,
                                        failure_reason)
                SELECT $1, file_key, etag, size_bytes, kind, 'superseded', 0, 0, source_modified_at, $7
                FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[]) AS f (file_key, etag, size_bytes, kind, source_modified_at)
                RETURNING file_id)
            -- Never staged: nothing of it can reach the star schema, nothing for a star load to take out.
            INSERT INTO star_files (file_id, retired_by_batch_id) SELECT file_id, $1 FROM stale
            """,
            batchId, stale.Select(f => f.Key).ToArray(), stale.Select(f => f.ETag).ToArray(), stale.Select(f => f.Size).ToArray(),
            stale.Select(f => KindName(f.Kind)).ToArray(), ModifiedAtArray(stale), reason);
    }

    private static NpgsqlParameter ModifiedAtArray(IEnumerable<SourceFile> files) => new()
    {
        Value = files.Select(f => (object?)f.LastModified?.UtcDateTime ?? DBNull.Value).ToArray(),
        NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
    };

    public static Task InsertLoadFilesAsync(WarehouseSession session, long batchId, List<StagedFile> staged) =>
        session.ExecuteAsync(
            """
            INSERT INTO load_files (file_id, batch_id, file_key, etag, size_bytes, kind, status, rows_loaded, rows_rejected, source_modified_at)
            SELECT file_id, $1, file_key, etag, size_bytes, kind, 'loaded', rows_loaded, rows_rejected, source_modified_at
            FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::bigint[], $9::timestamptz[])
                 AS f (file_id, file_key, etag, size_bytes, kind, rows_loaded, rows_rejected, source_modified_at)
            """,
            batchId, staged.Select(s => s.FileId).ToArray(), staged.Select(s => s.File.Key).ToArray(), staged.Select(s => s.File.ETag).ToArray(),
            staged.Select(s => s.File.Size).ToArray(), staged.Select(s => KindName(s.File.Kind)).ToArray(), staged.Select(s => s.Rows).ToArray(),
            staged.Select(s => s.Rejected).ToArray(), ModifiedAtArray(staged.Select(s => s.File)));

    public static async Task InsertLoadErrorsAsync(WarehouseSession session, long batchId, List<StagedLoadError> errors, CancellationToken cancellationToken)
    {
        if (errors.Count == 0)
        {
            return;
        }
        await using var importer = await session.Connection.BeginBinaryImportAsync(
            "COPY load_errors (batch_id, file_key, etag, line_number, column_name, reason, raw_text) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        foreach (var error in errors)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(batchId, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(error.FileKey, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(error.ETag, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(error.LineNumber, NpgsqlDbType.Bigint, cancellationToken);
            if (error.Column is null)
            {
                await importer.WriteNullAsync(cancellationToken);
            }
            else
            {
                await importer.WriteAsync(error.Column, NpgsqlDbType.Text, cancellationToken);
            }
            await importer.WriteAsync(LoadErrorText.Bound(error.Reason), NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(error.RawText, NpgsqlDbType.Text, cancellationToken);
        }
        await importer.CompleteAsync(cancellationToken);
    }

    public static async Task RecordFailureAsync(NpgsqlDataSource dataSource, long batchId, SourceFile file, string reason, List<StagedLoadError> errors, CancellationToken cancellationToken)
    {
        await using var session = await WarehouseSession.BeginAsync(dataSource, cancellationToken, commandTimeoutSeconds: null);
        await session.ExecuteAsync(
            """
            INSERT INTO load_files (batch_id, file_key, etag, size_bytes, kind, status, rows_loaded, rows_rejected, failure_reason)
            VALUES ($1, $2, $3, $4, $5, 'failed', 0, $6, $7)
            """,
            batchId, file.Key, file.ETag, file.Size, KindName(file.Kind), (long)errors.Count, LoadErrorText.Bound(reason));
        await DeletePreviousErrorsAsync(session, [file]);
        await InsertLoadErrorsAsync(session, batchId, errors, cancellationToken);
        await session.CommitAsync();
    }

    /// <summary>Error rows describe a file version's latest attempt: a retry replaces those of earlier attempts.</summary>
    public static Task DeletePreviousErrorsAsync(WarehouseSession session, List<SourceFile> files) =>
        session.ExecuteAsync(
            """
            DELETE FROM load_errors e USING unnest($1::text[], $2::text[]) AS f (file_key, etag)
            WHERE e.file_key = f.file_key AND e.etag = f.etag
            """,
            files.Select(f => f.Key).ToArray(), files.Select(f => f.ETag).ToArray());

    public const string OlderThanLoaded = "older than the version of this key that is loaded";

    public static string KindName(FileKind kind) => kind == FileKind.Song ? "song" : "event";
}

/// <summary>A file whose records went into the group's COPY, with the id its staging rows carry.</summary>
internal sealed record StagedFile(SourceFile File, long FileId, long Rows, long Rejected);
