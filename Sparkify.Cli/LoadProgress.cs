using System.Diagnostics;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Cli;

/// <summary>Progress of a load on the error stream: a line every couple of seconds, and each failed file at once.</summary>
internal sealed class LoadProgress(TextWriter writer, int totalFiles, TimeSpan interval) : IProgress<FileLoadResult>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastLine = TimeSpan.Zero;
    private int _done;
    private int _loaded;
    private int _skipped;
    private int _failed;
    private long _rows;
    private long _rejected;

    public void Report(FileLoadResult value)
    {
        _done++;
        switch (value.Outcome)
        {
            case FileOutcome.Loaded: _loaded++; break;
            case FileOutcome.AlreadyLoaded or FileOutcome.Superseded: _skipped++; break;
            case FileOutcome.Failed:
                _failed++;
                writer.WriteLine($"  FAILED {value.Key}: {value.FailureReason}");
                break;
        }
        _rows += value.RowsLoaded;
        _rejected += value.RowsRejected;
        if (_clock.Elapsed - _lastLine >= interval || _done == totalFiles)
        {
            _lastLine = _clock.Elapsed;
            writer.WriteLine(
                $"  [{_clock.Elapsed.TotalSeconds,5:F1}s] staged {_done:N0}/{totalFiles:N0} files: {_loaded:N0} loaded, " +
                $"{_skipped:N0} already loaded, {_failed:N0} failed; {_rows:N0} rows, {_rejected:N0} rejected");
        }
    }
}
