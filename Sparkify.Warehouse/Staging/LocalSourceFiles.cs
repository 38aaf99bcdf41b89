using System.Security.Cryptography;

namespace Sparkify.Warehouse.Staging;

/// <summary>The <c>song_data/**.json</c> and <c>log_data/**.json</c> files below a local folder, songs first.</summary>
public static class LocalSourceFiles
{
    public static async Task<IReadOnlyList<SourceFile>> FindAsync(string folder, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The folder {Path.GetFullPath(folder)} does not exist.");
        }
        var root = CanonicalPath(folder);
        var folders = new[] { "song_data", "log_data" }.Select(name => Path.Combine(root, name)).Where(Directory.Exists).ToList();
        if (folders.Count == 0)
        {
            throw new DirectoryNotFoundException($"The folder {root} holds neither a song_data/ nor a log_data/ folder.");
        }
        // The key is the file's canonical absolute path: the same relative layout in two folders is two sets of
        // files, and one folder reached through a link or ".." is still one.
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

    /// <summary>The absolute path with every symbolic link resolved, so one folder has one spelling.</summary>
    internal static string CanonicalPath(string path)
    {
        var resolved = Path.GetPathRoot(Path.GetFullPath(path))!;
        foreach (var part in Path.GetFullPath(path)[resolved.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            var target = new DirectoryInfo(next).ResolveLinkTarget(returnFinalTarget: true);
            resolved = target is null ? next : Path.GetFullPath(target.FullName);
        }
        return resolved;
    }

    // The framers read in large chunks themselves, so the FileStream needs no buffer of its own.
    private static FileStream OpenSequential(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
}
