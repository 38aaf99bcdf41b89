using System.Collections.Concurrent;
using System.Diagnostics;

namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>
/// Busy time by phase of one piece of work (a group of files, a load). Safe to add to from parallel tasks; the
/// totals are kept in <c>batch_phase_times</c> by <see cref="BatchPhaseTimesStore"/>.
/// </summary>
public sealed class PhaseTimes
{
    public const string QueueReceive = "queue receive";
    public const string QueueDelete = "queue delete";
    public const string S3Get = "s3 get";
    public const string ReadAndFrame = "read + frame";
    public const string Parse = "parse";
    public const string Copy = "copy";
    public const string Bookkeeping = "bookkeeping";
    public const string StarLoad = "star load + checks";

    private readonly ConcurrentDictionary<string, long> _ticks = new();

    public void AddTicks(string phase, long stopwatchTicks) => _ticks.AddOrUpdate(phase, stopwatchTicks, (_, total) => total + stopwatchTicks);

    public void Add(string phase, TimeSpan elapsed) => AddTicks(phase, (long)(elapsed.TotalSeconds * Stopwatch.Frequency));

    /// <summary>Times the code up to the end of the using block: <c>using (times.Measure(PhaseTimes.Copy)) { … }</c>.</summary>
    public Measurement Measure(string phase) => new(this, phase, Stopwatch.GetTimestamp());

    public IReadOnlyDictionary<string, double> Seconds() =>
        _ticks.ToDictionary(p => p.Key, p => (double)p.Value / Stopwatch.Frequency);

    /// <summary>The seconds so far, leaving zero behind: for recording in pieces without counting anything twice.</summary>
    public IReadOnlyDictionary<string, double> TakeSeconds()
    {
        var taken = new Dictionary<string, double>();
        foreach (var phase in _ticks.Keys)
        {
            if (_ticks.TryRemove(phase, out var ticks) && ticks != 0)
            {
                taken[phase] = (double)ticks / Stopwatch.Frequency;
            }
        }
        return taken;
    }

    public readonly struct Measurement(PhaseTimes times, string phase, long started) : IDisposable
    {
        public void Dispose() => times.AddTicks(phase, Stopwatch.GetTimestamp() - started);
    }
}
