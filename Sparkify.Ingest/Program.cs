using Sparkify.Ingest;
using Sparkify.Pipeline;
using Sparkify.Pipeline.Hosting;
using Sparkify.Pipeline.Passwords;
using Sparkify.Warehouse.Hosting;

return await WorkerRunner.RunAsync(args, builder =>
{
    builder.AddServiceDefaults();
    builder.AddWarehouse(WarehousePasswords.FromConfiguration(builder.Configuration));
    builder.AddPipeline();
    builder.Services.AddIngest(builder.Configuration);
    builder.Services.AddIngestWorker(builder.Configuration);
});
