using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse.Tests;

public sealed class SourceFileTests
{
    [Theory]
    [InlineData("song_data/A/B/C/TRABC.json", FileKind.Song)]
    [InlineData("raw/sparkify/log_data/2018/11/2018-11-01-events.json", FileKind.Event)]
    [InlineData("other/x.json", null)]
    [InlineData("song_data_old/x.json", null)]
    public void Kind_comes_from_the_folder_in_the_key(string key, FileKind? kind)
    {
        Assert.Equal(kind, SourceFile.KindOfKey(key));
    }
}
