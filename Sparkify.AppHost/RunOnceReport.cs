using System.Text.Json;
using Npgsql;
using Sparkify.Reporting;
using Sparkify.Warehouse;
using Sparkify.Warehouse.Reports;

namespace Sparkify.AppHost;

/// <summary>
/// What a run-once run prints at its end: the warehouse's counts, then the batches this run opened with their checks
/// — or that there was nothing new — and the answers. Only this run's batches are judged: an earlier run's failed
/// batch in a kept warehouse is mentioned, never a reason for this run to fail.
/// </summary>
internal static class RunOnceReport
{
    /// <returns>Whether every batch of this run completed (true when there were none).</returns>
    public static async Task<bool> PrintAsync(NpgsqlDataSource dataSource, SparkifySettings settings, DateTimeOffset started, CancellationToken cancellationToken)
    {
        var counts = await new WarehouseStats(dataSource).CountAsync(cancellationToken);
        Console.WriteLine(JsonSerializer.Serialize(counts));
        var batches = new List<(long Id, string Status, string Error)>();
        await using (var command = dataSource.CreateCommand(
            "SELECT batch_id, status, coalesce(error, '') FROM batches WHERE created_at >= $1 ORDER BY batch_id"))
        {
            command.Parameters.Add(new() { Value = started });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                batches.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            }
        }
        if (batches.Count == 0)
        {
            Console.WriteLine($"Nothing new: every file of {settings.SourceName} is in its warehouse already (loaded, or failed for good, in an earlier " +
                              "run); no batch was opened. --fresh starts the warehouse empty.");
        }
        foreach (var (id, status, error) in batches)
        {
            Console.WriteLine($"batch {id}: {status} {error}".TrimEnd());
        }
        await PrintChecksAsync(dataSource, [.. batches.Select(b => b.Id)], cancellationToken);
        await PrintEarlierAsync(dataSource, started, cancellationToken);
        await AnswersAsync(dataSource, settings, cancellationToken);

        var failures = batches.Where(b => b.Status != "completed").Select(b => $"batch {b.Id} {b.Status}: {b.Error}").ToList();
        if (failures.Count > 0)
        {
            RunOnce.Fail(string.Join("; ", failures));
        }
        return failures.Count == 0;
    }

    private static async Task PrintChecksAsync(NpgsqlDataSource dataSource, long[] batchIds, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT batch_id, check_name, passed FROM quality_check_results WHERE batch_id = ANY($1) ORDER BY batch_id, check_name");
        command.Parameters.Add(new() { Value = batchIds });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var batch = batchIds.Length > 1 ? $" (batch {reader.GetInt64(0)})" : "";
            Console.WriteLine($"  {(reader.GetBoolean(2) ? "pass" : "FAIL")}  {reader.GetString(1)}{batch}");
        }
    }

    /// <summary>An earlier run's batches that did not complete are said once, for what they are: not this run's result.</summary>
    private static async Task PrintEarlierAsync(NpgsqlDataSource dataSource, DateTimeOffset started, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT count(*) FILTER (WHERE status <> 'completed'), count(*) FROM batches WHERE created_at < $1");
        command.Parameters.Add(new() { Value = started });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.GetInt64(0) > 0)
        {
            Console.WriteLine($"({reader.GetInt64(0)} of the {reader.GetInt64(1)} batch(es) of earlier runs did not complete; not judged by this run — " +
                              "see the batches table or `sparkify check --all`.)");
        }
    }

    /// <summary>The run ends with answers: a short summary, and the whole report with its charts as a file.</summary>
    private static async Task AnswersAsync(NpgsqlDataSource dataSource, SparkifySettings settings, CancellationToken cancellationToken)
    {
        var report = await new WarehouseReporter(dataSource).BuildAsync(ReportPeriod.All, cancellationToken: cancellationToken);
        Console.WriteLine();
        foreach (var line in ReportSummary.Lines(report))
        {
            Console.WriteLine(line);
        }
        var file = Path.Combine(settings.StateDirectory, "reports", settings.SourceName + ".html");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, ReportHtml.Render(report), cancellationToken);
        Console.WriteLine($"The full report, with charts: {file} (also the \"report\" page of the AppHost while it runs, and `sparkify report`).");
    }
}
