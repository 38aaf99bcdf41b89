using Sparkify.Warehouse.Star;

namespace Sparkify.Warehouse.Tests;

public sealed class StarChangesTests
{
    private static readonly StarLoadResult Result = new(3, 1, false,
        Songplays: new TableChanges(1_234, 2, 3), Users: new TableChanges(0, 1, 0), Songs: TableChanges.None,
        Artists: TableChanges.None, Time: new TableChanges(5, 0, 1));

    [Fact]
    public void Describe_names_each_changed_table_with_what_changed()
    {
        Assert.Equal("songplays 1,234 inserted, 2 updated, 3 deleted; users 1 updated; time 5 inserted, 1 deleted", StarChanges.Describe(Result));
        Assert.Equal("no star rows changed", StarChanges.Describe(StarLoadResult.Nothing));
    }

    [Fact]
    public void The_json_kept_on_the_batch_reads_back_to_the_same_line()
    {
        var json = StarChanges.ToJson(Result);

        Assert.Equal(StarChanges.Describe(Result), StarChanges.Describe(StarChanges.FromJson(json)));
        // As jsonb hands it back: keys in its own order.
        Assert.Equal(StarChanges.Describe(Result), StarChanges.Describe(StarChanges.FromJson(
            """{"time": [5, 0, 1], "songs": [0, 0, 0], "users": [0, 1, 0], "artists": [0, 0, 0], "songplays": [1234, 2, 3]}""")));
        Assert.Equal(5, StarChanges.FromJson(json).Count);
        Assert.Empty(StarChanges.FromJson(null));
        Assert.Empty(StarChanges.FromJson("{not json"));
    }
}
