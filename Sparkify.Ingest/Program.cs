using Sparkify.Ingest;
using Sparkify.Pipeline;
using Sparkify.Warehouse.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.AddWarehouse();
builder.AddPipeline();
builder.Services.AddIngest(builder.Configuration);
builder.Services.AddHostedService<IngestWorker>();

builder.Build().Run();
