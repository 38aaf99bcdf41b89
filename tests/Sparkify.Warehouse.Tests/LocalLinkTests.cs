using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse.Tests;

/// <summary>
/// A link is followed only inside its own data folder, so a file's fate depends on the file alone: the same listing
/// whichever folder above it is loaded.
/// </summary>
public sealed class LocalLinkTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sparkify-links-").FullName;

    private string At(params string[] parts) => Path.Combine([_root, .. parts]);

    private string Write(params string[] parts)
    {
        var path = At(parts);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "{}");
        return path;
    }

    [Fact]
    public async Task A_link_that_leaves_its_data_folder_is_refused_and_reported_under_every_root_and_links_inside_are_followed()
    {
        // The data folder: song_data/ with a real song, an alias of it, and a song that links outside song_data/ —
        // to a file elsewhere in the data's folder, and to a song of the other data folder.
        var song = Write("data", "song_data", "A", "TRA.json");
        Write("data", "log_data", "2018", "11", "events.json");
        Write("data", "elsewhere", "TROUT.json");
        File.CreateSymbolicLink(At("data", "song_data", "A", "alias.json"), song);
        Directory.CreateDirectory(At("data", "song_data", "X"));
        File.CreateSymbolicLink(At("data", "song_data", "X", "TROUT.json"), At("data", "elsewhere", "TROUT.json"));
        File.CreateSymbolicLink(At("data", "song_data", "X", "TRLOG.json"), At("data", "log_data", "2018", "11", "events.json"));
        Directory.CreateSymbolicLink(At("data", "song_data", "Y"), At("data", "elsewhere"));
        // A second root over the same data folders: song_data/ and log_data/ linked whole (followed: that is where the data lives).
        Directory.CreateDirectory(At("view"));
        Directory.CreateSymbolicLink(At("view", "song_data"), At("data", "song_data"));
        Directory.CreateSymbolicLink(At("view", "log_data"), At("data", "log_data"));

        var listings = new[] { await LocalSourceFiles.ListAsync(At("data")), await LocalSourceFiles.ListAsync(At("view")) };

        foreach (var listing in listings)
        {
            Assert.Equal([(song, FileKind.Song), (At("data", "log_data", "2018", "11", "events.json"), FileKind.Event)],
                listing.Files.Select(f => (f.Key, f.Kind)));
            var refused = listing.Skipped.Where(s => s.Reason.StartsWith("a symbolic link that leaves song_data/", StringComparison.Ordinal))
                .Select(s => Path.GetFileName(s.Path)).Order(StringComparer.Ordinal);
            Assert.Equal(["TRLOG.json", "TROUT.json", "Y"], refused);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
