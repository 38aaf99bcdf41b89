using Npgsql;
using Sparkify.Warehouse.Staging;

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

    public async Task CloseAsync(long batchId, string status, IReadOnlyCollection<FileLoadResult> files, string? error, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE batches
            SET status = $2, completed_at = now(), error = $3,
                files_loaded = $4, files_skipped = $5, files_failed = $6, rows_loaded = $7, rows_rejected = $8
            WHERE batch_id = $1
            """);
        command.Parameters.Add(new() { Value = batchId });
        command.Parameters.Add(new() { Value = status });
        command.Parameters.Add(new() { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = files.Count(f => f.Outcome == FileOutcome.Loaded) });
        command.Parameters.Add(new() { Value = files.Count(f => f.Outcome == FileOutcome.AlreadyLoaded) });
        command.Parameters.Add(new() { Value = files.Count(f => f.Outcome == FileOutcome.Failed) });
        command.Parameters.Add(new() { Value = files.Sum(f => f.RowsLoaded) });
        command.Parameters.Add(new() { Value = files.Sum(f => f.RowsRejected) });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
