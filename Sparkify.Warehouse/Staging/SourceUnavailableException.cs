namespace Sparkify.Warehouse.Staging;

/// <summary>
/// The place a file is read from did not answer (an S3 outage or brownout, a network timeout): not the file's fault.
/// Staging stops without recording a failure against the file, and its caller waits for the source to answer again.
/// </summary>
public sealed class SourceUnavailableException(string fileKey, Exception cause)
    : Exception($"{fileKey} could not be read now: {cause.Message}", cause)
{
    public string FileKey { get; } = fileKey;
}
