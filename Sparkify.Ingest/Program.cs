using Npgsql;
using Sparkify.Warehouse.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(
    builder.Configuration.GetConnectionString("warehouse")
    ?? throw new InvalidOperationException("ConnectionStrings:warehouse is not configured.")));
builder.Services.AddHostedService<SchemaMigrationService>();

// The S3/SQS scan and publish loop is wired by the pipeline issue; today the worker applies migrations and exits.
builder.Services.AddHostedService<StopAfterStartService>();

builder.Build().Run();
