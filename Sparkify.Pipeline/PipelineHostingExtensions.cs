using Amazon.Runtime;
using Amazon.S3;
using Amazon.SQS;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Pipeline;

public static class PipelineHostingExtensions
{
    /// <summary>
    /// Binds and validates <see cref="PipelineOptions"/> and registers the S3 and SQS clients
    /// (AWSSDK.Extensions.NETCore.Setup) and the pipeline's batch
    /// bookkeeping (<see cref="BatchManifests"/>, <see cref="StarLoadClaims"/>) and the file queue's
    /// <see cref="DeadLetterQueue"/>, which both workers use.
    /// </summary>
    public static TBuilder AddPipeline<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<PipelineOptions>()
            .Bind(builder.Configuration.GetSection(PipelineOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // The standard AWS chain for credentials and region (environment, profile, task role; an "AWS" configuration
        // section works too), and the local endpoint or region of the Sparkify section on top.
        builder.Services.AddDefaultAWSOptions(builder.Configuration.GetAWSOptions());
        builder.Services.AddAWSService<IAmazonS3>(ApplyEndpoint);
        builder.Services.AddAWSService<IAmazonSQS>(ApplyEndpoint);
        builder.Services.AddSingleton<BatchManifests>();
        builder.Services.AddSingleton<StarLoadClaims>();
        builder.Services.AddSingleton<DeadLetterQueue>();
        return builder;
    }

    private static void ApplyEndpoint(ClientConfig config, IServiceProvider services) =>
        AwsClients.ApplyEndpoint(config, services.GetRequiredService<IOptions<PipelineOptions>>().Value);
}
