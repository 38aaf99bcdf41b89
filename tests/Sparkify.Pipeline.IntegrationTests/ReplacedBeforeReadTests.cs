using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>
/// A file replaced by a newer upload after it was recorded and published, before Transform read it (a late event for an
/// older version, or an upload between the listing and the load): its version is gone, which is no fault of the file.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class ReplacedBeforeReadTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    private const string Key = "log_data/2018/11/2018-11-05-events.json";

    [Fact]
    public async Task A_version_replaced_before_it_was_read_is_recorded_superseded_at_once_and_its_batch_completes_without_failures()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync(Key, TestEvents.Plays(3, firstItem: 10));
        var olderBatch = await harness.ScanAsync();
        await harness.UploadAsync(Key, TestEvents.Plays(5, firstItem: 20));

        await harness.StartTransformAsync();
        Assert.Equal("completed", await harness.WaitForBatchAsync(olderBatch, TimeSpan.FromSeconds(60)));
        Assert.Equal("superseded", await harness.ScalarAsync<string>("SELECT status FROM load_files WHERE batch_id = $1", olderBatch));
        Assert.Contains("replaced", await harness.ScalarAsync<string>("SELECT failure_reason FROM load_files WHERE batch_id = $1", olderBatch));
        // Settled on its first receive: not retried, not dead-lettered.
        Assert.Equal(0, await harness.ApproximateMessagesAsync(harness.DeadLetterQueueName));
        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_errors"));

        // The newer version is the next scan's (or its own event's) to load.
        var newerBatch = await harness.ScanAsync();
        Assert.Equal("completed", await harness.WaitForBatchAsync(newerBatch, TimeSpan.FromSeconds(60)));
        Assert.Equal(5L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    [Fact]
    public async Task The_loaded_version_stays_loaded_when_the_version_meant_to_replace_it_was_itself_replaced_before_it_was_read()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync(Key, TestEvents.Plays(3, firstItem: 10));
        var loadedBatch = await harness.ScanAsync();
        var transform = await harness.StartTransformAsync();
        Assert.Equal("completed", await harness.WaitForBatchAsync(loadedBatch, TimeSpan.FromSeconds(60)));
        await transform.StopAsync();

        // A newer upload is recorded, and replaced again before any Transform reads it.
        await harness.UploadAsync(Key, TestEvents.Plays(4, firstItem: 20));
        var replacedBatch = await harness.ScanAsync();
        await harness.UploadAsync(Key, TestEvents.Plays(5, firstItem: 30));
        await harness.StartTransformAsync();

        Assert.Equal("completed", await harness.WaitForBatchAsync(replacedBatch, TimeSpan.FromSeconds(60)));
        Assert.Equal(loadedBatch, await harness.ScalarAsync<long>("SELECT batch_id FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

}
