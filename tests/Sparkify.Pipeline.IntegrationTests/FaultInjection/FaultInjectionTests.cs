using Sparkify.DevTools.DemoData;
using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests.FaultInjection;

/// <summary>
/// Crashes and outages with real processes: whatever happens, the warehouse ends equal to a clean run's (row counts
/// and a checksum of every table's content) and every file is recorded as loaded exactly once.
/// </summary>
[Collection(FaultInjectionCollection.Name)]
public sealed class FaultInjectionTests : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Healed = TimeSpan.FromSeconds(150);

    private readonly TempFolder _data = new();
    private ProcessPipeline _pipeline = null!;
    private WarehouseSnapshot _clean = null!;

    public async Task InitializeAsync()
    {
        // Enough files and rows that a COPY and a star load last long enough to be caught in the act.
        await DemoDataGenerator.WriteAsync(_data.Path, new GeneratorOptions(Songs: 600, Events: 60_000, Days: 20));
        _pipeline = await ProcessPipeline.CreateAsync(_data.Path);
        _clean = await _pipeline.CleanRunAsync(_data.Path);
    }

    public async Task DisposeAsync()
    {
        await _pipeline.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Transform_killed_in_the_middle_of_a_copy_then_restarted_ends_as_a_clean_run()
    {
        var transform = _pipeline.StartTransform();
        _pipeline.StartIngest();
        await _pipeline.WaitUntilAsync(
            "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'COPY staging_%')", Soon, "a staging COPY running");
        await transform.KillAsync();

        _pipeline.StartTransform();
        await AssertEndsAsACleanRunAsync();
    }

    [Fact]
    public async Task Transform_killed_in_the_middle_of_the_star_load_then_restarted_ends_as_a_clean_run()
    {
        var transform = _pipeline.StartTransform();
        _pipeline.StartIngest();
        await _pipeline.WaitUntilAsync("SELECT EXISTS (SELECT FROM batches WHERE status = 'loading_star')", Soon, "the star load claimed");
        await transform.KillAsync();
        Assert.Equal("loading_star", await _pipeline.ScalarAsync<string>("SELECT status FROM batches"));

        // The claim of the dead instance is taken over once it is older than StarLoadTakeoverSeconds.
        _pipeline.StartTransform();
        await AssertEndsAsACleanRunAsync();
        await AssertStarLoadCommittedOnceAsync();
    }

    [Fact]
    public async Task Ingest_killed_half_way_through_publishing_then_restarted_completes_the_same_batch()
    {
        _pipeline.StartTransform();
        var ingest = _pipeline.StartIngest();
        await _pipeline.WaitUntilAsync(
            $"SELECT count(published_at) BETWEEN 1 AND {_pipeline.Files - 1} FROM batch_files", Soon, "part of the batch published", 5);
        await ingest.KillAsync();
        Assert.True(await _pipeline.ScalarAsync<long>("SELECT count(*) FROM batch_files WHERE published_at IS NULL") > 0);

        var again = _pipeline.StartIngest();
        Assert.True(await again.WaitForExitAsync(Soon), _pipeline.Diagnostics());
        Assert.Equal(0, again.ExitCode);
        await AssertEndsAsACleanRunAsync();
        Assert.Equal(1L, await _pipeline.ScalarAsync<long>("SELECT count(*) FROM batches"));
        Assert.Equal((long)_pipeline.Files, await _pipeline.ScalarAsync<long>("SELECT count(*) FROM batch_files"));
    }

    [Fact]
    public async Task PostgreSQL_stopped_for_ten_seconds_during_the_load_the_workers_retry_and_finish() =>
        await AssertALoadSurvivesAnOutageAsync(_pipeline.Postgres.StopAsync, () => _pipeline.Postgres.RestartAsync());

    [Fact]
    public async Task PostgreSQL_down_longer_than_visibility_times_receives_loses_nothing() =>
        // 5 s visibility × 4 receives: without waiting the outage out, every message in flight would be dead-lettered.
        await AssertALoadSurvivesAnOutageAsync(_pipeline.Postgres.StopAsync, () => _pipeline.Postgres.RestartAsync(),
            TimeSpan.FromSeconds(ProcessPipeline.VisibilityTimeoutSeconds * ProcessPipeline.MaxReceives + 10));

    [Fact]
    public async Task A_transform_started_while_S3_and_SQS_are_down_waits_for_them_and_loads_everything()
    {
        await _pipeline.Fauxqs.StopAsync();
        var transform = _pipeline.StartTransform();
        await Task.Delay(TimeSpan.FromSeconds(8));
        Assert.False(transform.HasExited, "the Transform gave up while S3/SQS was away\n" + _pipeline.Diagnostics());

        await _pipeline.Fauxqs.RestartAsync();
        _pipeline.StartIngest();
        await AssertEndsAsACleanRunAsync();
    }

    [Fact]
    public async Task Two_transforms_and_one_crashes_mid_batch_the_star_load_still_runs_once()
    {
        var first = _pipeline.StartTransform();
        _pipeline.StartTransform();
        _pipeline.StartIngest();
        await _pipeline.WaitUntilAsync("SELECT count(*) >= 20 FROM load_files", Soon, "the batch under way");
        await first.KillAsync();

        await AssertEndsAsACleanRunAsync();
        await AssertStarLoadCommittedOnceAsync();
    }

    private async Task AssertALoadSurvivesAnOutageAsync(Func<Task> stop, Func<Task> restart, TimeSpan? outage = null)
    {
        _pipeline.StartTransform();
        _pipeline.StartIngest();
        await _pipeline.WaitUntilAsync("SELECT EXISTS (SELECT FROM load_files)", Soon, "the first files staged");
        await stop();
        await Task.Delay(outage ?? TimeSpan.FromSeconds(10));
        await restart();

        await AssertEndsAsACleanRunAsync();
    }

    private async Task AssertEndsAsACleanRunAsync()
    {
        await _pipeline.WaitForBatchesToEndAsync(Healed);
        await _pipeline.AssertEveryFileLoadedOnceAsync();
        Assert.Equal(_clean.ToString(), (await WarehouseSnapshot.TakeAsync(_pipeline.DataSource)).ToString());
    }

    /// <summary>One committed star load: one set of quality-check results for the batch.</summary>
    private async Task AssertStarLoadCommittedOnceAsync()
    {
        var checks = await _pipeline.ScalarAsync<long>("SELECT count(DISTINCT check_name) FROM quality_check_results");
        Assert.Equal(checks, await _pipeline.ScalarAsync<long>("SELECT count(*) FROM quality_check_results"));
    }
}

[CollectionDefinition(Name)]
public sealed class FaultInjectionCollection
{
    public const string Name = "fault injection";
}
