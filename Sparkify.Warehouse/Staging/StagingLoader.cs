using Npgsql;
using NpgsqlTypes;
using System.Diagnostics;
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
        void Report(FileLoadResult result)
        {
            results.Add(result);
            progress?.Report(result);
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

        foreach (var group in Group(toLoad))
        {
            await LoadGroupAsync(batchId, group, Report, cancellationToken);
        }
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
                await RecordFailureAsync(batchId, failed.File, failed.Reason, failed.Errors, cancellationToken);
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

    public delegate Task GroupCommitHook(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<FileLoadResult> loaded, CancellationToken cancellationToken);

    private sealed record FailedFile(SourceFile File, string Reason, List<StagedLoadError> Errors);

    private sealed record Attempt(List<FileLoadResult>? Committed, FailedFile? FailedFile);

    private sealed record StagedFile(SourceFile File, long FileId, long Rows, long Rejected);

    private async Task<Attempt> TryLoadOnceAsync(long batchId, List<SourceFile> files, CancellationToken cancellationToken)
    {
        var bookkeeping = _times.Measure(PhaseTimes.Bookkeeping);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (toStage, stale, older) = await SortVersionsAsync(connection, transaction, files, cancellationToken);
        var fileIds = await AllocateFileIdsAsync(connection, transaction, toStage.Count, cancellationToken);
        await SupersedeAsync(connection, transaction, older, cancellationToken);
        bookkeeping.Dispose();

        var staged = new List<StagedFile>(toStage.Count);
        var errors = new List<StagedLoadError>();
        if (toStage.Count > 0)
        {
            var table = IStagingTable.For(toStage[0].Kind);
            using var importer = await connection.BeginBinaryImportAsync(table.CopyCommand, cancellationToken);
            for (var i = 0; i < toStage.Count; i++)
            {
                var file = toStage[i];
                var (rows, fileErrors, failure) = await StageFileAsync(importer, table, file, fileIds[i], cancellationToken);
                if (failure is not null)
                {
                    // Leaving without Complete() cancels the COPY; disposing the transaction rolls back the group.
                    return new Attempt(null, new FailedFile(file, failure, fileErrors));
                }
                staged.Add(new StagedFile(file, fileIds[i], rows, fileErrors.Count));
                errors.AddRange(fileErrors);
            }
            using (_times.Measure(PhaseTimes.Copy))
            {
                await importer.CompleteAsync(cancellationToken);
            }
        }

        using var recording = _times.Measure(PhaseTimes.Bookkeeping);
        try
        {
            await InsertLoadFilesAsync(connection, transaction, batchId, staged, cancellationToken);
            await InsertSupersededAsync(connection, transaction, batchId, stale, cancellationToken);
        }
        catch (PostgresException exception) when (exception.ConstraintName == "load_files_one_loaded_version")
        {
            return new Attempt(null, null);
        }
        await DeletePreviousErrorsAsync(connection, transaction, [.. staged.Select(s => s.File)], cancellationToken);
        await InsertLoadErrorsAsync(connection, transaction, batchId, errors, cancellationToken);
        List<FileLoadResult> done =
        [
            .. staged.Select(s => new FileLoadResult(s.File.Key, s.File.ETag, s.File.Size, s.File.Kind, FileOutcome.Loaded, s.Rows, s.Rejected, null)),
            .. stale.Select(f => new FileLoadResult(f.Key, f.ETag, f.Size, f.Kind, FileOutcome.Superseded, 0, 0, null)),
        ];
        if (BeforeCommit is { } hook)
        {
            await hook(connection, transaction, done, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new Attempt(done, null);
    }

    /// <summary>
    /// One loaded version per key, the newest (<see cref="SourceFile.IsNewer"/>): a file older than the loaded version
    /// of its key, or than another version in the same group, is stale (recorded as superseded, not staged); a loaded
    /// version older than the file is superseded by it. The loaded versions are locked, so that two loaders of two
    /// versions of one key decide one after the other; a version committed meanwhile surfaces as a unique violation,
    /// and the next attempt decides again.
    /// </summary>
    private static async Task<(List<SourceFile> ToStage, List<SourceFile> Stale, List<long> Older)> SortVersionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<SourceFile> files, CancellationToken cancellationToken)
    {
        var loaded = new Dictionary<string, (long FileId, string ETag, DateTimeOffset? Modified)>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            """
            SELECT f.file_key, f.file_id, f.etag, f.source_modified_at FROM load_files f
            WHERE f.status = 'loaded' AND f.file_key = ANY($1)
            FOR UPDATE
            """, connection, transaction))
        {
            command.Parameters.Add(new() { Value = files.Select(f => f.Key).Distinct().ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                loaded[reader.GetString(0)] = (reader.GetInt64(1), reader.GetString(2),
                    reader.IsDBNull(3) ? null : new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero));
            }
        }
        var newestInGroup = files.GroupBy(f => f.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Aggregate((a, b) => SourceFile.IsNewer(b.LastModified, b.ETag, a.LastModified, a.ETag) ? b : a),
                StringComparer.Ordinal);
        List<SourceFile> toStage = [], stale = [];
        List<long> older = [];
        foreach (var file in files)
        {
            var current = loaded.TryGetValue(file.Key, out var version) && version.ETag != file.ETag ? version : default((long, string, DateTimeOffset?)?);
            var olderThanLoaded = current is { } other && !SourceFile.IsNewer(file.LastModified, file.ETag, other.Item3, other.Item2);
            if (olderThanLoaded || !ReferenceEquals(newestInGroup[file.Key], file))
            {
                stale.Add(file);
                continue;
            }
            toStage.Add(file);
            if (current is { } superseded)
            {
                older.Add(superseded.Item1);
            }
        }
        return (toStage, stale, older);
    }
    private async Task<(long Rows, List<StagedLoadError> Errors, string? Failure)> StageFileAsync(
        NpgsqlBinaryImporter importer, IStagingTable table, SourceFile file, long fileId, CancellationToken cancellationToken)
    {
        var errors = new List<StagedLoadError>();
        long rows = 0;
        // Per-record timings are summed locally and reported once per file; what is neither parse nor copy is the
        // reading and framing of the stream (for a large object, that includes waiting on S3).
        long parseTicks = 0, copyTicks = 0;
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var stream = await SourceDecoding.DecodeAsync(await file.OpenAsync(cancellationToken), cancellationToken);
            using var framer = table.CreateFramer(stream, options.MaxRecordBytes);
            while (await framer.ReadAsync(cancellationToken) is { } record)
            {
                RecordError error;
                if (record.FramingError is { } framingError)
                {
                    error = new RecordError(null, framingError);
                }
                else
                {
                    var before = Stopwatch.GetTimestamp();
                    var staged = table.TryStage(importer, fileId, record.LineNumber, record.Bytes.Span, out error, out var parsedAt);
                    parseTicks += parsedAt - before;
                    if (staged)
                    {
                        copyTicks += Stopwatch.GetTimestamp() - parsedAt;
                        rows++;
                        continue;
                    }
                }
                errors.Add(new StagedLoadError(file.Key, file.ETag, record.LineNumber, error.Column, error.Reason,
                    LoadErrorText.FromBytes(record.Bytes.Span)));
                if (errors.Count > options.MaxErrorsPerFile)
                {
                    return (0, errors, TooManyErrors(errors));
                }
            }
        }
        catch (Exception exception) when (exception is not (OperationCanceledException or NpgsqlException or SourceUnavailableException))
        {
            return (0, errors, $"could not read the file: {exception.Message}");
        }
        finally
        {
            _times.AddTicks(PhaseTimes.Parse, parseTicks);
            _times.AddTicks(PhaseTimes.Copy, copyTicks);
            _times.AddTicks(PhaseTimes.ReadAndFrame, Stopwatch.GetTimestamp() - started - parseTicks - copyTicks);
        }

        if (rows == 0 && errors.Count == 0)
        {
            errors.Add(new StagedLoadError(file.Key, file.ETag, 0, null, "the file holds no records (empty or whitespace only)", ""));
            if (errors.Count > options.MaxErrorsPerFile)
            {
                return (0, errors, TooManyErrors(errors));
            }
        }
        return (rows, errors, null);
    }

    private string TooManyErrors(List<StagedLoadError> errors) =>
        $"more than {options.MaxErrorsPerFile} rejected records (the per-file error limit); first at line {errors[0].LineNumber}: {errors[0].Reason}";

    private static async Task<long[]> AllocateFileIdsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int count, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT nextval('load_file_id_seq') FROM generate_series(1, $1)", connection, transaction);
        command.Parameters.Add(new() { Value = count });
        var ids = new long[count];
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        for (var i = 0; await reader.ReadAsync(cancellationToken); i++)
        {
            ids[i] = reader.GetInt64(0);
        }
        return ids;
    }

    /// <summary>
    /// Older loaded versions of the keys being staged: their records are kept as superseded, and the next star load
    /// takes their rows out of staging and the star schema.
    /// </summary>
    private static async Task SupersedeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<long> fileIds, CancellationToken cancellationToken)
    {
        if (fileIds.Count == 0)
        {
            return;
        }
        await using var command = new NpgsqlCommand("UPDATE load_files SET status = 'superseded' WHERE file_id = ANY($1)", connection, transaction);
        command.Parameters.Add(new() { Value = fileIds.ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Versions older than the loaded one: recorded (so a redelivery is only acknowledged), never staged.</summary>
    private static async Task InsertSupersededAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long batchId, List<SourceFile> stale,
        CancellationToken cancellationToken)
    {
        if (stale.Count == 0)
        {
            return;
        }
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO load_files (batch_id, file_key, etag, size_bytes, kind, status, rows_loaded, rows_rejected, source_modified_at,
                                    star_removed_batch_id, failure_reason)
            SELECT $1, file_key, etag, size_bytes, kind, 'superseded', 0, 0, source_modified_at, $1,
                   'older than the version of this key that is loaded'
            FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[]) AS f (file_key, etag, size_bytes, kind, source_modified_at)
            """, connection, transaction);
        command.Parameters.Add(new() { Value = batchId });
        command.Parameters.Add(new() { Value = stale.Select(f => f.Key).ToArray() });
        command.Parameters.Add(new() { Value = stale.Select(f => f.ETag).ToArray() });
        command.Parameters.Add(new() { Value = stale.Select(f => f.Size).ToArray() });
        command.Parameters.Add(new() { Value = stale.Select(f => KindName(f.Kind)).ToArray() });
        command.Parameters.Add(ModifiedAtArray(stale));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter ModifiedAtArray(IEnumerable<SourceFile> files) => new()
    {
        Value = files.Select(f => (object?)f.LastModified?.UtcDateTime ?? DBNull.Value).ToArray(),
        NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
    };

    private static async Task InsertLoadFilesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long batchId, List<StagedFile> staged, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO load_files (file_id, batch_id, file_key, etag, size_bytes, kind, status, rows_loaded, rows_rejected, source_modified_at)
            SELECT file_id, $1, file_key, etag, size_bytes, kind, 'loaded', rows_loaded, rows_rejected, source_modified_at
            FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::bigint[], $9::timestamptz[])
                 AS f (file_id, file_key, etag, size_bytes, kind, rows_loaded, rows_rejected, source_modified_at)
            """, connection, transaction);
        command.Parameters.Add(new() { Value = batchId });
        command.Parameters.Add(new() { Value = staged.Select(s => s.FileId).ToArray() });
        command.Parameters.Add(new() { Value = staged.Select(s => s.File.Key).ToArray() });
        command.Parameters.Add(new() { Value = staged.Select(s => s.File.ETag).ToArray() });
        command.Parameters.Add(new() { Value = staged.Select(s => s.File.Size).ToArray() });
        command.Parameters.Add(new() { Value = staged.Select(s => KindName(s.File.Kind)).ToArray() });
        command.Parameters.Add(new() { Value = staged.Select(s => s.Rows).ToArray() });
        command.Parameters.Add(new() { Value = staged.Select(s => s.Rejected).ToArray() });
        command.Parameters.Add(ModifiedAtArray(staged.Select(s => s.File)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task InsertLoadErrorsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long batchId, List<StagedLoadError> errors, CancellationToken cancellationToken)
    {
        if (errors.Count == 0)
        {
            return;
        }
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY load_errors (batch_id, file_key, etag, line_number, column_name, reason, raw_text) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        foreach (var error in errors)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(batchId, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(error.FileKey, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(error.ETag, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(error.LineNumber, NpgsqlDbType.Bigint, cancellationToken);
            if (error.Column is null)
            {
                await importer.WriteNullAsync(cancellationToken);
            }
            else
            {
                await importer.WriteAsync(error.Column, NpgsqlDbType.Text, cancellationToken);
            }
            await importer.WriteAsync(LoadErrorText.Bound(error.Reason), NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(error.RawText, NpgsqlDbType.Text, cancellationToken);
        }
        await importer.CompleteAsync(cancellationToken);
    }

    private async Task RecordFailureAsync(long batchId, SourceFile file, string reason, List<StagedLoadError> errors, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(
            """
            INSERT INTO load_files (batch_id, file_key, etag, size_bytes, kind, status, rows_loaded, rows_rejected, failure_reason)
            VALUES ($1, $2, $3, $4, $5, 'failed', 0, $6, $7)
            """, connection, transaction))
        {
            command.Parameters.Add(new() { Value = batchId });
            command.Parameters.Add(new() { Value = file.Key });
            command.Parameters.Add(new() { Value = file.ETag });
            command.Parameters.Add(new() { Value = file.Size });
            command.Parameters.Add(new() { Value = KindName(file.Kind) });
            command.Parameters.Add(new() { Value = (long)errors.Count });
            command.Parameters.Add(new() { Value = LoadErrorText.Bound(reason) });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await DeletePreviousErrorsAsync(connection, transaction, [file], cancellationToken);
        await InsertLoadErrorsAsync(connection, transaction, batchId, errors, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Error rows describe a file version's latest attempt: a retry replaces those of earlier attempts.</summary>
    private static async Task DeletePreviousErrorsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<SourceFile> files, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            DELETE FROM load_errors e USING unnest($1::text[], $2::text[]) AS f (file_key, etag)
            WHERE e.file_key = f.file_key AND e.etag = f.etag
            """, connection, transaction);
        command.Parameters.Add(new() { Value = files.Select(f => f.Key).ToArray() });
        command.Parameters.Add(new() { Value = files.Select(f => f.ETag).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private Task<HashSet<(string Key, string ETag)>> FindLoadedAsync(List<SourceFile> files, CancellationToken cancellationToken) =>
        LoadedVersions.FindAsync(dataSource, [.. files.Select(f => (f.Key, f.ETag))], cancellationToken);

    internal static string KindName(FileKind kind) => kind == FileKind.Song ? "song" : "event";

    private static FileLoadResult Skipped(SourceFile file) =>
        new(file.Key, file.ETag, file.Size, file.Kind, FileOutcome.AlreadyLoaded, 0, 0, null);
}
