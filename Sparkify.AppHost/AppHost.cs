using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Sparkify.AppHost;
using Sparkify.Pipeline;
using Sparkify.DevTools;

var builder = DistributedApplication.CreateBuilder(args);
var settings = SparkifySettings.From(builder.Configuration);
builder.Services.AddLogging(logging => logging.KeepToWhatPeopleNeed());
if (settings.RunOnce)
{
    // Run-once stops a start that cannot succeed and says why itself; the host's own report of it would only repeat it.
    builder.Services.AddLogging(logging => logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None));
}
var repositoryRoot = LocalTools.FindRepositoryRoot(builder.AppHostDirectory);

// PostgreSQL: an existing server (ConnectionStrings__warehouse), else a local one this AppHost runs, with one kept
// warehouse per data source.
var useLocalPostgres = string.IsNullOrEmpty(builder.Configuration.GetConnectionString("warehouse"));
if (useLocalPostgres)
{
    await LocalWarehouseState.PrepareAsync(settings);
}
IResourceBuilder<IResourceWithConnectionString> warehouse = useLocalPostgres
    ? builder.AddLocalPostgres("warehouse", repositoryRoot, settings.WarehouseDirectory)
    : builder.AddConnectionString("warehouse");

// The schema as production makes it: the migration (`sparkify create-tables`) runs once, to completion, before anything
// that uses the tables starts; the workers only check the schema (migrations at start are off by default).
var migrations = builder.AddProject<Projects.Sparkify_Cli>("migrations").WithoutTls()
    .WithArgs("create-tables")
    .WithReference(warehouse).WaitFor(warehouse);

var transform = builder.AddProject<Projects.Sparkify_Transform>("transform").WithoutTls()
    .WithReference(warehouse).WaitForCompletion(migrations)
    .WithEnvironment("Sparkify__Transform__MaxReceives", settings.MaxReceives.ToString(System.Globalization.CultureInfo.InvariantCulture))
    .WithEnvironment("Sparkify__Transform__VisibilityTimeoutSeconds", settings.VisibilityTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

// The report page, live from the warehouse (its URL on the console once it answers, and on the dashboard).
builder.AddProject<Projects.Sparkify_ReportWeb>("report").WithoutTls()
    .WithReference(warehouse).WaitForCompletion(migrations)
    .PrintWhenReady();

var ingest = builder.AddProject<Projects.Sparkify_Ingest>("ingest").WithoutTls()
    .WithReference(warehouse).WaitForCompletion(migrations)
    .WaitFor(transform)
    .WithEnvironment("Sparkify__Ingest__Mode", settings.RunOnce ? "Once" : settings.PostsArrivalEvents ? "Notifications" : "Watch")
    // The local endpoint starts empty every time while the warehouse is kept: an earlier run's open batch lost its messages.
    .WithEnvironment("Sparkify__Ingest__QueueStartsEmpty", settings.UseLocalAws ? "true" : "false");

List<IResourceBuilder<ProjectResource>> workers = [transform, ingest];
if (settings.PostsArrivalEvents)
{
    // Notification mode: this Ingest consumes the arrivals queue (the setup posts the events the local endpoint does not
    // send); the scan goes on beside it in watch mode, as the reconciliation that finds what events missed.
    ingest.WithEnvironment("Sparkify__Ingest__ArrivalsQueueName", settings.ArrivalsQueueName);
    workers.Add(builder.AddProject<Projects.Sparkify_Ingest>("ingest-scan")
        .WithReference(warehouse).WaitFor(warehouse)
        .WaitFor(transform)
        .WithEnvironment("Sparkify__Ingest__Mode", "Watch")
        .WithEnvironment("Sparkify__Ingest__WatchIntervalSeconds", "300")
        .WithEnvironment("Sparkify__Ingest__QueueStartsEmpty", "true"));
}

foreach (var worker in workers)
{
    worker.WithEnvironment("Sparkify__Bucket", settings.Bucket)
        .WithEnvironment("Sparkify__QueueName", settings.QueueName);
}

// S3 + SQS: the local endpoint, made ready (bucket, queues, data) before the workers start; or real AWS, whose
// credentials and region the workers take from the standard AWS chain.
if (settings.UseLocalAws)
{
    var setup = new LocalAwsSetup(settings);
    // WaitFor(aws) waits for the ready handlers too: the workers start once the bucket, queues and data are there.
    var aws = builder.AddLocalAws("aws", repositoryRoot)
        .OnResourceReady((resource, ready, cancellationToken) =>
            setup.RunAsync(resource.GetEndpoint(LocalAwsExtensions.EndpointName).Url, ready.Services, cancellationToken));
    foreach (var worker in workers)
    {
        worker.WaitFor(aws)
            .WithEnvironment("Sparkify__AwsServiceUrl", aws.GetEndpoint(LocalAwsExtensions.EndpointName))
            .WithEnvironment("AWS_ACCESS_KEY_ID", LocalAwsExtensions.LocalAccessKey)
            .WithEnvironment("AWS_SECRET_ACCESS_KEY", LocalAwsExtensions.LocalAccessKey);
    }
}

var app = builder.Build();
var exitCode = 0;
if (settings.RunOnce)
{
    exitCode = await RunOnce.RunAsync(app, warehouse.Resource, migrations.Resource, ingest.Resource, settings);
}
else
{
    await app.StartAsync();
    using var stopping = new CancellationTokenSource();
    var progress = BatchProgress.For(app, warehouse.Resource).WatchAsync(stopping.Token);
    // Until Ctrl+C; then the host stops.
    await app.WaitForShutdownAsync();
    await stopping.CancelAsync();
    await progress;
}
if (useLocalPostgres)
{
    await LocalWarehouseState.StopServerAsync(settings.WarehouseDirectory);
}
return exitCode;
