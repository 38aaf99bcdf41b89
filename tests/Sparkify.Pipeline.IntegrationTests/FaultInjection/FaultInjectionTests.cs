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
        // The first event file (over 1 MiB: streamed into the COPY, not fetched before) stops arriving half-way: its COPY
        // is then running, with the rows read so far sent to the server in the group's open transaction.
        var s3 = await _pipeline.ProxyAsync();
        s3.StallObjectBody(key => key.StartsWith("log_data/", StringComparison.Ordinal), afterBytes: 512 * 1024);
        var transform = _pipeline.StartTransform("transform-1", s3);
        _pipeline.StartIngest();
        await s3.BodyStalled.WaitAsync(Soon);
        var copy = await _pipeline.WaitForRowAsync(
            "SELECT pid, backend_xid::text FROM pg_stat_activity WHERE application_name = 'transform-1' AND state = 'active' " +
            "AND query LIKE 'COPY staging_events%' AND backend_xid IS NOT NULL", Soon, "the COPY of the stalled file running, rows written");

        await transform.KillAsync();

        // The kill hit the COPY: its transaction (rows and bookkeeping) was rolled back, not committed.
        Assert.Equal("aborted", await _pipeline.TransactionOutcomeAsync((int)copy[0]!, (string)copy[1]!, Soon));
        _pipeline.StartTransform();
        await AssertEndsAsACleanRunAsync();
    }

    [Fact]
    public async Task Transform_killed_in_the_middle_of_the_star_load_then_restarted_ends_as_a_clean_run()
    {
        // The star load waits on the test's lock on songplays, inside its transaction, once every file is staged.
        var transform = _pipeline.StartTransform("transform-1");
        await transform.WaitForOutputAsync(ProcessPipeline.Receiving, Soon, "receiving (the schema checked)");
        var songplays = await _pipeline.HoldAsync("LOCK TABLE songplays IN SHARE MODE");
        _pipeline.StartIngest();
        var starLoad = await _pipeline.WaitForRowAsync(
            "SELECT a.pid, a.backend_xid::text FROM pg_locks l JOIN pg_stat_activity a USING (pid) " +
            "WHERE NOT l.granted AND l.relation = 'songplays'::regclass AND a.application_name = 'transform-1' AND a.backend_xid IS NOT NULL",
            Soon, "the star load running, waiting on songplays");
        Assert.Equal((long)_pipeline.Files, await _pipeline.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));

        await transform.KillAsync();
        await songplays.DisposeAsync();

        // Its transaction ended rolled back; the batch did not end with it. The claim of the dead instance is taken over
        // once it is older than StarLoadTakeoverSeconds.
        Assert.Equal("aborted", await _pipeline.TransactionOutcomeAsync((int)starLoad[0]!, (string)starLoad[1]!, Soon));
        Assert.Equal(0L, await _pipeline.ScalarAsync<long>("SELECT count(*) FROM batches WHERE status IN ('completed', 'completed_with_failures', 'failed')"));
        _pipeline.StartTransform();
        await AssertEndsAsACleanRunAsync();
        await AssertStarLoadCommittedOnceAsync();
    }

    [Fact]
    public async Task Ingest_killed_half_way_through_publishing_then_restarted_completes_the_same_batch()
    {
        _pipeline.StartTransform();
        // Ingest's sends stop after 10 batches of 10 messages (its progress is recorded every 50): it is held half-way.
        var sqs = await _pipeline.ProxyAsync();
        sqs.HoldSendsAfter(10);
        var ingest = _pipeline.StartIngest(through: sqs);
        await sqs.SendHeld.WaitAsync(Soon);
        await _pipeline.WaitUntilAsync("(SELECT count(published_at) = 100 FROM batch_files)", Soon, "the first 100 files recorded published");
        await ingest.KillAsync();
        // The listing is recorded page by page: of what it had recorded, all but the 100 published are left unpublished.
        Assert.Equal(await _pipeline.ScalarAsync<long>("SELECT count(*) - 100 FROM batch_files"),
            await _pipeline.ScalarAsync<long>("SELECT count(*) FROM batch_files WHERE published_at IS NULL"));

        var again = _pipeline.StartIngest();
        Assert.True(await again.WaitForExitAsync(Soon), _pipeline.Diagnostics());
        Assert.Equal(0, again.ExitCode);
        await AssertEndsAsACleanRunAsync();
        Assert.Equal(1L, await _pipeline.ScalarAsync<long>("SELECT count(*) FROM batches"));
        Assert.Equal((long)_pipeline.Files, await _pipeline.ScalarAsync<long>("SELECT count(*) FROM batch_files"));
    }

    [Fact]
    public async Task PostgreSQL_stopped_for_ten_seconds_during_the_load_spends_no_receive_and_loses_nothing() =>
        await AssertADatabaseOutageSpendsNoReceiveAsync(TimeSpan.FromSeconds(10));

    [Fact]
    public async Task PostgreSQL_down_longer_than_visibility_times_receives_spends_no_receive_and_loses_nothing() =>
        // 5 s visibility × 4 receives: without waiting the outage out, every message in flight would be dead-lettered.
        await AssertADatabaseOutageSpendsNoReceiveAsync(TimeSpan.FromSeconds(ProcessPipeline.VisibilityTimeoutSeconds * ProcessPipeline.MaxReceives + 10));

    [Fact]
    public async Task S3_and_SQS_endpoint_stopped_for_ten_seconds_during_a_copy_the_workers_wait_and_finish()
    {
        // A group is in the middle of its COPY, its S3 read held half-way, when the endpoint goes: the read then fails
        // mid-object, the queue cannot be asked, and the endpoint is back 10 s later with its state.
        var endpoint = await _pipeline.ProxyAsync();
        endpoint.StallObjectBody(key => key.StartsWith("log_data/", StringComparison.Ordinal), afterBytes: 512 * 1024);
        var transform = _pipeline.StartTransform("transform-1", endpoint);
        _pipeline.StartIngest();
        await endpoint.BodyStalled.WaitAsync(Soon);
        await _pipeline.WaitUntilAsync(
            "EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'transform-1' AND query LIKE 'COPY staging_events%' AND state = 'active')",
            Soon, "a COPY running");

        await _pipeline.Fauxqs.StopAsync();
        endpoint.ReleaseStall();
        await Task.Delay(TimeSpan.FromSeconds(10));
        await _pipeline.Fauxqs.RestartAsync();

        await AssertEndsAsACleanRunAsync();
        Assert.False(transform.HasExited, "the Transform gave up while S3/SQS was away\n" + _pipeline.Diagnostics());
    }

    [Fact]
    public async Task A_transform_started_while_S3_and_SQS_are_down_waits_for_them_and_loads_everything()
    {
        await _pipeline.Fauxqs.StopAsync();
        var transform = _pipeline.StartTransform();

        // It reached for the queue, was refused, waited and tried again (one log line per failed attempt)...
        await transform.WaitForOutputAsync(line => line.Contains("Waiting for the file queue (attempt 2 failed", StringComparison.Ordinal), Soon,
            "two failed attempts at the file queue");
        Assert.False(transform.HasExited, "the Transform gave up while S3/SQS was away\n" + _pipeline.Diagnostics());
        await _pipeline.Fauxqs.RestartAsync();

        // ...and receives once it is back.
        await transform.WaitForOutputAsync(ProcessPipeline.Receiving, Soon, "receiving from the queue");
        _pipeline.StartIngest();
        await AssertEndsAsACleanRunAsync();
    }

    [Fact]
    public async Task Two_transforms_and_one_crashes_mid_batch_the_star_load_still_runs_once()
    {
        // The first Transform's S3 reads never answer: whatever it receives, it holds until it dies.
        var firstEndpoint = await _pipeline.ProxyAsync();
        firstEndpoint.HoldObjectGets(_ => true);
        var secondEndpoint = await _pipeline.ProxyAsync();
        var first = _pipeline.StartTransform("transform-1", firstEndpoint);
        _pipeline.StartTransform("transform-2", secondEndpoint);
        _pipeline.StartIngest();
        await firstEndpoint.GetHeld.WaitAsync(Soon);
        await _pipeline.WaitUntilAsync("(SELECT count(*) >= 20 FROM load_files)", Soon, "the batch under way");

        await first.KillAsync();

        var held = firstEndpoint.Held(_pipeline.Options.QueueName);
        Assert.NotEmpty(held);
        await AssertEndsAsACleanRunAsync();
        await AssertStarLoadCommittedOnceAsync();
        // The survivor got the dead one's messages, each on a later receive.
        var survivor = secondEndpoint.Received(_pipeline.Options.QueueName).ToLookup(m => m.MessageId);
        Assert.All(held, m => Assert.Contains(survivor[m.MessageId], again => again.ReceiveCount > m.ReceiveCount));
    }

    /// <summary>
    /// PostgreSQL stops while a group is in the middle of its COPY and stays away for <paramref name="outage"/>. The load
    /// ends as a clean run, and no message was received twice: the outage spent none of their receives.
    /// </summary>
    private async Task AssertADatabaseOutageSpendsNoReceiveAsync(TimeSpan outage)
    {
        var endpoint = await _pipeline.ProxyAsync();
        endpoint.StallObjectBody(key => key.StartsWith("log_data/", StringComparison.Ordinal), afterBytes: 512 * 1024);
        _pipeline.StartTransform("transform-1", endpoint);
        _pipeline.StartIngest();
        await endpoint.BodyStalled.WaitAsync(Soon);
        await _pipeline.WaitUntilAsync(
            "EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'transform-1' AND query LIKE 'COPY staging_events%' AND state = 'active')",
            Soon, "a COPY running");

        await _pipeline.Postgres.StopAsync();
        endpoint.ReleaseStall();
        await Task.Delay(outage);
        await _pipeline.Postgres.RestartAsync();

        await AssertEndsAsACleanRunAsync();
        var received = endpoint.Received(_pipeline.Options.QueueName);
        Assert.Equal(_pipeline.Files, received.Select(m => m.MessageId).Distinct().Count());
        var again = received.Where(m => m.ReceiveCount > 1).ToList();
        Assert.True(again.Count == 0, $"{again.Count} receive(s) spent on messages received before, e.g. " +
            string.Join(", ", again.Take(5).Select(m => $"{m.MessageId} (receive {m.ReceiveCount})")));
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
