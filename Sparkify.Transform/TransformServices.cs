namespace Sparkify.Transform;

public static class TransformServices
{
    /// <summary>Everything the transform worker needs, given a warehouse and the pipeline's AWS clients.</summary>
    public static IServiceCollection AddTransform(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TransformOptions>().Bind(configuration.GetSection(TransformOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<TransformOptions>, TransformOptionsValidation>();
        services.AddSingleton<PendingPhaseTimes>();
        services.AddSingleton<StarLoadCoordinator>();
        services.AddSingleton<FileMessageProcessor>();
        services.AddSingleton<QueueRedriveCheck>();
        services.AddSingleton<DependencyProbes>();
        services.AddSingleton<OutageGate>();
        services.AddSingleton<QueueFacts>();
        services.AddSingleton<DeadLetterSweeper>();
        services.AddOptions<ScaleInProtectionOptions>().Bind(configuration.GetSection(ScaleInProtectionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ScaleInProtection>();
        services.AddHostedService(provider => provider.GetRequiredService<ScaleInProtection>());
        return services;
    }
}
