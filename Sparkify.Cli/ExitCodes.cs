namespace Sparkify.Cli;

public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran but the data is not all good: failed files or failed quality checks.</summary>
    public const int DataFailure = 1;

    /// <summary>Bad input: missing connection or AWS credentials, unknown folder, a command line that does not parse.</summary>
    public const int UsageError = 2;

    /// <summary>The database or S3 could not be reached or refused the work.</summary>
    public const int ServiceError = 3;
}
