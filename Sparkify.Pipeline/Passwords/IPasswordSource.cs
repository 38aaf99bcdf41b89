namespace Sparkify.Pipeline.Passwords;

/// <summary>Where a database password is read from, each time it is needed afresh.</summary>
public interface IPasswordSource
{
    /// <summary>What the logs may say about it (never the password).</summary>
    string Description { get; }

    Task<string> ReadAsync(CancellationToken cancellationToken);
}
