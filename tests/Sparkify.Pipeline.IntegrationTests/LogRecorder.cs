using Microsoft.Extensions.Logging;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>The log lines of an in-process worker (as the level filter lets them through), for a test to wait on one.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource Seen)> _waiters = [];

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    /// <summary>Waits until a line matching <paramref name="match"/> has been logged (now or before).</summary>
    public async Task WaitForAsync(Func<string, bool> match, string what, TimeSpan? timeout = null)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            if (_lines.Any(match))
            {
                return;
            }
            _waiters.Add((match, seen));
        }
        try
        {
            await seen.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            lock (_lines)
            {
                throw new TimeoutException($"Not logged: {what}. Logged:\n{string.Join("\n", _lines.TakeLast(20))}");
            }
        }
    }

    private void Add(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)))
            {
                waiter.Seen.TrySetResult();
            }
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(LogRecorder recorder) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            recorder.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
