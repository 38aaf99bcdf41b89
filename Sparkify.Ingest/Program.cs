using Sparkify.Warehouse.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.AddWarehouse();

// The S3/SQS scan-and-publish loop comes with the pipeline work; until then the worker applies the migrations and exits.
builder.Services.AddHostedService<StopAfterStartService>();

builder.Build().Run();
