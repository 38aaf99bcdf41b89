using Microsoft.Extensions.Options;
using Sparkify.Pipeline;

namespace Sparkify.Transform;

/// <summary>What single-value ranges cannot say: the star-load timings must nest (<see cref="StarLoadTimings"/>).</summary>
public sealed class TransformOptionsValidation : IValidateOptions<TransformOptions>
{
    public ValidateOptionsResult Validate(string? name, TransformOptions options)
    {
        var problems = StarLoadTimings.Problems(options.StarLoadTimeoutSeconds, options.StarLoadDeadlineSeconds, options.StarLoadTakeoverSeconds);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems.Select(p => $"{TransformOptions.Section}: {p}"));
    }
}
