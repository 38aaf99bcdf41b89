using System.Security.Cryptography;

namespace Sparkify.Warehouse.Staging;

/// <summary>An entry of a folder that could not be taken as a source file, and why.</summary>
public sealed record SkippedEntry(string Path, string Reason);

/// <summary>What a folder holds: the source files to stage, and the entries that had to be skipped.</summary>
public sealed record SourceListing(IReadOnlyList<SourceFile> Files, IReadOnlyList<SkippedEntry> Skipped);

/// <summary>
/// The <c>song_data/**.json</c> and <c>log_data/**.json</c> files (also <c>.json.gz</c>) below a local folder, songs
/// first. A file is keyed by its canonical path (every link resolved), so whatever links point at it — an alias, a
/// link to a folder, a link loop — it is listed once. A link is followed only when its target lies inside the same data
/// folder (<c>song_data/</c> or <c>log_data/</c>, itself possibly a link) as the link: a link that leaves it is
/// refused, so what is loaded, and as what kind, depends on the file alone, never on which folder above it is loaded.
/// Entries that cannot be read (a dangling link, a link loop, a link that leaves its data folder, a name that is not
/// valid UTF-8, no permission) are skipped and reported, never thrown.
/// </summary>
public static class LocalSourceFiles
{
    public static async Task<IReadOnlyList<SourceFile>> FindAsync(string folder, CancellationToken cancellationToken = default) =>
        (await ListAsync(folder, cancellationToken)).Files;

    public static async Task<SourceListing> ListAsync(string folder, CancellationToken cancellationToken = default)
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

        var walk = new Walk();
        foreach (var top in folders)
        {
            walk.DataFolder(top);
        }
        var paths = walk.Found
            .OrderBy(file => file.Kind)
            .ThenBy(file => file.Key, StringComparer.Ordinal)
            .ToList();

        var files = new SourceFile?[paths.Count];
        var unreadable = new System.Collections.Concurrent.ConcurrentBag<SkippedEntry>();
        await Parallel.ForAsync(0, paths.Count, cancellationToken, async (i, token) =>
        {
            var (key, kind) = paths[i];
            try
            {
                await using var stream = OpenSequential(key);
                var etag = Convert.ToHexStringLower(await MD5.HashDataAsync(stream, token));
                files[i] = new SourceFile(key, etag, stream.Length, kind, _ => Task.FromResult<Stream>(OpenSequential(key)))
                {
                    LastModified = new DateTimeOffset(File.GetLastWriteTimeUtc(key), TimeSpan.Zero),
                };
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                unreadable.Add(new SkippedEntry(key, "cannot be read: " + exception.Message));
            }
        });
        var skipped = walk.Skipped.Concat(unreadable).OrderBy(s => s.Path, StringComparer.Ordinal).ToList();
        return new SourceListing([.. files.OfType<SourceFile>()], skipped);
    }

    /// <summary>
    /// A depth-first walk of one data folder at a time that follows links inside it, visits each real folder once and
    /// keeps each real file once.
    /// </summary>
    private sealed class Walk
    {
        private readonly HashSet<string> _folders = new(StringComparer.Ordinal);
        private readonly HashSet<string> _files = new(StringComparer.Ordinal);
        private string _dataFolder = "";
        private string _dataFolderName = "";
        private FileKind _kind;

        public List<(string Key, FileKind Kind)> Found { get; } = [];
        public List<SkippedEntry> Skipped { get; } = [];

        /// <summary>Walks <c>song_data/</c> or <c>log_data/</c>: every file kept is below it (canonically), and of its kind.</summary>
        public void DataFolder(string path)
        {
            _dataFolderName = Path.GetFileName(path);
            _kind = SourceFile.KindOfKey(_dataFolderName)!.Value;
            _dataFolder = CanonicalPath(path);
            Folder(path);
        }

        private void Folder(string path)
        {
            if (!_folders.Add(CanonicalPath(path)))
            {
                return;
            }
            IEnumerable<string> entries;
            try
            {
                entries = [.. Directory.EnumerateFileSystemEntries(path)];
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                Skipped.Add(new SkippedEntry(path, "the folder cannot be listed: " + exception.Message));
                return;
            }
            foreach (var entry in entries.Order(StringComparer.Ordinal))
            {
                Entry(entry);
            }
        }

        private void Entry(string path)
        {
            var info = new FileInfo(path);
            if ((int)info.Attributes == -1)
            {
                Skipped.Add(new SkippedEntry(path, "cannot be opened by name (the name is not valid UTF-8, or the entry vanished)"));
                return;
            }
            FileSystemInfo target = info;
            if (info.LinkTarget is not null)
            {
                try
                {
                    target = info.ResolveLinkTarget(returnFinalTarget: true)!;
                }
                catch (IOException exception)
                {
                    Skipped.Add(new SkippedEntry(path, "a symbolic link that cannot be followed: " + exception.Message));
                    return;
                }
                target.Refresh();
                var isFolder = Directory.Exists(target.FullName);
                if (!target.Exists && !isFolder)
                {
                    if (SourceFile.IsSourceName(path))
                    {
                        Skipped.Add(new SkippedEntry(path, $"a dangling symbolic link (to {info.LinkTarget})"));
                    }
                    return;
                }
                if (!IsInside(CanonicalPath(path), _dataFolder))
                {
                    if (isFolder || SourceFile.IsSourceName(path))
                    {
                        Skipped.Add(new SkippedEntry(path,
                            $"a symbolic link that leaves {_dataFolderName}/ (to {info.LinkTarget}): not followed; copy the file in, or link the whole {_dataFolderName}/ folder"));
                    }
                    return;
                }
            }
            if (Directory.Exists(target.FullName))
            {
                Folder(path);
                return;
            }
            if (!SourceFile.IsSourceName(path) && !SourceFile.IsSourceName(target.FullName))
            {
                return;
            }
            var real = CanonicalPath(path);
            if (_files.Add(real))
            {
                Found.Add((real.Replace(Path.DirectorySeparatorChar, '/'), _kind));
            }
        }

        /// <summary>The folder itself, or anything below it.</summary>
        private static bool IsInside(string path, string folder) =>
            path.StartsWith(folder, StringComparison.Ordinal) && (path.Length == folder.Length || path[folder.Length] == Path.DirectorySeparatorChar);
    }

    /// <summary>The absolute path with every symbolic link resolved, so one file or folder has one spelling.</summary>
    internal static string CanonicalPath(string path)
    {
        var resolved = Path.GetPathRoot(Path.GetFullPath(path))!;
        foreach (var part in Path.GetFullPath(path)[resolved.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            var target = new FileInfo(next).ResolveLinkTarget(returnFinalTarget: true);
            resolved = target is null ? next : Path.GetFullPath(target.FullName);
        }
        return resolved;
    }

    // The framers read in large chunks themselves, so the FileStream needs no buffer of its own.
    private static FileStream OpenSequential(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
}
