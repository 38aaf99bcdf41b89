using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sparkify.Warehouse;
using Sparkify.Warehouse.Staging;
using Sparkify.Warehouse.Star;

namespace Sparkify.AppHost;

/// <summary>
/// The console's view of the work while the AppHost runs: one line when a batch opens, as its files are staged
/// (at most every few seconds), and when it ends — with the warehouse's counts — so a person running
/// `scripts/run.sh` sees progress and the result without opening the dashboard. Watch mode watches until Ctrl+C;
/// run-once until its batches have ended, then takes one last look so that their end lines come before the summary.
/// </summary>
internal sealed class BatchProgress(IResourceWithConnectionString warehouse, ILogger<BatchProgress> logger)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    private readonly Dictionary<long, (string Status, long Staged, long Failed)> _reported = [];
    // Ended and said so: no longer looked at.
    private readonly List<long> _ended = [];
    // Batches opened before this AppHost started are an earlier run's: not news.
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;

    public static BatchProgress For(DistributedApplication app, IResourceWithConnectionString warehouse) =>
        new(warehouse, app.Services.GetRequiredService<ILogger<BatchProgress>>());

    /// <summary>Looks every few seconds until cancelled, waiting out a warehouse that is not there yet.</summary>
    public async Task WatchAsync(CancellationToken cancellationToken)
    {
        NpgsqlDataSource? dataSource = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    dataSource ??= NpgsqlDataSource.Create((await warehouse.GetConnectionStringAsync(cancellationToken))!);
                    await LookAsync(dataSource, cancellationToken);
                }
                catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    // The warehouse is starting, or its schema not made yet: the next look will tell.
                }
                await Task.Delay(Interval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (dataSource is not null)
            {
                await dataSource.DisposeAsync();
            }
        }
    }

    /// <summary>One look: a line for each batch of this run whose state changed since the last look.</summary>
    public async Task LookAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT b.batch_id, b.status, b.expected_files,
                   count(q.file_key) FILTER (WHERE q.state = 'staged'), count(q.file_key) FILTER (WHERE q.state = 'failed'),
                   b.rows_loaded, b.rows_rejected, coalesce(b.error, ''), b.star_changes::text
            FROM batches b LEFT JOIN batch_files q USING (batch_id)
            WHERE b.expected_files IS NOT NULL AND b.created_at >= $1 AND NOT b.batch_id = ANY ($2)
            GROUP BY b.batch_id, b.star_changes::text
            ORDER BY b.batch_id
            """);
        command.Parameters.Add(new() { Value = _started });
        command.Parameters.Add(new() { Value = _ended.ToArray() });
        // An ended batch's line, before and after its count of rows with text repaired (read once the reader is done).
        var ended = new List<(long BatchId, string Staged, string After)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var batchId = reader.GetInt64(0);
                var status = reader.GetString(1);
                var expected = reader.GetInt32(2);
                var staged = reader.GetInt64(3);
                var failed = reader.GetInt64(4);
                if (_reported.TryGetValue(batchId, out var last) && last == (status, staged, failed))
                {
                    continue;
                }
                _reported[batchId] = (status, staged, failed);
                if (status is "open" or "loading_star")
                {
                    logger.LogInformation("{Progress}", status == "open"
                        ? $"Batch {batchId}: {staged:N0} of {expected:N0} file(s) staged{Failed(failed)}."
                        : $"Batch {batchId}: all {expected:N0} file(s) settled{Failed(failed)}; loading the star schema.");
                }
                else
                {
                    ended.Add((batchId, $"Batch {batchId} {status}: {reader.GetInt64(5):N0} row(s) staged, {reader.GetInt64(6):N0} rejected",
                        Failed(failed) + (reader.GetString(7) is { Length: > 0 } error ? $"; {error}" : "") +
                        (reader.IsDBNull(8) ? "" : $"; star: {StarChanges.Describe(StarChanges.FromJson(reader.GetString(8)))}") + "."));
                    _ended.Add(batchId);
                    _reported.Remove(batchId);
                }
            }
        }
        if (ended.Count > 0)
        {
            var counts = await new WarehouseStats(dataSource).CountAsync(WarehouseStats.StarTables, cancellationToken);
            var summary = string.Join(", ", counts.Select(c => $"{c.Key} {c.Value.ToString("N0", CultureInfo.InvariantCulture)}"));
            foreach (var (batchId, staged, after) in ended)
            {
                var repaired = await RepairedTextCount.OfBatchAsync(dataSource, batchId, cancellationToken);
                logger.LogInformation("{Progress} The warehouse holds {Counts}.", $"{staged}, {repaired:N0} with text repaired{after}", summary);
            }
        }
    }

    private static string Failed(long failed) => failed == 0 ? "" : $", {failed:N0} failed";
}
