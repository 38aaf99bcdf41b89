namespace Sparkify.Cli;

/// <summary>The user asked for something that cannot be done as asked; the message says what to change.</summary>
public sealed class UsageException(string message) : Exception(message);
