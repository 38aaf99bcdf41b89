using System.Collections.Concurrent;
using Npgsql;
using Sparkify.Pipeline;
using Sparkify.Warehouse;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Transform;

/// <summary>
/// Times of the groups staged since they were last written, per batch: written with the next group's commit, after
/// the star load, or when idle — never with a commit of their own per group.
/// </summary>
public sealed class PendingPhaseTimes(NpgsqlDataSource dataSource)
{
    private readonly BatchPhaseTimesStore _store = new(dataSource);
    private readonly ConcurrentDictionary<long, PhaseTimes> _pending = new();

    /// <summary>The times being gathered for a batch.</summary>
    public PhaseTimes For(long batchId) => _pending.GetOrAdd(batchId, _ => new PhaseTimes());

    /// <summary>The times gathered for a batch, no longer pending.</summary>
    public PhaseTimes Take(long batchId) => _pending.TryRemove(batchId, out var times) ? times : new PhaseTimes();

    /// <summary>Writes the times not yet recorded of every batch this instance worked on (when idle: one commit per batch).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var batchId in _pending.Keys)
        {
            if (_pending.TryRemove(batchId, out var times))
            {
                await RecordAsync(batchId, times.TakeSeconds(), cancellationToken);
            }
        }
    }

    /// <summary>Records seconds by phase (as metrics and in batch_phase_times), in the given transaction if any.</summary>
    public async Task RecordAsync(long batchId, IReadOnlyDictionary<string, double> seconds, CancellationToken cancellationToken,
        WarehouseSession? within = null)
    {
        foreach (var (phase, value) in seconds)
        {
            PipelineTelemetry.PhaseDuration.Record(value, new KeyValuePair<string, object?>("sparkify.phase", phase));
        }
        await _store.AddAsync(batchId, seconds, within, cancellationToken);
    }
}
