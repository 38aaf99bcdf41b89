using System.ComponentModel.DataAnnotations;

namespace Sparkify.Pipeline.Hosting;

/// <summary>Configuration section <c>Sparkify:Retry</c>: the backoff of every retry in the workers (2, 4, 8, 16, then 30 s by default).</summary>
public sealed class RetryOptions
{
    public const string Section = "Sparkify:Retry";

    [Range(0.01, 60)]
    public double FirstDelaySeconds { get; set; } = 2;

    [Range(0.01, 600)]
    public double MaxDelaySeconds { get; set; } = 30;
}
