using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Sparkify.Ingest;
using Sparkify.Testing;
using Xunit.Abstractions;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>
/// The memory a scan holds does not grow with the key count: the live managed heap, sampled at every ListObjectsV2 call
/// of a first scan (every key new: recorded in PostgreSQL, published to the local SQS), is no greater at 10 times the
/// keys. Prints the figures (live heap, allocations, LIST calls); SPARKIFY_LISTING_KEYS="10000,100000" measures others.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class ListingMemoryTests(PostgresFixture postgres, FauxqsFixture fauxqs, ITestOutputHelper output)
{
    private sealed record Figures(int Keys, int ListCalls, long PeakLiveBytes, long AllocatedBytes, TimeSpan Elapsed);

    private async Task<Figures> MeasureAsync(int keys)
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        var (s3, listing) = SyntheticListing.Wrap(harness.S3, keys);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peak = 0L;
        var (sampling, _) = S3ListingRecorder.Wrap(s3, _ =>
        {
            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            return Task.CompletedTask;
        });
        var scan = harness.BuildIngest(replace: services => services.AddSingleton(sampling)).Services.GetRequiredService<IngestScan>();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();

        var batchId = await scan.ScanOnceAsync(["log_data/"], CancellationToken.None);

        var figures = new Figures(keys, listing.Calls, peak, GC.GetTotalAllocatedBytes(precise: true) - allocated, clock.Elapsed);
        Assert.Equal(keys, await harness.ScalarAsync<int>("SELECT expected_files FROM batches WHERE batch_id = $1", batchId!.Value));
        output.WriteLine(
            $"{keys:N0} keys: {figures.ListCalls:N0} LIST calls, peak live heap {figures.PeakLiveBytes / 1024.0 / 1024:F1} MiB above the start, " +
            $"{figures.AllocatedBytes / 1024.0 / 1024:F0} MiB allocated ({figures.AllocatedBytes / keys:N0} B/key), {figures.Elapsed.TotalSeconds:F1} s");
        return figures;
    }

    [Fact]
    public async Task The_live_heap_of_a_scan_does_not_grow_with_the_key_count()
    {
        var sizes = (Environment.GetEnvironmentVariable("SPARKIFY_LISTING_KEYS") ?? "2000,20000")
            .Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        await MeasureAsync(sizes[0]); // warm-up: JIT, pools, clients
        var small = await MeasureAsync(sizes[0]);
        var large = await MeasureAsync(sizes[^1]);

        Assert.Equal((sizes[^1] + 999) / 1000, large.ListCalls);
        // Holding the listing would add the keys' records (hundreds of bytes each): megabytes here.
        Assert.True(large.PeakLiveBytes < small.PeakLiveBytes + 2 * 1024 * 1024,
            $"peak live heap {large.PeakLiveBytes:N0} B at {large.Keys:N0} keys, {small.PeakLiveBytes:N0} B at {small.Keys:N0}");
    }
}
