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

    /// <summary>Adds the seconds by phase, inside the caller's session if any.</summary>
    public async Task AddAsync(long batchId, IReadOnlyDictionary<string, double> seconds, WarehouseSession? within, CancellationToken cancellationToken)
    {
        if (seconds.Count == 0)
        {
            return;
        }
        object?[] parameters = [batchId, seconds.Keys.ToArray(), seconds.Values.ToArray()];
        await (within is null ? WarehouseSession.ExecuteOnceAsync(dataSource, cancellationToken, AddSql, parameters) : within.ExecuteAsync(AddSql, parameters));
    }
}
