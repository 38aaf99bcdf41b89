using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse.Tests;

public sealed class SourceVersionTests
{
    private static readonly DateTimeOffset Second = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Of_two_versions_seen_by_the_pipeline_within_one_second_the_later_batch_is_newer_whatever_the_ETags()
    {
        var first = new SourceVersion(SeenInBatch: 7, Second, "ffff");
        var second = new SourceVersion(SeenInBatch: 8, Second, "0000");

        Assert.True(second.IsNewerThan(first));
        Assert.False(first.IsNewerThan(second));
    }

    [Fact]
    public void The_batch_order_decides_also_over_a_modification_time_that_says_otherwise()
    {
        // S3 dates a multipart upload by its start: the upload that completes last can carry the earlier time.
        Assert.True(new SourceVersion(8, Second, "aaaa").IsNewerThan(new SourceVersion(7, Second.AddSeconds(5), "bbbb")));
    }

    [Fact]
    public void Without_a_batch_on_both_sides_the_modification_time_then_the_ETag_decides()
    {
        Assert.True(new SourceVersion(null, Second.AddTicks(1), "0000").IsNewerThan(new SourceVersion(null, Second, "ffff")));
        Assert.True(new SourceVersion(8, Second, "bbbb").IsNewerThan(new SourceVersion(null, Second, "aaaa")));
        Assert.False(new SourceVersion(8, Second, "aaaa").IsNewerThan(new SourceVersion(null, Second, "bbbb")));
        Assert.True(new SourceVersion(3, null, "bbbb").IsNewerThan(new SourceVersion(3, null, "aaaa")));
    }
}
