using Npgsql;
using NpgsqlTypes;

namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>The <c>batches</c> table: one row per load, its file counts and how it ended.</summary>
public sealed class BatchStore(NpgsqlDataSource dataSource)
{
    public async Task<long> OpenAsync(string source, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO batches (source) VALUES ($1) RETURNING batch_id");
        command.Parameters.Add(new() { Value = source });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Records how a batch ended, in the caller's transaction (the one that loaded its star schema, or failed it), which
    /// holds the batch's row; file and row counts are taken from its <c>load_files</c> rows. The claim ends with it.
    /// </summary>
    internal static async Task CloseAsync(WarehouseSession session, long batchId, string status, string? error, int filesSkipped,
        Star.StarLoadResult? star = null)
    {
        await session.ExecuteAsync(
            """
            UPDATE batches b
            SET status = $2, completed_at = clock_timestamp(), error = $3, files_skipped = $4, star_owner = NULL, star_retry_at = NULL, star_changes = $5::jsonb,
                files_loaded = f.loaded, files_failed = f.failed, rows_loaded = f.rows_loaded, rows_rejected = f.rows_rejected
            FROM (SELECT count(*) FILTER (WHERE status <> 'failed') AS loaded,
                         -- A version that failed on one attempt and loaded on a later one did not fail.
                         count(DISTINCT (file_key, etag)) FILTER (WHERE status = 'failed' AND NOT EXISTS (
                             SELECT 1 FROM load_files ok WHERE ok.file_key = load_files.file_key AND ok.etag = load_files.etag
                                                           AND ok.status = 'loaded')) AS failed,
                         coalesce(sum(rows_loaded) FILTER (WHERE status <> 'failed'), 0) AS rows_loaded,
                         coalesce(sum(rows_rejected), 0) AS rows_rejected
                  FROM load_files WHERE batch_id = $1) f
            WHERE b.batch_id = $1
            """,
            batchId, status, new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text }, filesSkipped,
            new NpgsqlParameter { Value = star is null ? DBNull.Value : Star.StarChanges.ToJson(star), NpgsqlDbType = NpgsqlDbType.Text });
    }
}
