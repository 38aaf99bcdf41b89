using Microsoft.Extensions.Configuration;
using Sparkify.Pipeline;

namespace Sparkify.AppHost;

/// <summary>The AppHost's own configuration (section <c>Sparkify</c>, e.g. <c>Sparkify__DataFolder</c> or <c>--Sparkify:RunOnce=true</c>).</summary>
public sealed class SparkifySettings
{
    /// <summary>A folder with song_data/ and log_data/ to upload into the local bucket; demo data when unset.</summary>
    public string? DataFolder { get; set; }

    /// <summary>Start everything, wait for the batch, print counts and checks, exit 0 or non-zero.</summary>
    public bool RunOnce { get; set; }

    /// <summary>Minutes run-once mode waits for the batch before giving up.</summary>
    public int RunOnceTimeoutMinutes { get; set; } = 30;

    /// <summary>"local" (fauxqs on loopback) or "aws" (real S3/SQS through the standard AWS chain).</summary>
    public string Aws { get; set; } = "local";

    /// <summary>
    /// Ingest in notification mode beside a watch-mode scan (the reconciliation), with the local arrivals queue: the local
    /// endpoint sends no bucket notifications, so the setup posts the event S3 would send for each file it uploads.
    /// Watch mode only: run-once waits for a scan to end.
    /// </summary>
    public bool Notifications { get; set; }

    public string ArrivalsQueueName { get; set; } = "sparkify-arrivals";

    public bool PostsArrivalEvents => Notifications && UseLocalAws && !RunOnce;

    public string Bucket { get; set; } = "sparkify-local";
    public string QueueName { get; set; } = WorkerDefaults.QueueName;
    public int MaxReceives { get; set; } = WorkerDefaults.MaxReceives;
    public int VisibilityTimeoutSeconds { get; set; } = WorkerDefaults.VisibilityTimeoutSeconds;

    public int DemoSongs { get; set; } = 2000;
    public int DemoEvents { get; set; } = 100_000;
    public int DemoSeed { get; set; } = 42;

    /// <summary>Where the local PostgreSQL keeps its data (one warehouse per data source) and the demo data is written.</summary>
    public string StateDirectory { get; set; } = DefaultStateDirectory();

    /// <summary>Start this data source's warehouse empty: its kept database is deleted first.</summary>
    public bool Fresh { get; set; }

    /// <summary>
    /// The data source this run loads, as a folder name: the demo data (by its generator settings) or the folder named
    /// (by its name and a hash of its full path). Each has a warehouse of its own, so that loading one folder never adds
    /// to another's tables.
    /// </summary>
    public string SourceName => DataFolder is { } folder
        ? $"folder-{new string([.. Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))).Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')])}-" +
          Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(folder))))[..8]
        : $"demo-{DemoSongs}-{DemoEvents}-{DemoSeed}";

    /// <summary>The local PostgreSQL's data folder for this run's data source.</summary>
    public string WarehouseDirectory => Path.Combine(StateDirectory, "warehouses", SourceName);

    public bool UseLocalAws => string.Equals(Aws, "local", StringComparison.OrdinalIgnoreCase);

    public static SparkifySettings From(IConfiguration configuration)
    {
        var settings = new SparkifySettings();
        configuration.GetSection("Sparkify").Bind(settings);
        return settings;
    }

    private static string DefaultStateDirectory()
    {
        // The PostgreSQL server runs as the postgres user when we are root: its data must be somewhere it can reach.
        if (Environment.UserName == "root")
        {
            return "/var/lib/sparkify/aspire";
        }
        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        return Path.Combine(string.IsNullOrEmpty(state) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state") : state, "sparkify", "aspire");
    }
}
