using System.ComponentModel.DataAnnotations;

namespace Sparkify.Pipeline;

/// <summary>Where the pipeline's data and queues are (configuration section <c>Sparkify</c>).</summary>
public sealed class PipelineOptions
{
    public const string Section = "Sparkify";

    [Required(AllowEmptyStrings = false)]
    public string Bucket { get; set; } = "";

    /// <summary>Key prefixes scanned for files; a file's kind comes from its <c>song_data</c>/<c>log_data</c> folder.</summary>
    [MinLength(1)]
    public List<string> Prefixes { get; set; } = ["song_data/", "log_data/"];

    /// <summary>The file queue; its dead-letter queue is the target of its RedrivePolicy (<see cref="DeadLetterQueue"/>).</summary>
    [Required(AllowEmptyStrings = false)]
    public string QueueName { get; set; } = WorkerDefaults.QueueName;

    /// <summary>An S3/SQS endpoint to use instead of AWS (the local emulator); credentials still come from the AWS chain.</summary>
    public string? AwsServiceUrl { get; set; }

    /// <summary>The AWS region; when unset, the standard AWS chain decides (AWS_REGION, profile, instance metadata).</summary>
    public string? AwsRegion { get; set; }
}
