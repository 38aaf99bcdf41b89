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

public sealed class LocalSourceFilesTests
{
    [Fact]
    public async Task A_folder_reached_through_a_link_or_dotdot_gives_the_same_keys()
    {
        var root = Directory.CreateTempSubdirectory("sparkify-keys-").FullName;
        try
        {
            var real = Directory.CreateDirectory(Path.Combine(root, "real", "data")).FullName;
            Directory.CreateDirectory(Path.Combine(real, "song_data", "A"));
            await File.WriteAllTextAsync(Path.Combine(real, "song_data", "A", "TRA.json"), "{}");
            Directory.CreateSymbolicLink(Path.Combine(root, "link"), Path.Combine(root, "real"));

            var direct = await LocalSourceFiles.FindAsync(real);
            var viaLink = await LocalSourceFiles.FindAsync(Path.Combine(root, "link", "..", "link", "data"));

            Assert.Equal(direct.Select(f => f.Key), viaLink.Select(f => f.Key));
            Assert.Equal(Path.Combine(real, "song_data", "A", "TRA.json"), Assert.Single(direct).Key);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
