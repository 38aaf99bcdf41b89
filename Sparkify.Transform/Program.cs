using Sparkify.Pipeline;
using Sparkify.Transform;
using Sparkify.Warehouse.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.AddWarehouse();
builder.AddPipeline();
builder.Services.AddTransform(builder.Configuration);
builder.Services.AddHostedService<TransformWorker>();

builder.Build().Run();
