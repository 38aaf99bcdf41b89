using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Sparkify.Pipeline.Hosting;
using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests.StarLoad;

/// <summary>
/// A batch's star load is about its own files: a batch that cannot be loaded fails alone (its rows nowhere in the star
/// schema until a replay), a later batch completes with exactly its plays, the worker goes on staging, and a lock wait
/// is not taken for an outage.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class StarLoadScopeTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    private const long Nov5 = 1541376000000;

    /// <summary>A NextSong event of a user's own session (the session id is the user id), an item a second apart.</summary>
    private static string Play(long userId, int item, long day = 0, string level = "free") =>
        $$"""{"artist":"Band","auth":"Logged In","firstName":"U{{userId}}","gender":"F","itemInSession":{{item}},"lastName":"L","length":200.5,"level":"{{level}}","location":"X","method":"PUT","page":"NextSong","registration":1540919166796.0,"sessionId":{{userId}},"song":"Tune","status":200,"ts":{{(Nov5 + day * 86_400_000 + item * 1000L).ToString(CultureInfo.InvariantCulture)}},"userAgent":"UA","userId":"{{userId}}"}""";

    private static string Plays(long userId, int count, long day = 0) =>
        string.Join("\n", Enumerable.Range(0, count).Select(i => Play(userId, i, day)));


    [Fact]
    public async Task A_batch_too_big_for_the_star_load_timeout_fails_alone_and_a_later_batch_completes_with_exactly_its_plays()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, extra: new Dictionary<string, string?>
        {
            ["Sparkify:Transform:StarLoadTimeoutSeconds"] = "1",
            ["Sparkify:Transform:StarLoadDeadlineSeconds"] = "30",
            ["Sparkify:Retry:FirstDelaySeconds"] = "1",
        });
        // Batch A is "too big": inserting a play of user 666 takes 2 s, so no star load holding A's files finishes within
        // the 1 s statement timeout — whatever else it holds.
        await harness.ScalarAsync<object?>(
            """
            CREATE FUNCTION slow_play() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(2); RETURN NEW; END $$;
            CREATE TRIGGER slow_play BEFORE INSERT ON songplays FOR EACH ROW WHEN (NEW.user_id = 666) EXECUTE FUNCTION slow_play()
            """);
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", Plays(666, 2) + "\n" + Plays(7, 3));
        await harness.StartTransformAsync();
        var batchA = await harness.ScanAsync();
        await harness.WaitUntilAsync(async () => await harness.ScalarAsync<int>("SELECT star_load_attempts FROM batches WHERE batch_id = $1", batchA) >= 1,
            "batch A's first star load failed");

        await harness.UploadAsync("log_data/2018/11/2018-11-06-events.json", Plays(8, 4, day: 1));
        var batchB = await harness.ScanAsync();

        Assert.Equal("completed", await harness.WaitForBatchAsync(batchB, TimeSpan.FromSeconds(90)));
        Assert.Equal("failed", await harness.WaitForBatchAsync(batchA, TimeSpan.FromSeconds(90)));
        // B: exactly its plays, its user, its times, its checks passed.
        Assert.Equal(4L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.Equal(8L, await harness.ScalarAsync<long>("SELECT DISTINCT user_id FROM songplays"));
        Assert.Equal(8L, await harness.ScalarAsync<long>("SELECT user_id FROM users"));
        Assert.Equal(4L, await harness.ScalarAsync<long>("SELECT count(*) FROM time"));
        Assert.Equal(4L, await harness.ScalarAsync<long>("SELECT count(*) FROM quality_check_results WHERE batch_id = $1 AND passed", batchB));
        // A: failed with the reason, and none of its rows anywhere in the star schema or left in staging.
        Assert.Contains("the star load failed 3 times", await harness.ScalarAsync<string>("SELECT error FROM batches WHERE batch_id = $1", batchA));
        Assert.Contains("statement timeout", await harness.ScalarAsync<string>("SELECT error FROM batches WHERE batch_id = $1", batchA));
        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM quality_check_results WHERE batch_id = $1", batchA));
        Assert.Equal(["failed"], (await RowsAsync(harness, "SELECT DISTINCT status FROM load_files WHERE batch_id = $1", batchA)));
        Assert.Equal(["failed"], (await RowsAsync(harness, "SELECT DISTINCT state FROM batch_files WHERE batch_id = $1", batchA)));
        Assert.Equal(0L, await harness.ScalarAsync<long>(
            "SELECT count(*) FROM staging_events e JOIN load_files f USING (file_id) WHERE f.batch_id = $1", batchA));

        // A replay (a backfill that retries failed versions) loads A's file once the cause is gone.
        await harness.ScalarAsync<object?>("DROP TRIGGER slow_play ON songplays");
        var replay = await harness.ScanAsync(retryFailed: true);
        Assert.Equal("completed", await harness.WaitForBatchAsync(replay, TimeSpan.FromSeconds(90)));
        Assert.Equal(9L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM users"));
    }

    [Fact]
    public async Task Star_loads_that_keep_failing_never_stop_the_worker_from_staging_and_loading_the_next_batches()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, extra: new Dictionary<string, string?>
        {
            ["Sparkify:Transform:MaxStarLoadAttempts"] = "1",
        });
        await harness.ScalarAsync<object?>(
            """
            CREATE FUNCTION no_plays() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no plays today'; END $$;
            CREATE TRIGGER no_plays BEFORE INSERT ON songplays FOR EACH ROW EXECUTE FUNCTION no_plays()
            """);
        var transform = await harness.StartTransformAsync();
        // More failing batches than the receive loop's failures in a row before it gives up.
        for (var day = 0; day < 7; day++)
        {
            await harness.UploadAsync($"log_data/2018/11/2018-11-{5 + day:00}-events.json", Plays(10 + day, 2, day));
            Assert.Equal("failed", await harness.WaitForBatchAsync(await harness.ScanAsync(), TimeSpan.FromSeconds(60)));
        }

        await harness.ScalarAsync<object?>("DROP TRIGGER no_plays ON songplays");
        await harness.UploadAsync("log_data/2018/11/2018-11-20-events.json", Plays(99, 3, day: 15));
        Assert.Equal("completed", await harness.WaitForBatchAsync(await harness.ScanAsync(), TimeSpan.FromSeconds(60)));

        Assert.Equal(WorkerExitCodes.Success, transform.Services.GetRequiredService<WorkerExit>().Code);
        Assert.False(transform.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    [Fact]
    public async Task A_lock_wait_while_staging_is_retried_a_few_times_then_counted_against_the_file_never_waited_out_as_an_outage()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, maxReceives: 2, extra: new Dictionary<string, string?>
        {
            ["Sparkify:Transform:StagingLockTimeoutSeconds"] = "1",
        });
        const string key = "log_data/2018/11/2018-11-05-events.json";
        await harness.UploadAsync(key, Plays(7, 2));
        await harness.StartTransformAsync();
        Assert.Equal("completed", await harness.WaitForBatchAsync(await harness.ScanAsync()));

        // Another transaction holds the loaded version's record, as a loader of another version of the key would.
        await using var blocker = await harness.DataSource.OpenConnectionAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT 1 FROM load_files WHERE status = 'loaded' FOR UPDATE", blocker, transaction))
        {
            await hold.ExecuteNonQueryAsync();
        }
        await harness.UploadAsync(key, Plays(7, 3));
        var corrected = await harness.ScanAsync();

        Assert.Equal("completed_with_failures", await harness.WaitForBatchAsync(corrected, TimeSpan.FromSeconds(90)));
        Assert.Contains("lock timeout", await harness.ScalarAsync<string>("SELECT failure_reason FROM batch_files WHERE batch_id = $1", corrected));
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task A_transform_whose_star_load_deadline_is_not_below_the_take_over_age_refuses_to_start()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);

        var code = await harness.RunWorkerAsync(PipelineHarness.AddTransform, new Dictionary<string, string?>
        {
            ["Sparkify:Transform:StarLoadDeadlineSeconds"] = "900",
            ["Sparkify:Transform:StarLoadTakeoverSeconds"] = "900",
        }).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(WorkerExitCodes.Misconfigured, code);
    }

    private static async Task<List<string>> RowsAsync(PipelineHarness harness, string sql, long batchId)
    {
        await using var command = harness.DataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = batchId });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }
}
