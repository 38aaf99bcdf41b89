using Npgsql;

namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>Adds a piece of work's <see cref="PhaseTimes"/> to its batch's totals in <c>batch_phase_times</c>.</summary>
public sealed class BatchPhaseTimesStore(NpgsqlDataSource dataSource)
{
    private const string AddSql =
        """
        INSERT INTO batch_phase_times (batch_id, phase, seconds)
        SELECT $1, phase, seconds FROM unnest($2::text[], $3::double precision[]) AS t (phase, seconds)
        ON CONFLICT (batch_id, phase) DO UPDATE SET seconds = batch_phase_times.seconds + excluded.seconds
        """;

    public Task AddAsync(long batchId, PhaseTimes times, CancellationToken cancellationToken) =>
        AddAsync(batchId, times.Seconds(), null, cancellationToken);

    public Task AddAsync(long batchId, IReadOnlyDictionary<string, double> seconds, CancellationToken cancellationToken) =>
        AddAsync(batchId, seconds, null, cancellationToken);

    /// <summary>The same, inside the caller's transaction.</summary>
    public Task AddAsync(long batchId, IReadOnlyDictionary<string, double> seconds, NpgsqlConnection connection, NpgsqlTransaction transaction,
        CancellationToken cancellationToken) =>
        AddAsync(batchId, seconds, (connection, transaction), cancellationToken);

    private async Task AddAsync(long batchId, IReadOnlyDictionary<string, double> seconds,
        (NpgsqlConnection Connection, NpgsqlTransaction Transaction)? within, CancellationToken cancellationToken)
    {
        if (seconds.Count == 0)
        {
            return;
        }
        await using var command = within is { } open ? new NpgsqlCommand(AddSql, open.Connection, open.Transaction) : dataSource.CreateCommand(AddSql);
        command.Parameters.Add(new() { Value = batchId });
        command.Parameters.Add(new() { Value = seconds.Keys.ToArray() });
        command.Parameters.Add(new() { Value = seconds.Values.ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
