using Amazon.S3;
using Amazon.SQS;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Pipeline;

public static class PipelineHostingExtensions
{
    /// <summary>
    /// Binds and validates <see cref="PipelineOptions"/> and registers the S3 and SQS clients and the pipeline's batch
    /// bookkeeping (<see cref="PipelineBatches"/>), which both workers use.
    /// </summary>
    public static TBuilder AddPipeline<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<PipelineOptions>()
            .Bind(builder.Configuration.GetSection(PipelineOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => AwsClients.CreateS3(sp.GetRequiredService<IOptions<PipelineOptions>>().Value));
        builder.Services.AddSingleton(sp => AwsClients.CreateSqs(sp.GetRequiredService<IOptions<PipelineOptions>>().Value));
        builder.Services.AddSingleton<PipelineBatches>();
        return builder;
    }
}
