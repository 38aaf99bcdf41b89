using Npgsql;

namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>A dead message's file: the batch whose message it was, and the version that message named.</summary>
public sealed record DeadLetteredFile(long BatchId, ManifestFile File);

/// <summary>
/// What becomes of a dead message's own manifest row: staged when the version it named is loaded (as Transform settles a
/// redelivery), otherwise failed with <paramref name="FailureReason"/>, in which <see cref="DeadLetterReplays.ReplayBatch"/>
/// stands for the replay's batch.
/// </summary>
public sealed record DeadLetterSettlement(DeadLetteredFile Dead, bool Loaded, string FailureReason);

/// <summary>
/// The bookkeeping of a dead-letter replay. It acts on exactly the rows the dead messages name (their batch, key and
/// version): a row of the same file in another batch may have a live message, and is never touched.
/// </summary>
public sealed class DeadLetterReplays(NpgsqlDataSource dataSource)
{
    /// <summary>Stands for the replay's batch id in a failure reason.</summary>
    public const string ReplayBatch = "{replay batch}";

    /// <summary>
    /// Of <paramref name="versions"/>, those a replay must not queue: loaded, or queued in an open batch by a row other
    /// than the <paramref name="dead"/> ones (that row's message is live: it is in flight).
    /// </summary>
    public async Task<HashSet<(string Key, string ETag)>> FindLoadedOrLiveAsync(IReadOnlyCollection<ManifestFile> versions,
        IReadOnlyCollection<DeadLetteredFile> dead, CancellationToken cancellationToken = default)
    {
        var found = new HashSet<(string, string)>();
        if (versions.Count == 0)
        {
            return found;
        }
        await using var command = dataSource.CreateCommand(
            """
            SELECT i.file_key, i.etag
            FROM unnest($1::text[], $2::text[]) AS i (file_key, etag)
            WHERE EXISTS (SELECT 1 FROM load_files f WHERE f.file_key = i.file_key AND f.etag = i.etag AND f.status = 'loaded')
               OR EXISTS (SELECT 1 FROM batch_files q JOIN batches b USING (batch_id)
                          WHERE q.file_key = i.file_key AND q.etag = i.etag AND q.state = 'queued' AND b.status = 'open'
                            AND NOT EXISTS (SELECT 1 FROM unnest($3::bigint[], $4::text[], $5::text[]) AS d (batch_id, file_key, etag)
                                            WHERE d.batch_id = q.batch_id AND d.file_key = q.file_key AND d.etag = q.etag))
            """);
        command.Parameters.Add(new() { Value = versions.Select(f => f.Key).ToArray() });
        command.Parameters.Add(new() { Value = versions.Select(f => f.ETag).ToArray() });
        command.Parameters.Add(new() { Value = dead.Select(d => d.BatchId).ToArray() });
        command.Parameters.Add(new() { Value = dead.Select(d => d.File.Key).ToArray() });
        command.Parameters.Add(new() { Value = dead.Select(d => d.File.ETag).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add((reader.GetString(0), reader.GetString(1)));
        }
        return found;
    }

    /// <summary>
    /// In one transaction: opens the replay's batch for <paramref name="queue"/> (none when it is empty; its messages are
    /// published afterwards, or by the next Ingest's resume), and settles each dead message's own row — only while that
    /// row is still queued, so that a file staged or failed meanwhile keeps its outcome.
    /// </summary>
    /// <returns>The replay's batch, or null when there was nothing to queue.</returns>
    public async Task<long?> OpenAndSettleAsync(string source, IReadOnlyCollection<ManifestFile> queue, IReadOnlyCollection<DeadLetterSettlement> settlements,
        string? traceParent = null, CancellationToken cancellationToken = default)
    {
        await using var session = await WarehouseSession.BeginAsync(dataSource, cancellationToken, commandTimeoutSeconds: null);
        long? batchId = queue.Count > 0 ? await BatchManifests.InsertBatchAsync(session, source, queue, queue.Count, traceParent) : null;
        await session.ExecuteAsync(
            """
            UPDATE batch_files q
            SET state = CASE WHEN s.loaded THEN 'staged' ELSE 'failed' END,
                failure_reason = CASE WHEN s.loaded THEN NULL ELSE replace(s.reason, $6, coalesce($7::bigint::text, '-')) END,
                updated_at = now()
            FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[], $5::text[]) AS s (batch_id, file_key, etag, loaded, reason)
            WHERE q.batch_id = s.batch_id AND q.file_key = s.file_key AND q.etag = s.etag AND q.state = 'queued'
            """,
            settlements.Select(s => s.Dead.BatchId).ToArray(), settlements.Select(s => s.Dead.File.Key).ToArray(),
            settlements.Select(s => s.Dead.File.ETag).ToArray(), settlements.Select(s => s.Loaded).ToArray(),
            settlements.Select(s => Parsing.LoadErrorText.Bound(s.FailureReason)).ToArray(), ReplayBatch,
            new NpgsqlParameter<long?> { TypedValue = batchId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        await session.CommitAsync();
        return batchId;
    }
}
