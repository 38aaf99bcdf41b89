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
    public static async Task<(List<SourceFile> ToStage, List<SourceFile> Stale, List<long> Older)> SortVersionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<SourceFile> files, CancellationToken cancellationToken)
    {
        var loaded = new Dictionary<string, (long FileId, SourceVersion Version)>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            """
            SELECT f.file_key, f.file_id, f.etag, f.source_modified_at, CASE WHEN b.has_manifest THEN f.batch_id END
            FROM load_files f JOIN batches b USING (batch_id)
            WHERE f.status = 'loaded' AND f.file_key = ANY($1)
            FOR UPDATE OF f
            """, connection, transaction))
        {
            command.Parameters.Add(new() { Value = files.Select(f => f.Key).Distinct().ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                loaded[reader.GetString(0)] = (reader.GetInt64(1), new SourceVersion(
                    reader.IsDBNull(4) ? null : reader.GetInt64(4),
                    reader.IsDBNull(3) ? null : new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero),
                    reader.GetString(2)));
            }
        }
        var newestInGroup = files.GroupBy(f => f.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Aggregate((a, b) => b.Version.IsNewerThan(a.Version) ? b : a), StringComparer.Ordinal);
        List<SourceFile> toStage = [], stale = [];
        List<long> older = [];
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
                older.Add(superseded.Item1);
            }
        }
        return (toStage, stale, older);
    }

    public static async Task<long[]> AllocateFileIdsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int count, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT nextval('load_file_id_seq') FROM generate_series(1, $1)", connection, transaction);
        command.Parameters.Add(new() { Value = count });
        var ids = new long[count];
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        for (var i = 0; await reader.ReadAsync(cancellationToken); i++)
        {
            ids[i] = reader.GetInt64(0);
        }
        return ids;
    }

    /// <summary>
    /// Older loaded versions of the keys being staged: their records are kept as superseded, and the next star load
    /// takes their rows out of staging and the star schema.
    /// </summary>
    public static async Task SupersedeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<long> fileIds, CancellationToken cancellationToken)
    {
        if (fileIds.Count == 0)
        {
            return;
        }
        await using var command = new NpgsqlCommand("UPDATE load_files SET status = 'superseded' WHERE file_id = ANY($1)", connection, transaction);
        command.Parameters.Add(new() { Value = fileIds.ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Versions older than the loaded one: recorded (so a redelivery is only acknowledged), never staged.</summary>
    public static async Task InsertSupersededAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long batchId, List<SourceFile> stale,
        CancellationToken cancellationToken)
    {
        if (stale.Count == 0)
        {
            return;
        }
        await using var command = new NpgsqlCommand(
            """
            WITH stale AS (
                INSERT INTO load_files (batch_id, file_key, etag, size_bytes, kind, status, rows_loaded, rows_rejected, source_modified_at,
                                        failure_reason)
                SELECT $1, file_key, etag, size_bytes, kind, 'superseded', 0, 0, source_modified_at,
                       'older than the version of this key that is loaded'
                FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[]) AS f (file_key, etag, size_bytes, kind, source_modified_at)
                RETURNING file_id)
            -- Never staged: nothing of it can reach the star schema, nothing for a star load to take out.
            INSERT INTO star_files (file_id, retired_by_batch_id) SELECT file_id, $1 FROM stale
            """, connection, transaction);
        command.Parameters.Add(new() { Value = batchId });
        command.Parameters.Add(new() { Value = stale.Select(f => f.Key).ToArray() });
        command.Parameters.Add(new() { Value = stale.Select(f => f.ETag).ToArray() });
        command.Parameters.Add(new() { Value = stale.Select(f => f.Size).ToArray() });
        command.Parameters.Add(new() { Value = stale.Select(f => KindName(f.Kind)).ToArray() });
        command.Parameters.Add(ModifiedAtArray(stale));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter ModifiedAtArray(IEnumerable<SourceFile> files) => new()
    {
        Value = files.Select(f => (object?)f.LastModified?.UtcDateTime ?? DBNull.Value).ToArray(),
        NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
    };

    public static async Task InsertLoadFilesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long batchId, List<StagedFile> staged, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO load_files (file_id, batch_id, file_key, etag, size_bytes, kind, status, rows_loaded, rows_rejected, source_modified_at)
            SELECT file_id, $1, file_key, etag, size_bytes, kind, 'loaded', rows_loaded, rows_rejected, source_modified_at
            FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::bigint[], $9::timestamptz[])
                 AS f (file_id, file_key, etag, size_bytes, kind, rows_loaded, rows_rejected, source_modified_at)
            """, connection, transaction);
        command.Parameters.Add(new() { Value = batchId });
        command.Parameters.Add(new() { Value = staged.Select(s => s.FileId).ToArray() });
        command.Parameters.Add(new() { Value = staged.Select(s => s.File.Key).ToArray() });
        command.Parameters.Add(new() { Value = staged.Select(s => s.File.ETag).ToArray() });
        command.Parameters.Add(new() { Value = staged.Select(s => s.File.Size).ToArray() });
        command.Parameters.Add(new() { Value = staged.Select(s => KindName(s.File.Kind)).ToArray() });
        command.Parameters.Add(new() { Value = staged.Select(s => s.Rows).ToArray() });
        command.Parameters.Add(new() { Value = staged.Select(s => s.Rejected).ToArray() });
        command.Parameters.Add(ModifiedAtArray(staged.Select(s => s.File)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task InsertLoadErrorsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long batchId, List<StagedLoadError> errors, CancellationToken cancellationToken)
    {
        if (errors.Count == 0)
        {
            return;
        }
        await using var importer = await connection.BeginBinaryImportAsync(
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
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(
            """
            INSERT INTO load_files (batch_id, file_key, etag, size_bytes, kind, status, rows_loaded, rows_rejected, failure_reason)
            VALUES ($1, $2, $3, $4, $5, 'failed', 0, $6, $7)
            """, connection, transaction))
        {
            command.Parameters.Add(new() { Value = batchId });
            command.Parameters.Add(new() { Value = file.Key });
            command.Parameters.Add(new() { Value = file.ETag });
            command.Parameters.Add(new() { Value = file.Size });
            command.Parameters.Add(new() { Value = KindName(file.Kind) });
            command.Parameters.Add(new() { Value = (long)errors.Count });
            command.Parameters.Add(new() { Value = LoadErrorText.Bound(reason) });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await DeletePreviousErrorsAsync(connection, transaction, [file], cancellationToken);
        await InsertLoadErrorsAsync(connection, transaction, batchId, errors, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Error rows describe a file version's latest attempt: a retry replaces those of earlier attempts.</summary>
    public static async Task DeletePreviousErrorsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<SourceFile> files, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            DELETE FROM load_errors e USING unnest($1::text[], $2::text[]) AS f (file_key, etag)
            WHERE e.file_key = f.file_key AND e.etag = f.etag
            """, connection, transaction);
        command.Parameters.Add(new() { Value = files.Select(f => f.Key).ToArray() });
        command.Parameters.Add(new() { Value = files.Select(f => f.ETag).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static string KindName(FileKind kind) => kind == FileKind.Song ? "song" : "event";
}

/// <summary>A file whose records went into the group's COPY, with the id its staging rows carry.</summary>
internal sealed record StagedFile(SourceFile File, long FileId, long Rows, long Rejected);
