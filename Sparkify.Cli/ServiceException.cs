namespace Sparkify.Cli;

/// <summary>A service the command needs (S3) could not be reached or refused the work; the message says which and why.</summary>
public sealed class ServiceException(string message) : Exception(message);
