using Npgsql;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Parsing;

namespace Sparkify.Warehouse.Staging;

/// <summary>
/// Stages files into <c>staging_events</c>/<c>staging_songs</c>. Many files share one binary COPY and one
/// transaction, and each transaction also writes those files' <c>load_files</c> and <c>load_errors</c> rows, so
/// a file is either wholly staged and recorded or not at all. A file over the error limit is taken out of its
/// group (the group is retried without it) and recorded as failed, with its error rows.
/// </summary>
public sealed class StagingLoader(NpgsqlDataSource dataSource, LoadOptions options, PhaseTimes? times = null)
{
    private readonly PhaseTimes _times = times ?? new PhaseTimes();

    /// <summary>
    /// Runs inside each group's transaction, after its files are recorded and just before the commit, with the files
    /// the commit will stage: a caller's own bookkeeping then commits with them, atomically and without a commit of
    /// its own (every commit waits for the WAL to reach the disk).
    /// </summary>
    public GroupCommitHook? BeforeCommit { get; init; }

    public async Task<IReadOnlyList<FileLoadResult>> LoadAsync(
        long batchId, IReadOnlyList<SourceFile> files, IProgress<FileLoadResult>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options.Validate();
        var results = new List<FileLoadResult>(files.Count);
        var reporting = new Lock();
        void Report(FileLoadResult result)
        {
            lock (reporting)
            {
                results.Add(result);
                progress?.Report(result);
            }
        }

        var distinct = new List<SourceFile>(files.Count);
        var seen = new HashSet<(string, string)>();
        foreach (var file in files)
        {
            if (seen.Add((file.Key, file.ETag)))
            {
                distinct.Add(file);
            }
            else
            {
                Report(Skipped(file));
            }
        }

        HashSet<(string Key, string ETag)> loaded;
        using (_times.Measure(PhaseTimes.Bookkeeping))
        {
            loaded = await FindLoadedAsync(distinct, cancellationToken);
        }
        var toLoad = new List<SourceFile>(distinct.Count);
        foreach (var file in distinct)
        {
            if (loaded.Contains((file.Key, file.ETag)))
            {
                Report(Skipped(file));
            }
            else
            {
                toLoad.Add(file);
            }
        }

        // Groups in parallel: while one connection's server process takes a COPY in, this process parses the next
        // group's records, so both cores work.
        await Parallel.ForEachAsync(Group(toLoad), new ParallelOptions { MaxDegreeOfParallelism = options.ParallelGroups, CancellationToken = cancellationToken },
            async (group, token) => await LoadGroupAsync(batchId, group, Report, token));
        return results;
    }

    private IEnumerable<List<SourceFile>> Group(List<SourceFile> files)
    {
        var group = new List<SourceFile>();
        long groupBytes = 0;
        foreach (var file in files)
        {
            if (group.Count > 0 && (group[0].Kind != file.Kind || group.Count >= options.MaxFilesPerTransaction ||
                                    groupBytes + file.Size > options.MaxBytesPerTransaction))
            {
                yield return group;
                group = [];
                groupBytes = 0;
            }
            group.Add(file);
            groupBytes += file.Size;
        }
        if (group.Count > 0)
        {
            yield return group;
        }
    }

    private async Task LoadGroupAsync(long batchId, List<SourceFile> group, Action<FileLoadResult> report, CancellationToken cancellationToken)
    {
        var pending = new List<SourceFile>(group);
        for (var conflicts = 0; pending.Count > 0;)
        {
            var attempt = await TryLoadOnceAsync(batchId, pending, cancellationToken);
            if (attempt.Committed is { } committed)
            {
                committed.ForEach(report);
                return;
            }
            if (attempt.FailedFile is { } failed)
            {
                using var bookkeeping = _times.Measure(PhaseTimes.Bookkeeping);
                await LoadFileRecords.RecordFailureAsync(dataSource, batchId, failed.File, failed.Reason, failed.Errors, cancellationToken);
                report(new FileLoadResult(failed.File.Key, failed.File.ETag, failed.File.Size, failed.File.Kind,
                    FileOutcome.Failed, 0, failed.Errors.Count, failed.Reason));
                pending.Remove(failed.File);
                continue;
            }
            // Another loader committed a version of some of these keys meanwhile: the same version is skipped; for
            // another one the next attempt sees it, and keeps the newer.
            var nowLoaded = await FindLoadedAsync(pending, cancellationToken);
            foreach (var file in pending.Where(f => nowLoaded.Contains((f.Key, f.ETag))).ToList())
            {
                report(Skipped(file));
                pending.Remove(file);
            }
            if (++conflicts > MaxConflictsPerGroup)
            {
                throw new InvalidOperationException($"staging {pending.Count} file(s) kept conflicting with other loaders ({conflicts} times)");
            }
        }
    }

    /// <summary>Each conflict means another loader committed; this many in a row is not a race but a fault.</summary>
    private const int MaxConflictsPerGroup = 20;

    public delegate Task GroupCommitHook(WarehouseSession session, IReadOnlyList<FileLoadResult> loaded, CancellationToken cancellationToken);

    private sealed record FailedFile(SourceFile File, string Reason, List<StagedLoadError> Errors);

    private sealed record Attempt(List<FileLoadResult>? Committed, FailedFile? FailedFile);

    private async Task<Attempt> TryLoadOnceAsync(long batchId, List<SourceFile> files, CancellationToken cancellationToken)
    {
        var bookkeeping = _times.Measure(PhaseTimes.Bookkeeping);
        // Short bookkeeping statements around the COPY: the data source's command timeout stands.
        await using var session = await WarehouseSession.BeginAsync(dataSource, cancellationToken, commandTimeoutSeconds: null);
        // The value is a number made here, not input (SET takes no parameters).
        await session.ExecuteAsync($"SET LOCAL lock_timeout = {(long)options.LockTimeout.TotalMilliseconds}");
        var (toStage, stale, older) = await LoadFileRecords.SortVersionsAsync(session, files);
        var fileIds = await LoadFileRecords.AllocateFileIdsAsync(session, toStage.Count);
        bookkeeping.Dispose();

        var stager = new FileStager(options, _times);
        var gone = new List<SourceFile>();
        var staged = new List<StagedFile>(toStage.Count);
        var errors = new List<StagedLoadError>();
        if (toStage.Count > 0)
        {
            var table = IStagingTable.For(toStage[0].Kind);
            await using var copy = await BinaryCopyWriter.BeginAsync(session.Connection, table.CopyCommand, cancellationToken);
            for (var i = 0; i < toStage.Count; i++)
            {
                var file = toStage[i];
                long rows;
                List<StagedLoadError> fileErrors;
                string? failure;
                try
                {
                    (rows, fileErrors, failure) = await stager.StageFileAsync(copy, table, file, fileIds[i], cancellationToken);
                }
                catch (SourceVersionGoneException)
                {
                    // Nothing of it was read, so the COPY holds none of its rows: the group goes on without it.
                    gone.Add(file);
                    continue;
                }
                if (failure is not null)
                {
                    // Leaving without CompleteAsync cancels the COPY; disposing the transaction rolls back the group.
                    return new Attempt(null, new FailedFile(file, failure, fileErrors));
                }
                staged.Add(new StagedFile(file, fileIds[i], rows, fileErrors.Count));
                errors.AddRange(fileErrors);
            }
            using (_times.Measure(PhaseTimes.Copy))
            {
                await copy.CompleteAsync(cancellationToken);
            }
        }

        using var recording = _times.Measure(PhaseTimes.Bookkeeping);
        try
        {
            // A loaded version is superseded only by a file that was staged (not by one whose version was gone).
            await LoadFileRecords.SupersedeAsync(session, [.. staged.Where(s => older.ContainsKey(s.File)).Select(s => older[s.File])]);
            await LoadFileRecords.InsertLoadFilesAsync(session, batchId, staged);
            await LoadFileRecords.InsertSupersededAsync(session, batchId, stale, LoadFileRecords.OlderThanLoaded);
            await LoadFileRecords.InsertSupersededAsync(session, batchId, gone, SourceVersionGoneException.Reason);
        }
        catch (PostgresException exception) when (exception.ConstraintName == "load_files_one_loaded_version"
                                                   || exception.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
        {
            // Another loader of the same keys committed first, or the two waited on each other's new keys (a
            // deadlock): this attempt rolls back and the next one sees what the other committed.
            return new Attempt(null, null);
        }
        await LoadFileRecords.DeletePreviousErrorsAsync(session, [.. staged.Select(s => s.File)]);
        await LoadFileRecords.InsertLoadErrorsAsync(session, batchId, errors, cancellationToken);
        List<FileLoadResult> done =
        [
            .. staged.Select(s => new FileLoadResult(s.File.Key, s.File.ETag, s.File.Size, s.File.Kind, FileOutcome.Loaded, s.Rows, s.Rejected, null)),
            .. stale.Select(f => new FileLoadResult(f.Key, f.ETag, f.Size, f.Kind, FileOutcome.Superseded, 0, 0, null)),
            .. gone.Select(f => new FileLoadResult(f.Key, f.ETag, f.Size, f.Kind, FileOutcome.Superseded, 0, 0, SourceVersionGoneException.Reason)),
        ];
        if (BeforeCommit is { } hook)
        {
            await hook(session, done, cancellationToken);
        }
        await session.CommitAsync();
        return new Attempt(done, null);
    }

    private Task<HashSet<(string Key, string ETag)>> FindLoadedAsync(List<SourceFile> files, CancellationToken cancellationToken) =>
        LoadedVersions.FindAsync(dataSource, [.. files.Select(f => (f.Key, f.ETag))], cancellationToken);

    private static FileLoadResult Skipped(SourceFile file) =>
        new(file.Key, file.ETag, file.Size, file.Kind, FileOutcome.AlreadyLoaded, 0, 0, null);
}
