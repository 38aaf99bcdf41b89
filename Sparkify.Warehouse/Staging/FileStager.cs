using System.Diagnostics;
using Npgsql;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Parsing;

namespace Sparkify.Warehouse.Staging;

/// <summary>
/// Streams one file's records into a group's binary COPY: decodes and frames the source, parses each record into a
/// staging row, collects the rejected ones as error rows, and fails the file past the per-file error limit.
/// </summary>
internal sealed class FileStager(LoadOptions options, PhaseTimes times)
{
    public async Task<(long Rows, List<StagedLoadError> Errors, string? Failure)> StageFileAsync(
        BinaryCopyWriter copy, IStagingTable table, SourceFile file, long fileId, CancellationToken cancellationToken)
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
                    var staged = table.TryStage(copy, fileId, record.LineNumber, record.Bytes.Span, out error, out var parsedAt);
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
        catch (Exception exception) when (exception is not (OperationCanceledException or NpgsqlException or SourceUnavailableException or SourceVersionGoneException))
        {
            return (0, errors, $"could not read the file: {exception.Message}");
        }
        finally
        {
            times.AddTicks(PhaseTimes.Parse, parseTicks);
            times.AddTicks(PhaseTimes.Copy, copyTicks);
            times.AddTicks(PhaseTimes.ReadAndFrame, Stopwatch.GetTimestamp() - started - parseTicks - copyTicks);
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
}
