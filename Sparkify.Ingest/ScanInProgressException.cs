namespace Sparkify.Ingest;

/// <summary>Another Ingest holds the scan lock: work that needs it is tried again later (the worker's backoff).</summary>
public sealed class ScanInProgressException(string message) : Exception(message);
