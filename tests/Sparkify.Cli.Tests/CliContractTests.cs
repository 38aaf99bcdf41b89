using System.Text.Json;
using Sparkify.Testing;

namespace Sparkify.Cli.Tests;

/// <summary>The command-line contract other checks rely on, against a real PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CliContractTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Create_load_stats_and_check_the_real_sample()
    {
        var connection = await postgres.Server.CreateDatabaseAsync("cli");

        var create = await Sparkify.RunAsync("create-tables", "--connection", connection);
        Assert.Equal(0, create.ExitCode);
        Assert.Contains("tables created", create.Output, StringComparison.Ordinal);

        var load = await Sparkify.RunAsync("load", SampleData.Folder, "--connection", connection);
        Assert.True(load.ExitCode == 0, load.Output + load.Error);
        Assert.Contains("101 loaded, 0 already loaded (skipped), 0 failed", load.Output, StringComparison.Ordinal);
        Assert.Contains("8,127 staged, 0 rejected, 326 with text repaired", load.Output, StringComparison.Ordinal);
        Assert.Contains("staged 101/101 files", load.Error, StringComparison.Ordinal);

        var stats = await Sparkify.RunAsync("stats", "--json", "--connection", connection);
        Assert.Equal(0, stats.ExitCode);
        Assert.Equal(
            """{"staging_events":8056,"staging_songs":71,"songplays":6820,"users":97,"songs":71,"artists":69,"time":6813,"load_errors":0}""",
            stats.Output.Trim());

        var check = await Sparkify.RunAsync("check", "--connection", connection);
        Assert.Equal(0, check.ExitCode);
        Assert.Contains("pass  songplays_user_in_users", check.Output, StringComparison.Ordinal);

        var again = await Sparkify.RunAsync("load", SampleData.Folder, "--connection", connection);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("0 loaded, 101 already loaded (skipped)", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_exits_non_zero_naming_the_failed_check()
    {
        var connection = await postgres.Server.CreateDatabaseAsync("cli");
        Assert.Equal(0, (await Sparkify.RunAsync("load", SampleData.Folder, "--connection", connection)).ExitCode);
        await using (var dataSource = Npgsql.NpgsqlDataSource.Create(connection))
        await using (var command = dataSource.CreateCommand("DELETE FROM users WHERE user_id = 15"))
        {
            await command.ExecuteNonQueryAsync();
        }

        var check = await Sparkify.RunAsync("check", "--connection", connection);

        Assert.Equal(ExitCodes.DataFailure, check.ExitCode);
        Assert.Contains("FAIL  songplays_user_in_users", check.Output, StringComparison.Ordinal);
        Assert.Contains("Quality checks failed: songplays_user_in_users", check.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drop_warns_and_leaves_empty_tables()
    {
        var connection = await postgres.Server.CreateDatabaseAsync("cli");
        Assert.Equal(0, (await Sparkify.RunAsync("load", SampleData.Folder, "--connection", connection)).ExitCode);

        var drop = await Sparkify.RunAsync("create-tables", "--drop", "--connection", connection);

        Assert.Equal(0, drop.ExitCode);
        Assert.Contains("WARNING: --drop", drop.Error, StringComparison.Ordinal);
        var stats = JsonSerializer.Deserialize<Dictionary<string, long>>((await Sparkify.RunAsync("stats", "--json", "--connection", connection)).Output)!;
        Assert.All(stats.Values, count => Assert.Equal(0L, count));
    }

    [Fact]
    public async Task The_connection_may_come_from_the_environment()
    {
        var connection = await postgres.Server.CreateDatabaseAsync("cli");
        Environment.SetEnvironmentVariable("ConnectionStrings__warehouse", connection);
        try
        {
            var stats = await Sparkify.RunAsync("stats", "--json");

            Assert.Equal(0, stats.ExitCode);
            Assert.Contains("\"songplays\":0", stats.Output, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ConnectionStrings__warehouse", null);
        }
    }

    [Fact]
    public async Task A_failed_file_makes_load_exit_non_zero_and_names_it()
    {
        var connection = await postgres.Server.CreateDatabaseAsync("cli");
        using var folder = new TempFolder();
        folder.Write("log_data/2018/11/2018-11-01-events.json", "{bad\n{bad\n{bad");

        var load = await Sparkify.RunAsync("load", folder.Path, "--max-errors", "1", "--connection", connection);

        Assert.Equal(ExitCodes.DataFailure, load.ExitCode);
        Assert.Contains($"FAILED {folder.Path}/log_data/2018/11/2018-11-01-events.json: more than 1 rejected records", load.Error, StringComparison.Ordinal);
        Assert.Contains("completed_with_failures", load.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generated_data_loads_cleanly_with_the_counts_the_generator_reports()
    {
        var connection = await postgres.Server.CreateDatabaseAsync("cli");
        using var folder = new TempFolder();
        var target = Path.Combine(folder.Path, "demo");

        var generate = await Sparkify.RunAsync("generate", target, "--songs", "300", "--events", "20000", "--days", "7",
            "--users", "40", "--seed", "5", "--matched-share", "0.5");
        Assert.Equal(0, generate.ExitCode);
        var load = await Sparkify.RunAsync("load", target, "--connection", connection);
        Assert.True(load.ExitCode == 0, load.Output + load.Error);

        var stats = JsonSerializer.Deserialize<Dictionary<string, long>>((await Sparkify.RunAsync("stats", "--json", "--connection", connection)).Output)!;
        Assert.Equal(20_000, stats["staging_events"]);
        Assert.Equal(300, stats["staging_songs"]);
        Assert.Equal(300, stats["songs"]);
        Assert.Equal(40, stats["users"]);
        Assert.Equal(0, stats["load_errors"]);
        Assert.Contains($"Wrote 300 song files and 7 log files (20,000 events, {stats["songplays"]:N0} plays", generate.Output, StringComparison.Ordinal);
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(connection);
        await using var matched = dataSource.CreateCommand("SELECT avg((song_id IS NOT NULL)::int)::float8 FROM songplays");
        Assert.InRange((double)(await matched.ExecuteScalarAsync())!, 0.45, 0.55);

        var again = await Sparkify.RunAsync("generate", target, "--songs", "1", "--events", "1");
        Assert.Equal(ExitCodes.UsageError, again.ExitCode);
        Assert.Contains("already holds data", again.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stats")]
    [InlineData("load", "/no/such/folder", "--connection", "Host=127.0.0.1")]
    [InlineData("stats", "--connection", "Host=127.0.0.1;Nonsense=1")]
    public async Task Bad_input_is_a_clear_error_with_exit_code_2(params string[] args)
    {
        Environment.SetEnvironmentVariable("ConnectionStrings__warehouse", null);

        var result = await Sparkify.RunAsync(args);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
    }
}
