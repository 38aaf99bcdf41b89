using Npgsql;

namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>
/// The batch of a scan recorded page by page while the listing goes on: opened with the first page's new files, added
/// to with each later page's, and sealed (<c>expected_files</c> set) once the listing has ended. Until then no star load
/// may claim it (<see cref="StarLoadClaims"/> asks for <c>expected_files</c>), so a batch is never finished on part of
/// its manifest. Only the holder of the scan lock lists, so an unsealed batch found under the lock is one whose listing
/// died: the next scan of the same prefixes continues it (<see cref="ContinueInterruptedAsync"/>: the files it finds new
/// join that batch, and it is sealed when that listing ends), so an interrupted scan still makes one batch.
/// </summary>
public sealed class ListingBatches(NpgsqlDataSource dataSource)
{
    /// <summary>A new open batch holding <paramref name="files"/>, its manifest not yet whole.</summary>
    public async Task<long> OpenAsync(string source, IReadOnlyCollection<ManifestFile> files, string? traceParent,
        CancellationToken cancellationToken = default)
    {
        await using var session = await WarehouseSession.BeginAsync(dataSource, cancellationToken, commandTimeoutSeconds: null);
        var batchId = await BatchManifests.InsertBatchAsync(session, source, files, expectedFiles: null, traceParent);
        await session.CommitAsync();
        return batchId;
    }

    /// <summary>More files of the listing in the batch's manifest (queued, not published yet).</summary>
    public Task AddAsync(long batchId, IReadOnlyCollection<ManifestFile> files, CancellationToken cancellationToken = default) =>
        WarehouseSession.ExecuteOnceAsync(dataSource, cancellationToken, BatchManifests.InsertManifestSql, BatchManifests.ManifestParameters(batchId, files));

    /// <summary>The listing has ended: the manifest is whole, and the batch can be finished once its files settle.</summary>
    public Task SealAsync(long batchId, CancellationToken cancellationToken = default) =>
        WarehouseSession.ExecuteOnceAsync(dataSource, cancellationToken,
            """
            UPDATE batches b SET expected_files = (SELECT count(*) FROM batch_files q WHERE q.batch_id = b.batch_id)
            WHERE b.batch_id = $1 AND b.expected_files IS NULL
            """,
            batchId);

    /// <summary>
    /// The batch whose listing of <paramref name="source"/> died before it ended (Ingest stopped mid-scan), for this scan
    /// to continue; any other interrupted listing's batch (another source, or an older one) is sealed with what it holds.
    /// Only the holder of the scan lock may ask: any other Ingest's unsealed batch may be one it is still listing.
    /// </summary>
    /// <returns>The batch to continue (null: none), and the batches sealed.</returns>
    public async Task<(long? Continued, List<long> Sealed)> ContinueInterruptedAsync(ScanLock held, string source,
        CancellationToken cancellationToken = default)
    {
        long? continued;
        await using (var find = new NpgsqlCommand(
            """
            SELECT max(batch_id) FROM batches
            WHERE has_manifest AND expected_files IS NULL AND status = 'open' AND source = $1
            """, held.Connection))
        {
            find.Parameters.Add(new() { Value = source });
            continued = await find.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
        }
        return (continued, await SealInterruptedAsync(held, except: continued, cancellationToken));
    }

    /// <summary>Seals the batches whose listing died before it ended, but <paramref name="except"/>; under the scan lock only.</summary>
    /// <returns>The batches sealed.</returns>
    public async Task<List<long>> SealInterruptedAsync(ScanLock held, long? except = null, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand(
            """
            UPDATE batches b SET expected_files = (SELECT count(*) FROM batch_files q WHERE q.batch_id = b.batch_id)
            WHERE b.has_manifest AND b.expected_files IS NULL AND b.status = 'open' AND b.batch_id IS DISTINCT FROM $1
            RETURNING b.batch_id
            """, held.Connection);
        command.Parameters.Add(new NpgsqlParameter<long?> { TypedValue = except, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var sealedBatches = new List<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            sealedBatches.Add(reader.GetInt64(0));
        }
        return sealedBatches;
    }
}
