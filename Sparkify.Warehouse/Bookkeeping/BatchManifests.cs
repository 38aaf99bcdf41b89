using Npgsql;

namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>
/// The manifests of pipeline batches (<c>batch_files</c>): Ingest opens a batch with its manifest and marks files
/// published; Transform marks each file staged or failed; the sweepers find files whose message went missing. The
/// batch row itself is <see cref="BatchStore"/>'s; its star-load claim is <see cref="StarLoadClaims"/>'.
/// </summary>
public sealed class BatchManifests(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Of <paramref name="files"/>, those already loaded, or queued in a batch still in flight, and — with
    /// <paramref name="includeFailed"/> — those that failed for good in an earlier batch: a periodic scan must not
    /// queue a poison file again and again; a fixed file is a new version (a new ETag), and a backfill or a
    /// dead-letter replay retries failed versions on purpose.
    /// </summary>
    public async Task<HashSet<(string Key, string ETag)>> FindKnownAsync(IReadOnlyCollection<ManifestFile> files, bool includeFailed,
        CancellationToken cancellationToken = default)
    {
        var known = new HashSet<(string, string)>();
        if (files.Count == 0)
        {
            return known;
        }
        await using var command = dataSource.CreateCommand(
            """
            SELECT i.file_key, i.etag
            FROM unnest($1::text[], $2::text[]) AS i (file_key, etag)
            WHERE EXISTS (SELECT 1 FROM load_files f WHERE f.file_key = i.file_key AND f.etag = i.etag AND f.status = 'loaded')
               OR EXISTS (SELECT 1 FROM batch_files q JOIN batches b USING (batch_id)
                          WHERE q.file_key = i.file_key AND q.etag = i.etag AND q.state = 'queued' AND b.status = 'open')
               OR ($3 AND EXISTS (SELECT 1 FROM batch_files q
                                  WHERE q.file_key = i.file_key AND q.etag = i.etag AND q.state = 'failed'))
            """);
        command.Parameters.Add(new() { Value = files.Select(f => f.Key).ToArray() });
        command.Parameters.Add(new() { Value = files.Select(f => f.ETag).ToArray() });
        command.Parameters.Add(new() { Value = includeFailed });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            known.Add((reader.GetString(0), reader.GetString(1)));
        }
        return known;
    }

    /// <summary>
    /// Makes this caller the only scanner while the returned lock is held (a session-level advisory lock, released on
    /// dispose or when the process dies), so that two overlapping Ingest runs cannot both open a batch for one new file,
    /// nor both publish what an interrupted run left unpublished.
    /// </summary>
    /// <returns>The held lock, or null when another scan holds it.</returns>
    public Task<ScanLock?> TryLockScanAsync(CancellationToken cancellationToken = default) => ScanLock.TryTakeAsync(dataSource, cancellationToken);

    /// <summary>
    /// Files of open batches whose message was never sent (Ingest stopped mid-publish), to publish again; with
    /// <paramref name="includePublished"/>, every file still queued in an open batch (the queue lost its messages). Only
    /// the holder of the scan lock may ask: any other Ingest could be publishing them at this moment.
    /// </summary>
    public async Task<List<(long BatchId, ManifestFile File)>> FindUnpublishedAsync(ScanLock held, bool includePublished = false,
        CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT q.batch_id, q.file_key, q.etag, q.size_bytes, q.source_modified_at
            FROM batch_files q JOIN batches b USING (batch_id)
            WHERE b.status = 'open' AND q.state = 'queued' AND (q.published_at IS NULL OR $1)
            ORDER BY q.batch_id, q.file_key
            """, held.Connection);
        command.Parameters.Add(new() { Value = includePublished });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var files = new List<(long, ManifestFile)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            files.Add((reader.GetInt64(0), new ManifestFile(reader.GetString(1), reader.GetString(2), reader.GetInt64(3), ModifiedAt(reader, 4))));
        }
        return files;
    }

    /// <param name="traceParent">The W3C traceparent of the opening scan, kept for the batch's star load.</param>
    public async Task<long> OpenAsync(string source, IReadOnlyCollection<ManifestFile> files, string? traceParent = null,
        CancellationToken cancellationToken = default)
    {
        await using var session = await WarehouseSession.BeginAsync(dataSource, cancellationToken, commandTimeoutSeconds: null);
        var batchId = await InsertBatchAsync(session, source, files, files.Count, traceParent);
        await session.CommitAsync();
        return batchId;
    }

    /// <summary>
    /// A new open batch and its manifest (every file queued, none published yet), in the caller's transaction.
    /// <paramref name="expectedFiles"/> null: the manifest is still being listed (<see cref="ListingBatches"/>), and no
    /// star load may claim the batch until the listing sets it.
    /// </summary>
    internal static async Task<long> InsertBatchAsync(WarehouseSession session, string source,
        IReadOnlyCollection<ManifestFile> files, int? expectedFiles, string? traceParent)
    {
        var batchId = await session.ScalarAsync<long>(
            "INSERT INTO batches (source, expected_files, trace_parent, has_manifest) VALUES ($1, $2, $3, true) RETURNING batch_id",
            source, new NpgsqlParameter<int?> { TypedValue = expectedFiles, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer },
            new NpgsqlParameter<string?> { TypedValue = traceParent, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await session.ExecuteAsync(InsertManifestSql, ManifestParameters(batchId, files));
        return batchId;
    }

    /// <summary>Files added to a batch's manifest, queued and not published yet (parameters: <see cref="ManifestParameters"/>).</summary>
    internal const string InsertManifestSql =
        """
        INSERT INTO batch_files (batch_id, file_key, etag, size_bytes, source_modified_at)
        SELECT $1, file_key, etag, size_bytes, source_modified_at
        FROM unnest($2::text[], $3::text[], $4::bigint[], $5::timestamptz[]) AS m (file_key, etag, size_bytes, source_modified_at)
        """;

    internal static object?[] ManifestParameters(long batchId, IReadOnlyCollection<ManifestFile> files) =>
    [
        batchId, files.Select(f => f.Key).ToArray(), files.Select(f => f.ETag).ToArray(), files.Select(f => f.Size).ToArray(),
        new NpgsqlParameter
        {
            Value = files.Select(f => (object?)f.LastModified?.UtcDateTime ?? DBNull.Value).ToArray(),
            NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz,
        },
    ];

    public Task MarkPublishedAsync(long batchId, IReadOnlyCollection<ManifestFile> files, CancellationToken cancellationToken = default) =>
        UpdateFilesAsync("published_at = now()", onlyQueued: false, batchId, files, null, cancellationToken);

    public Task MarkStagedAsync(long batchId, IReadOnlyCollection<ManifestFile> files, CancellationToken cancellationToken = default) =>
        UpdateFilesAsync("state = 'staged', failure_reason = NULL", onlyQueued: false, batchId, files, null, cancellationToken);

    /// <summary>The same, inside the caller's transaction (the one that stages the files).</summary>
    public Task MarkStagedAsync(long batchId, IReadOnlyCollection<ManifestFile> files, WarehouseSession session, CancellationToken cancellationToken = default) =>
        UpdateFilesAsync("state = 'staged', failure_reason = NULL", onlyQueued: false, batchId, files, null, cancellationToken, session);

    /// <summary>
    /// A batch that has ended gets a newly staged file (a duplicate message of a file it had settled as failed): it is
    /// open again, so that its own star load takes the file in and its status says so. A batch whose star load is in
    /// progress or still to come is left as it is (and its row is not waited for).
    /// </summary>
    public static Task ReopenIfEndedAsync(long batchId, WarehouseSession session) =>
        session.ExecuteAsync(
            """
            UPDATE batches SET status = 'open', completed_at = NULL
            WHERE batch_id = $1 AND status IN ('completed', 'completed_with_failures', 'failed')
            """,
            batchId);

    /// <summary>Marks a file that will not be staged in this batch; a file already staged stays staged.</summary>
    public Task MarkFailedAsync(long batchId, ManifestFile file, string reason, CancellationToken cancellationToken = default) =>
        UpdateFilesAsync("state = 'failed', failure_reason = $5", onlyQueued: true, batchId, [file], reason, cancellationToken);

    /// <summary>
    /// Files still queued in an open batch whose message was published longer ago than <paramref name="olderThan"/>:
    /// by then a message has been received its last time, so a file still queued may have lost its message.
    /// </summary>
    public async Task<List<(long BatchId, ManifestFile File, int Requeues, DateTime PublishedAt)>> FindLongQueuedAsync(TimeSpan olderThan,
        int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT q.batch_id, q.file_key, q.etag, q.size_bytes, q.requeues, q.published_at, q.source_modified_at
            FROM batch_files q JOIN batches b USING (batch_id)
            WHERE b.status = 'open' AND q.state = 'queued' AND q.published_at IS NOT NULL AND q.updated_at < now() - $1
            ORDER BY q.updated_at
            LIMIT $2
            """);
        command.Parameters.Add(new() { Value = olderThan });
        command.Parameters.Add(new() { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var files = new List<(long, ManifestFile, int, DateTime)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            files.Add((reader.GetInt64(0), new ManifestFile(reader.GetString(1), reader.GetString(2), reader.GetInt64(3), ModifiedAt(reader, 6)), reader.GetInt32(4),
                reader.GetDateTime(5)));
        }
        return files;
    }

    /// <summary>Records that a still-queued file's message was published again (its age restarts).</summary>
    public Task MarkRequeuedAsync(long batchId, ManifestFile file, CancellationToken cancellationToken = default) =>
        UpdateFilesAsync("requeues = q.requeues + 1, published_at = now()", onlyQueued: true, batchId, [file], null, cancellationToken);

    /// <summary>Of <paramref name="files"/>, those loaded already (that exact version).</summary>
    public Task<HashSet<(string Key, string ETag)>> FindLoadedAsync(IReadOnlyCollection<ManifestFile> files, CancellationToken cancellationToken = default) =>
        LoadedVersions.FindAsync(dataSource, [.. files.Select(f => (f.Key, f.ETag))], cancellationToken);

    public async Task<int> CountFailedAsync(long batchId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM batch_files WHERE batch_id = $1 AND state = 'failed'");
        command.Parameters.Add(new() { Value = batchId });
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static DateTimeOffset? ModifiedAt(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetDateTime(ordinal), TimeSpan.Zero);

    /// <summary>Updates the files' rows, in the caller's session if any, else on a connection of its own.</summary>
    private async Task UpdateFilesAsync(
        string assignments, bool onlyQueued, long batchId, IReadOnlyCollection<ManifestFile> files, string? reason, CancellationToken cancellationToken,
        WarehouseSession? within = null)
    {
        // assignments is one of the fixed strings above, never input.
        var sql = $"""
            UPDATE batch_files q SET {assignments}, updated_at = now()
            FROM unnest($2::text[], $3::text[]) AS f (file_key, etag)
            WHERE q.batch_id = $1 AND q.file_key = f.file_key AND q.etag = f.etag AND (NOT $4 OR q.state = 'queued')
            """;
        object?[] parameters = reason is null
            ? [batchId, files.Select(f => f.Key).ToArray(), files.Select(f => f.ETag).ToArray(), onlyQueued]
            : [batchId, files.Select(f => f.Key).ToArray(), files.Select(f => f.ETag).ToArray(), onlyQueued, Parsing.LoadErrorText.Bound(reason)];
        await (within is null ? WarehouseSession.ExecuteOnceAsync(dataSource, cancellationToken, sql, parameters) : within.ExecuteAsync(sql, parameters));
    }
}
