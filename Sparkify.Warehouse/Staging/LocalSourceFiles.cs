using System.Security.Cryptography;

namespace Sparkify.Warehouse.Staging;

/// <summary>The <c>song_data/**.json</c> and <c>log_data/**.json</c> files below a local folder, songs first.</summary>
public static class LocalSourceFiles
{
    public static async Task<IReadOnlyList<SourceFile>> FindAsync(string folder, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The folder {root} does not exist.");
        }
        var folders = new[] { "song_data", "log_data" }.Select(name => Path.Combine(root, name)).Where(Directory.Exists).ToList();
        if (folders.Count == 0)
        {
            throw new DirectoryNotFoundException($"The folder {root} holds neither a song_data/ nor a log_data/ folder.");
        }
        // The key is the file's absolute path: the same relative layout in two folders is two sets of files.
        var paths = folders
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories))
            .Select(path => (Path: path, Key: path.Replace(Path.DirectorySeparatorChar, '/')))
            .Select(file => (file.Path, file.Key, Kind: SourceFile.KindOfKey(Path.GetRelativePath(root, file.Path))!.Value))
            .OrderBy(file => file.Kind)
            .ThenBy(file => file.Key, StringComparer.Ordinal)
            .ToList();

        var files = new SourceFile[paths.Count];
        await Parallel.ForAsync(0, paths.Count, cancellationToken, async (i, token) =>
        {
            var (path, key, kind) = paths[i];
            await using var stream = OpenSequential(path);
            var etag = Convert.ToHexStringLower(await MD5.HashDataAsync(stream, token));
            files[i] = new SourceFile(key, etag, stream.Length, kind, _ => Task.FromResult<Stream>(OpenSequential(path)));
        });
        return files;
    }

    // The framers read in large chunks themselves, so the FileStream needs no buffer of its own.
    private static FileStream OpenSequential(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
}
