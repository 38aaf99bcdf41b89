using System.Reflection;
using Npgsql;
using Sparkify.Warehouse;
using Sparkify.DevTools.DemoData;

namespace Sparkify.Cli.Bench;

/// <summary>
/// Runs each way on the same generated data against the same PostgreSQL server, each in a database of its own
/// (created and dropped here), and measures wall time and the peak RSS of every process involved.
/// </summary>
internal sealed class BenchRunner(string serverConnectionString, TextWriter progress)
{
    public async Task<BenchReportData> RunAsync(GeneratorOptions data, bool includePipeline, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("sparkify-bench-").FullName;
        try
        {
            await progress.WriteLineAsync($"Generating {data.Songs:N0} songs and {data.Events:N0} events...");
            var summary = await DemoDataGenerator.WriteAsync(folder, data, cancellationToken);
            var input = new BenchInput(summary.SongFiles, summary.LogFiles, summary.Events, summary.Bytes);
            var results = new List<BenchResult>
            {
                await MeasureAsync("sparkify load", folder, LoadAsync, cancellationToken),
                await MeasureAsync("in-database (psql + SQL)", folder, InDatabaseAsync, cancellationToken),
                await MeasureAsync(FloorWay.Name, folder, FloorWay.RunAsync, cancellationToken, buildsStarSchema: false),
            };
            results.Add(new BenchResult("classic Python", false, PythonWay.SkipReason(), 0, new Dictionary<string, long>(), new Dictionary<string, long>()));
            if (includePipeline)
            {
                results.Insert(0, await MeasureAsync("pipeline (S3 + SQS + workers)", folder, PipelineWay.RunAsync, cancellationToken));
            }
            return new BenchReportData(input, results);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private delegate Task<WayOutcome> Way(string folder, string connectionString, CancellationToken cancellationToken);

    private async Task<BenchResult> MeasureAsync(
        string name, string folder, Way way, CancellationToken cancellationToken, bool buildsStarSchema = true)
    {
        await progress.WriteLineAsync($"Running: {name}...");
        await using var database = await ScratchDatabase.CreateAsync(serverConnectionString, cancellationToken);
        var connectionString = database.ConnectionString;
        var outcome = await way(folder, connectionString, cancellationToken);
        var (seconds, rss, failure, endpointRates) = outcome;
        if (failure is not null)
        {
            return new BenchResult(name, false, failure, seconds, rss, new Dictionary<string, long>());
        }
        if (!buildsStarSchema)
        {
            return new BenchResult(name, true, null, seconds, rss, new Dictionary<string, long>());
        }
        return new BenchResult(name, true, null, seconds, rss, await CountAsync(connectionString, cancellationToken))
        {
            EndpointRates = endpointRates ?? new Dictionary<string, double>(),
            CpuSeconds = outcome.CpuSeconds ?? new Dictionary<string, double>(),
            Phases = await PhasesAsync(connectionString, cancellationToken),
            BusyTimes = await BusyTimesAsync(connectionString, cancellationToken),
        };
    }

    internal static async Task<WayOutcome> LoadAsync(string folder, string connectionString, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string?> { [WarehouseConnection.EnvironmentVariable] = connectionString };
        var result = await ChildProcess.RunAsync(DotnetHost(), [.. SelfArguments(), "load", folder], environment, cancellationToken);
        return new(result.Elapsed.TotalSeconds, new Dictionary<string, long> { ["sparkify"] = result.PeakRssBytes },
            result.ExitCode == 0 ? null : $"exit code {result.ExitCode}: {Last(result.Error)}");
    }

    private static async Task<WayOutcome> InDatabaseAsync(string folder, string connectionString, CancellationToken cancellationToken)
    {
        var result = await InDatabaseWay.RunAsync(folder, connectionString, cancellationToken);
        return new(result.Elapsed.TotalSeconds, new Dictionary<string, long> { ["psql"] = result.PeakRssBytes },
            result.ExitCode == 0 ? null : $"exit code {result.ExitCode}: {Last(result.Error)}");
    }

    internal static async Task<Dictionary<string, long>> CountAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        return new Dictionary<string, long>(await new WarehouseStats(dataSource).CountAsync(WarehouseStats.StarTables, cancellationToken));
    }

    /// <summary>
    /// The timeline the bookkeeping tables record: scan (until the batch row), publishing (until the last file was
    /// marked published), staging (first to last file staged), star load and checks (claim to completion).
    /// </summary>
    private static async Task<Dictionary<string, double>> PhasesAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var probe = dataSource.CreateCommand("SELECT to_regclass('batch_files') IS NOT NULL"))
        {
            if (!(bool)(await probe.ExecuteScalarAsync(cancellationToken))!)
            {
                return [];
            }
        }
        await using var command = dataSource.CreateCommand(
            """
            SELECT extract(epoch FROM max(q.published_at) - b.created_at),
                   extract(epoch FROM (SELECT max(loaded_at) - min(loaded_at) FROM load_files f WHERE f.batch_id = b.batch_id)),
                   extract(epoch FROM b.completed_at - b.star_claimed_at)
            FROM batches b LEFT JOIN batch_files q USING (batch_id)
            GROUP BY b.batch_id ORDER BY b.batch_id DESC LIMIT 1
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var phases = new Dictionary<string, double>();
        if (await reader.ReadAsync(cancellationToken))
        {
            string[] names = ["publish", "staging", "star load + checks"];
            for (var i = 0; i < names.Length; i++)
            {
                if (!reader.IsDBNull(i))
                {
                    phases[names[i]] = (double)reader.GetDecimal(i);
                }
            }
        }
        return phases;
    }

    internal static async Task<Dictionary<string, double>> BusyTimesAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var busy = new Dictionary<string, double>();
        await using (var probe = dataSource.CreateCommand("SELECT to_regclass('batch_phase_times') IS NOT NULL"))
        {
            if (!(bool)(await probe.ExecuteScalarAsync(cancellationToken))!)
            {
                return busy;
            }
        }
        await using var command = dataSource.CreateCommand("SELECT phase, sum(seconds) FROM batch_phase_times GROUP BY phase");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            busy[reader.GetString(0)] = reader.GetDouble(1);
        }
        return busy;
    }

    /// <summary>The running sparkify, to start again as a child: the apphost executable, or dotnet with the dll.</summary>
    internal static string DotnetHost() => Environment.ProcessPath ?? "dotnet";

    internal static string[] SelfArguments() =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? [Assembly.GetEntryAssembly()!.Location] : [];

    internal static string Last(string text) => text.Trim().Split('\n').LastOrDefault()?.Trim() ?? "";
}
